/** Inputs that name images: the registry, the repository path, the custom tag, other image refs. */
import { InputError } from '../../errors.js';
import { DNS_LABEL, IMAGE_NAME, PATH_COMPONENT } from '../image-ref.js';
import { quote, singleLine } from './values.js';

const TAG_CHARS = /^[A-Za-z0-9_.-]*$/;

/**
 * `host[:port][/path]`: the host part follows DNS rules; the path follows Docker's repository rules,
 * lowercased first (with a notice) since GitHub owners are often mixed-case. The host is kept.
 */
export function parseRegistry(value: string, notices: string[] = []): string {
  const input = 'image-registry';
  if (value === '') throw new InputError(input, 'is required (e.g. ghcr.io/my-org)');
  singleLine(input, value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const bare = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
    throw new InputError(input, `${quote(value)} must not have a scheme: write ${bare}`);
  }
  if (value.endsWith('/')) throw new InputError(input, `${quote(value)} must not end with /`);
  const [hostPort, ...path] = value.split('/');
  const [host, port, ...rest] = hostPort.split(':');
  if (rest.length || (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535))) {
    throw new InputError(input, `${quote(hostPort)} has an invalid port`);
  }
  if (host.includes('_')) {
    throw new InputError(input, `host ${quote(host)} must not contain an underscore (DNS rules)`);
  }
  const labels = host.split('.');
  if (!labels.every((label) => DNS_LABEL.test(label))) {
    throw new InputError(input, `host ${quote(host)} is not a valid hostname`);
  }
  if (!host.includes('.') && port === undefined && host !== 'localhost') {
    throw new InputError(
      input,
      `${quote(value)} does not start with a registry host: write e.g. docker.io/${value} or ghcr.io/${value}`,
    );
  }
  if (host.toLowerCase() === 'ghcr.io' && path.length === 0) {
    throw new InputError(
      input,
      '"ghcr.io" needs an owner: write ghcr.io/<owner> (GHCR keeps every package under a user or organization)',
    );
  }
  if (!path.length) return value;
  const lowered = `${hostPort}/${path.join('/').toLowerCase()}`;
  parseRepoPath(input, path.join('/').toLowerCase());
  if (lowered !== value) notices.push(lowercaseNotice(input, value, lowered));
  return lowered;
}

/**
 * A repository path. Docker's are lowercase, GitHub owners often are not: an uppercase path is
 * lowercased with a notice (docker/metadata-action lowercases image names too, src/image.ts).
 */
export function parseRepoPath(input: string, given: string, notices: string[] = []): string {
  if (given === '') return given;
  singleLine(input, given);
  const value = given.toLowerCase();
  for (const component of value.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw new InputError(
        input,
        `${quote(given)} is not a valid repository path: lowercase letters, digits and . _ - between them`,
      );
    }
  }
  if (value !== given) notices.push(lowercaseNotice(input, given, value));
  return value;
}

export function parseCustomTag(value: string): string {
  const input = 'custom-tag';
  singleLine(input, value);
  if (value.startsWith('refs/')) {
    throw new InputError(
      input,
      `${quote(value)} is a git ref: pass the short name, e.g. \${{ github.ref_name }}`,
    );
  }
  if (value.includes('/')) {
    throw new InputError(
      input,
      `${quote(value)} has a /, which a Docker tag cannot hold: use letters, digits, _ . - (e.g. ${tagLike(value)})`,
    );
  }
  if (value.includes('+')) {
    throw new InputError(
      input,
      `${quote(value)} has a + (semver build metadata), which a Docker tag cannot hold: use letters, digits, _ . - (e.g. ${tagLike(value)})`,
    );
  }
  if (!TAG_CHARS.test(value)) {
    throw new InputError(
      input,
      `${quote(value)} may only hold letters, digits, _ . - (e.g. ${tagLike(value)})`,
    );
  }
  if (value.length > 100)
    throw new InputError(input, 'is longer than 100 characters (a Docker tag holds 128)');
  return value;
}

function lowercaseNotice(input: string, given: string, used: string): string {
  return `${input}: ${quote(given)} has uppercase letters, which a Docker repository path cannot hold: using ${quote(used)}`;
}

/** The value with each run of characters a tag cannot hold turned into `-`: a suggestion. */
function tagLike(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-tag';
}

export function parseImageName(input: string, value: string): string {
  if (value === '') return value;
  singleLine(input, value);
  if (!IMAGE_NAME.test(value)) {
    throw new InputError(
      input,
      `${quote(value)} is not an image reference such as ghcr.io/org/name:tag`,
    );
  }
  return value;
}

/**
 * Docker's image reference grammar (distribution/reference), in one place: the inputs, the plan
 * and the registry client all check names against these rules.
 */

/** A path component of a repository: lowercase letters and digits, `.` `_` `__` `-` between them. */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A whole tag. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const MAX_TAG_LENGTH = 128;
/** One label of a registry host name (DNS rules, so no underscore). */
export const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;
/** A full reference as the inputs take it: host[:port]/path[:tag][@sha256:…]. */
export const IMAGE_NAME =
  /^[A-Za-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

export interface ImageRef {
  /** host[:port], e.g. `ghcr.io` or `localhost:5000`; `docker.io` for Docker Hub. */
  registry: string;
  /** Path including any namespace, e.g. `acme/ubuntu`. */
  repository: string;
  tag: string;
}

/** True when every `/`-separated component of `path` is a valid repository path component. */
export function isRepositoryPath(path: string): boolean {
  return path !== '' && path.split('/').every((component) => PATH_COMPONENT.test(component));
}

/**
 * `ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.38` → { registry, repository, tag }. As in Docker, a first
 * component without `.` or `:` (and not `localhost`) is not a host: the image is on Docker Hub.
 */
export function parseImageRef(ref: string): ImageRef {
  const text = ref.trim();
  if (!text) throw new Error('Image reference is empty');
  if (/\s/.test(text) || text.includes('://')) {
    throw new Error(`Image reference "${ref}" must look like host[:port]/path:tag`);
  }
  if (text.includes('@')) throw new Error(`Image reference "${ref}" must name a tag, not a digest`);

  const slash = text.indexOf('/');
  const first = slash < 0 ? '' : text.slice(0, slash);
  const hasHost =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  let registry = hasHost ? first.toLowerCase() : DOCKER_HUB;
  if (DOCKER_HUB_ALIASES.includes(registry)) registry = DOCKER_HUB;
  const remainder = hasHost ? text.slice(slash + 1) : text;

  const colon = remainder.lastIndexOf(':');
  if (colon < 0 || remainder.indexOf('/', colon) >= 0) {
    throw new Error(`Image reference "${ref}" has no tag (expected host[:port]/path:tag)`);
  }
  let repository = remainder.slice(0, colon);
  const tag = remainder.slice(colon + 1);

  if (!HOST.test(registry))
    throw new Error(`Image reference "${ref}" has an invalid registry host "${registry}"`);
  if (!isRepositoryPath(repository)) {
    throw new Error(
      `Image reference "${ref}" has an invalid repository "${repository}" (lowercase letters, digits, and . _ - between them)`,
    );
  }
  if (!TAG.test(tag)) {
    throw new Error(
      `Image reference "${ref}" has an invalid tag "${tag}" (letters, digits, _ . -; at most 128)`,
    );
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag };
}

/** `localhost:5000` → `localhost`, `[::1]:5000` → `::1`. */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const parts = host.split(':');
  return parts.length === 2 ? parts[0] : host; // more than one ':' is a bare IPv6 address
}

export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The registry host of an `image-registry` input (`host[:port][/path]`: the host is always there). */
export function registryHost(imageRegistry: string): string {
  return imageRegistry.split('/')[0];
}

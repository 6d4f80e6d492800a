/** Inputs that shape the build: OS, Kubernetes, arch, proxies, certificates, build args, secrets. */
import { InputError } from '../../errors.js';
import type { Arch, KeyValue, K8sVersionRequest, RunnerContext } from './types.js';
import {
  hasControlCharacter,
  oneOf,
  parseKeyValueLines,
  quote,
  readInputFile,
  singleLine,
  splitList,
} from './values.js';

// Keys that have their own input: setting them through build-args would make the plan lie.
const KEYS_WITH_INPUTS: Record<string, string> = {
  IMAGE_REGISTRY: 'image-registry',
  IMAGE_REPO: 'image-repo',
  CUSTOM_TAG: 'custom-tag',
  OS_DISTRIBUTION: 'os-distribution',
  OS_VERSION: 'os-version',
  K8S_DISTRIBUTION: 'k8s-distribution',
  K8S_VERSION: 'k8s-version',
  ARCH: 'arch',
  TWO_NODE: 'two-node',
  UPDATE_KERNEL: 'update-kernel',
  HTTP_PROXY: 'http-proxy',
  HTTPS_PROXY: 'https-proxy',
  NO_PROXY: 'no-proxy',
  PROXY_CERT_PATH: 'proxy-ca-certs',
  UBUNTU_PRO_KEY: 'secrets',
};

// Secret names that would replace part of the environment Earthly, Docker or the runner rely on,
// or change how a program starts: Earthly runs git, ssh and docker on the host with this
// environment (the dynamic loader, shells, Node, git's config and ssh command, proxies, CAs).
const RESERVED_ENV = new RegExp(
  '^(' +
    [
      'PATH|HOME|USER|SHELL|TMPDIR|IFS|ENV|BASH_ENV|BASH_FUNC_.*|SHELLOPTS|BASHOPTS|PS4|CDPATH',
      '(DOCKER|EARTHLY|EARTH|BUILDKIT|GITHUB|RUNNER|INPUT|STATE|ACTIONS)_.*',
      '(LD|DYLD|GIT|SSH|NODE|XDG|MALLOC|GCONV|LOCPATH|PYTHON|PERL5|RUBY)(_.*|OPT|LIB|PATH|STARTUP)?',
      '(HTTP|HTTPS|FTP|ALL|NO)_PROXY|SSL_CERT_(FILE|DIR)|CURL_CA_BUNDLE|HOSTALIASES|RES_OPTIONS',
    ].join('|') +
    ')$',
);

const K8S_VERSION = /^\d+\.\d+(?:\.\d+)?$/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PUBLIC_KEY =
  /^-----BEGIN (?:RSA |EC )?PUBLIC KEY-----[\s\S]+-----END (?:RSA |EC )?PUBLIC KEY-----$/;

export function parseOsDistribution(value: string, buildArgs: string): string {
  const os = oneOf('os-distribution', value, ['ubuntu', 'opensuse-leap', 'rhel', 'sles'] as const);
  if ((os === 'rhel' || os === 'sles') && !/^\s*BASE_IMAGE=\S/m.test(buildArgs)) {
    throw new InputError('os-distribution', `${os} needs a BASE_IMAGE=<image> line in build-args`);
  }
  return os;
}

export function parseOsVersion(value: string, os: string): string {
  if (!/^\d+(?:\.\d+)*$/.test(value)) {
    throw new InputError('os-version', `${quote(value)} is not a version such as 22.04`);
  }
  if (os === 'ubuntu' && !['20.04', '22.04', '24.04'].includes(value)) {
    throw new InputError(
      'os-version',
      `${quote(value)} is not an Ubuntu version CanvOS builds: 20.04, 22.04 or 24.04`,
    );
  }
  return value;
}

export function parseK8sVersion(value: string): K8sVersionRequest {
  const input = 'k8s-version';
  const items = splitList(value);
  if (items.length === 0) {
    throw new InputError(
      input,
      'is required: a version (1.32.3), a list, a minor (1.32), latest or all',
    );
  }
  if (items.length === 1 && (items[0] === 'all' || items[0] === 'latest'))
    return { kind: items[0] };
  for (const item of items) {
    if (item === 'all' || item === 'latest') {
      throw new InputError(input, `${item} cannot be combined with other versions`);
    }
    if (/^v?\d+\.\d+\.\d+\+/.test(item)) {
      throw new InputError(
        input,
        `${quote(item)}: write plain x.y.z; CanvOS adds the +flavour suffix itself`,
      );
    }
    if (!K8S_VERSION.test(item)) {
      throw new InputError(input, `${quote(item)} is not a version: use x.y.z, x.y, latest or all`);
    }
  }
  return { kind: 'list', items: [...new Set(items)] };
}

export function parseArch(value: string, runnerArch: string | undefined): Arch {
  if (value) return oneOf('arch', value, ['amd64', 'arm64'] as const);
  switch (runnerArch) {
    case 'ARM64':
      return 'arm64';
    case 'X64':
    case undefined:
    case '':
      return 'amd64';
    default:
      throw new InputError('arch', `the runner is ${runnerArch}; set arch to amd64 or arm64`);
  }
}

export function parseProxy(input: string, value: string): string {
  if (value === '') return value;
  singleLine(input, value);
  let url: URL;
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new Error('no scheme');
    url = new URL(value);
  } catch {
    throw new InputError(input, 'is not a URL such as http://proxy.example.com:3128');
  }
  if (!['http:', 'https:', 'socks5:'].includes(url.protocol)) {
    throw new InputError(
      input,
      `scheme ${url.protocol} is not supported: use http, https or socks5`,
    );
  }
  if (/[\s'"`$\\]/.test(value))
    throw new InputError(input, 'must not contain spaces, quotes, $ or \\');
  return value;
}

export function parseNoProxy(value: string): string {
  if (value === '') return value;
  singleLine('no-proxy', value);
  if (!/^[A-Za-z0-9.*:/,_[\]-]+$/.test(value)) {
    throw new InputError('no-proxy', 'must be a comma-separated list of hosts, domains or CIDRs');
  }
  return value;
}

export function parseCaCerts(value: string, ctx: RunnerContext): string[] {
  const input = 'proxy-ca-certs';
  if (value.trim() === '') return [];
  const pemText = value.includes('-----BEGIN')
    ? value
    : value
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((path) => readInputFile(input, path, ctx))
        .join('\n');
  const certs = pemText.match(PEM_CERT) ?? [];
  if (certs.length === 0)
    throw new InputError(input, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return certs.map((cert) => cert.replace(/\r/g, ''));
}

export function parseSigningKey(value: string, ctx: RunnerContext): string | undefined {
  const input = 'signing-public-key';
  if (value === '') return undefined;
  const pem = (value.includes('-----BEGIN') ? value : readInputFile(input, value, ctx))
    .trim()
    .replace(/\r/g, '');
  // The key is base64-encoded into the image: a private key must never get that far.
  if (/PRIVATE KEY/.test(pem)) {
    throw new InputError(input, 'holds a private key: give the public key only');
  }
  if ((pem.match(/-----BEGIN /g) ?? []).length !== 1) {
    throw new InputError(input, 'must hold exactly one PEM public key');
  }
  if (!PEM_PUBLIC_KEY.test(pem)) {
    throw new InputError(input, 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  return pem;
}

export function parseBuildArgs(value: string): KeyValue[] {
  const input = 'build-args';
  const pairs = parseKeyValueLines(input, value);
  const seen = new Set<string>();
  for (const [key, val] of pairs) {
    if (KEYS_WITH_INPUTS[key])
      throw new InputError(input, `${key} has its own input: use ${KEYS_WITH_INPUTS[key]}`);
    if (seen.has(key)) throw new InputError(input, `${key} is given twice`);
    seen.add(key);
    // .arg is read by godotenv and sourced by bash: single quotes keep a value literal in both.
    if (val.includes("'") || hasControlCharacter(val)) {
      throw new InputError(input, `${key}: the value must not contain ' or control characters`);
    }
    // godotenv reads a quote after a backslash as escaped, so a trailing \ runs into the next line.
    if (val.endsWith('\\')) throw new InputError(input, `${key}: the value must not end with \\`);
  }
  return pairs;
}

export function parseSecrets(value: string): KeyValue[] {
  const pairs = parseKeyValueLines('secrets', value, true);
  const seen = new Set<string>();
  for (const [key, val] of pairs) {
    if (val === '') throw new InputError('secrets', `${key} has an empty value`);
    if (RESERVED_ENV.test(key))
      throw new InputError('secrets', `${key} is a reserved environment variable name`);
    if (seen.has(key)) throw new InputError('secrets', `${key} is given twice`);
    seen.add(key);
  }
  return pairs;
}

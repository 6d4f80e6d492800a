import semver from 'semver';
import { InputError } from './errors.js';

export const K8S_DISTRIBUTIONS = [
  'k3s',
  'kubeadm',
  'kubeadm-fips',
  'rke2',
  'nodeadm',
  'canonical',
] as const;
export type K8sDistribution = (typeof K8S_DISTRIBUTIONS)[number];
export type Arch = 'amd64' | 'arm64';
export type EarthlyDistribution = 'earthly' | 'earthbuild';
export type DiskCheck = 'warn' | 'error' | 'off';
export type KeyValue = readonly [key: string, value: string];

/** Which Kubernetes versions the workflow asked for; resolved against the tag's k8s_version.json later. */
export type K8sVersionRequest =
  { kind: 'all' } | { kind: 'latest' } | { kind: 'list'; items: string[] }; // each `x.y.z`, or `x.y` meaning its newest patch

export interface Inputs {
  canvos: {
    version: string; // 'latest', an exact tag, or a semver range
    prerelease: boolean;
    repository: string; // a full git URL
    path?: string;
    token?: string;
  };
  imageRegistry: string;
  imageRepo?: string;
  customTag: string;
  osDistribution: string;
  osVersion: string;
  k8sDistribution: K8sDistribution;
  k8sVersion: K8sVersionRequest;
  arch: Arch;
  twoNode: boolean;
  updateKernel: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  proxyCaCerts: string[]; // PEM certificates
  signingPublicKey?: string; // PEM
  buildArgs: KeyValue[];
  secrets: KeyValue[];
  earthly: {
    version: string; // 'auto' or 'vX.Y.Z'
    distribution: EarthlyDistribution;
    downloadUrl?: string;
    sha256?: string;
    args: string[];
    config: KeyValue[]; // extra `global:` settings for Earthly's config
    buildkitImage?: string;
    buildkitHost?: string;
    remoteCache?: string;
  };
  push: boolean;
  skipExisting: boolean;
  registryAuth?: { username: string; password: string };
  diskCheck: DiskCheck;
  dryRun: boolean;
}

/** What the runner tells us besides the inputs. */
export interface RunnerContext {
  runnerArch?: string; // RUNNER_ARCH: X64, ARM64, ...
  serverUrl: string; // GITHUB_SERVER_URL
  workspace: string; // GITHUB_WORKSPACE, for relative paths
  readFile(path: string): string; // throws when unreadable
  isDirectory(path: string): boolean;
}

export const DEFAULT_CANVOS_REPOSITORY = 'https://github.com/spectrocloud/CanvOS.git';

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

// Earthly flags the action sets itself from dedicated inputs (or must own to work at all).
const FLAGS_WITH_INPUTS: Record<string, string> = {
  '--push': 'push',
  '--ci': 'push',
  '--output': 'push',
  '--no-output': 'push',
  '--config': 'the action (it writes its own Earthly config)',
  '--buildkit-image': 'buildkit-image',
  '--buildkit-host': 'buildkit-host',
  '--remote-cache': 'remote-cache',
  '--secret': 'secrets',
  '-s': 'secrets',
  '--secret-file': 'secrets',
  '-P': 'the action (it always allows privileged mode, as CanvOS does)',
  '--allow-privileged': 'the action (it always allows privileged mode, as CanvOS does)',
  '--build-arg': 'build-args',
  '--arg-file-path': 'the action (it writes .arg)',
  '--platform': 'arch',
  '-i': 'nothing: a CI build cannot be interactive',
  '--interactive': 'nothing: a CI build cannot be interactive',
  '-a': 'nothing: this action builds images, not artifacts',
  '--artifact': 'nothing: this action builds images, not artifacts',
  '--image': 'nothing: this action builds +build-provider-images',
};

// Secret names that would replace part of the environment Earthly, Docker or the runner rely on.
const RESERVED_ENV =
  /^(PATH|HOME|USER|SHELL|TMPDIR|(DOCKER|EARTHLY|EARTH|BUILDKIT|GITHUB|RUNNER|INPUT|STATE|ACTIONS)_.*)$/;

const KEY = /^[A-Z_][A-Z0-9_]*$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_CHARS = /^[A-Za-z0-9_.-]*$/;
const K8S_VERSION = /^\d+\.\d+(?:\.\d+)?$/;
const SHA256 = /^[a-f0-9]{64}$/i;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PUBLIC_KEY =
  /^-----BEGIN (?:RSA |EC )?PUBLIC KEY-----[\s\S]+-----END (?:RSA |EC )?PUBLIC KEY-----$/;

type Read = (name: string) => string;

/** Reads every input and checks it against its rule; the first broken rule throws an InputError. */
export function parseInputs(read: Read, ctx: RunnerContext): Inputs {
  const get = (name: string) => read(name).trim();
  const registryAuth = parseRegistryAuth(
    read('registry-username').trim(),
    read('registry-password'),
  );
  const canvosPath = optional(get('canvos-path'));
  return {
    canvos: {
      version: parseCanvosVersion(get('canvos-version') || 'latest'),
      prerelease: parseBoolean('canvos-prerelease', get('canvos-prerelease'), false),
      repository: parseRepository(get('canvos-repository'), ctx.serverUrl),
      path: canvosPath && parseCanvosPath(canvosPath, ctx),
      token: optional(get('github-token')),
    },
    imageRegistry: parseRegistry(get('image-registry')),
    imageRepo: optional(parseRepoPath('image-repo', get('image-repo'))),
    customTag: parseCustomTag(get('custom-tag')),
    osDistribution: parseOsDistribution(get('os-distribution') || 'ubuntu', read('build-args')),
    osVersion: parseOsVersion(get('os-version') || '22.04', get('os-distribution') || 'ubuntu'),
    k8sDistribution: oneOf('k8s-distribution', get('k8s-distribution') || 'k3s', K8S_DISTRIBUTIONS),
    k8sVersion: parseK8sVersion(read('k8s-version')),
    arch: parseArch(get('arch'), ctx.runnerArch),
    twoNode: parseBoolean('two-node', get('two-node'), false),
    updateKernel: parseBoolean('update-kernel', get('update-kernel'), false),
    httpProxy: optional(parseProxy('http-proxy', get('http-proxy'))),
    httpsProxy: optional(parseProxy('https-proxy', get('https-proxy'))),
    noProxy: optional(parseNoProxy(get('no-proxy'))),
    proxyCaCerts: parseCaCerts(read('proxy-ca-certs'), ctx),
    signingPublicKey: parseSigningKey(get('signing-public-key'), ctx),
    buildArgs: parseBuildArgs(read('build-args')),
    secrets: parseSecrets(read('secrets')),
    earthly: {
      version: parseEarthlyVersion(get('earthly-version') || 'auto'),
      distribution: oneOf('earthly-distribution', get('earthly-distribution') || 'earthly', [
        'earthly',
        'earthbuild',
      ] as const),
      downloadUrl: optional(parseDownloadUrl(get('earthly-download-url'))),
      sha256: optional(parseSha256(get('earthly-sha256'))),
      args: parseEarthlyArgs(read('earthly-args')),
      config: parseEarthlyConfig(read('earthly-config')),
      buildkitImage: optional(parseImageName('buildkit-image', get('buildkit-image'))),
      buildkitHost: optional(parseBuildkitHost(get('buildkit-host'))),
      remoteCache: optional(parseImageName('remote-cache', get('remote-cache'))),
    },
    push: parseBoolean('push', get('push'), true),
    skipExisting: parseBoolean('skip-existing', get('skip-existing'), false),
    registryAuth,
    diskCheck: oneOf('disk-check', get('disk-check') || 'warn', ['warn', 'error', 'off'] as const),
    dryRun: parseBoolean('dry-run', get('dry-run'), false),
  };
}

function optional(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

/** Shows a value in an error without letting it break the one-line message. */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}

function singleLine(input: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new InputError(input, 'must be a single line');
  return value;
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(input, `${quote(value)} is not a boolean: use true or false`);
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(input, `${quote(value)} is not one of ${allowed.join(', ')}`);
}

export function parseCanvosVersion(value: string): string {
  singleLine('canvos-version', value);
  if (value === 'latest') return value;
  const exact = semver.valid(value.replace(/^v/, ''));
  if (exact && /^v?\d/.test(value)) return value;
  if (semver.validRange(value)) return value;
  throw new InputError(
    'canvos-version',
    `${quote(value)} is not a tag, a semver range or latest (examples: v4.9.38, ~4.9, latest)`,
  );
}

export function parseRepository(value: string, serverUrl: string): string {
  if (value === '') return DEFAULT_CANVOS_REPOSITORY;
  singleLine('canvos-repository', value);
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value) && !value.startsWith('-')) {
    return `${serverUrl.replace(/\/+$/, '')}/${value.replace(/\.git$/, '')}.git`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Shown without user-info: a token pasted into a broken URL must not reach the log.
    const shown = quote(value.replace(/\/\/[^/]*@/, '//***@'));
    throw new InputError('canvos-repository', `${shown} is not a git URL or owner/name`);
  }
  if (!['https:', 'http:', 'file:', 'ssh:'].includes(url.protocol)) {
    throw new InputError(
      'canvos-repository',
      `scheme ${url.protocol} is not supported: use https, http, ssh or file`,
    );
  }
  if (url.username || url.password) {
    throw new InputError('canvos-repository', 'must not contain credentials: use github-token');
  }
  return value;
}

function parseCanvosPath(value: string, ctx: RunnerContext): string {
  singleLine('canvos-path', value);
  const path = value.startsWith('/') ? value : `${ctx.workspace}/${value}`;
  if (!ctx.isDirectory(path))
    throw new InputError('canvos-path', `${quote(value)} is not a directory`);
  if (!ctx.isDirectory(path) || !safeRead(ctx, `${path}/Earthfile`)) {
    throw new InputError(
      'canvos-path',
      `${quote(value)} has no Earthfile: is it a CanvOS checkout?`,
    );
  }
  return path;
}

function safeRead(ctx: RunnerContext, path: string): string | undefined {
  try {
    return ctx.readFile(path);
  } catch {
    return undefined;
  }
}

/** `host[:port][/path]`: the host part follows DNS rules; the path follows Docker's repository rules. */
export function parseRegistry(value: string): string {
  const input = 'image-registry';
  if (value === '') throw new InputError(input, 'is required (e.g. ghcr.io/my-org)');
  singleLine(input, value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new InputError(input, `${quote(value)} must not have a scheme: write host[:port][/path]`);
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
  if (path.length) parseRepoPath(input, path.join('/'));
  return value;
}

function parseRepoPath(input: string, value: string): string {
  if (value === '') return value;
  singleLine(input, value);
  for (const component of value.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw new InputError(
        input,
        `${quote(value)} is not a valid repository path: lowercase letters, digits and . _ - between them`,
      );
    }
  }
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
      `${quote(value)} has a /, which a Docker tag cannot hold: use letters, digits, _ . -`,
    );
  }
  if (value.includes('+')) {
    throw new InputError(
      input,
      `${quote(value)} has a + (semver build metadata), which a Docker tag cannot hold: use letters, digits, _ . -`,
    );
  }
  if (!TAG_CHARS.test(value)) {
    throw new InputError(input, `${quote(value)} may only hold letters, digits, _ . -`);
  }
  if (value.length > 100)
    throw new InputError(input, 'is longer than 100 characters (a Docker tag holds 128)');
  return value;
}

function parseOsDistribution(value: string, buildArgs: string): string {
  const os = oneOf('os-distribution', value, ['ubuntu', 'opensuse-leap', 'rhel', 'sles'] as const);
  if ((os === 'rhel' || os === 'sles') && !/^\s*BASE_IMAGE=\S/m.test(buildArgs)) {
    throw new InputError('os-distribution', `${os} needs a BASE_IMAGE=<image> line in build-args`);
  }
  return os;
}

function parseOsVersion(value: string, os: string): string {
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

/** Splits a list input on commas and newlines, as docker/metadata-action does. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
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

function parseNoProxy(value: string): string {
  if (value === '') return value;
  singleLine('no-proxy', value);
  if (!/^[A-Za-z0-9.*:/,_[\]-]+$/.test(value)) {
    throw new InputError('no-proxy', 'must be a comma-separated list of hosts, domains or CIDRs');
  }
  return value;
}

function parseCaCerts(value: string, ctx: RunnerContext): string[] {
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

function parseSigningKey(value: string, ctx: RunnerContext): string | undefined {
  const input = 'signing-public-key';
  if (value === '') return undefined;
  const pem = (value.includes('-----BEGIN') ? value : readInputFile(input, value, ctx))
    .trim()
    .replace(/\r/g, '');
  if (!PEM_PUBLIC_KEY.test(pem)) {
    throw new InputError(input, 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  return pem;
}

function readInputFile(input: string, path: string, ctx: RunnerContext): string {
  const full = path.startsWith('/') ? path : `${ctx.workspace}/${path}`;
  try {
    return ctx.readFile(full);
  } catch {
    throw new InputError(input, `cannot read file ${quote(path)}`);
  }
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((char) => char !== '\t' && (char < ' ' || char === '\x7f'));
}

/** `KEY=VALUE` lines; `#` comments and blank lines are skipped. */
function parseKeyValueLines(input: string, value: string, secret = false): KeyValue[] {
  const pairs: KeyValue[] = [];
  for (const [index, raw] of value.split('\n').entries()) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    // A malformed secrets line may be the secret itself (a token pasted without KEY=): show its number.
    const shownLine = secret ? `line ${index + 1}` : quote(line);
    const shownKey = secret ? `the key on line ${index + 1}` : `key ${quote(key)}`;
    if (eq < 0) throw new InputError(input, `${shownLine} is not KEY=VALUE`);
    if (!KEY.test(key)) {
      throw new InputError(input, `${shownKey} must be an upper-case identifier (A-Z, 0-9, _)`);
    }
    pairs.push([key, line.slice(eq + 1)]);
  }
  return pairs;
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

function parseEarthlyVersion(value: string): string {
  if (value === 'auto') return value;
  if (!/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(value)) {
    throw new InputError(
      'earthly-version',
      `${quote(value)} is not auto or a version such as v0.8.15`,
    );
  }
  return value.startsWith('v') ? value : `v${value}`;
}

function parseDownloadUrl(value: string): string {
  const input = 'earthly-download-url';
  if (value === '') return value;
  singleLine(input, value);
  if (!/^https?:\/\//.test(value)) throw new InputError(input, 'must be an http(s) URL');
  if (!value.includes('{asset}'))
    throw new InputError(input, 'must contain {asset} (and usually {version})');
  try {
    new URL(value.replaceAll('{version}', 'v0').replaceAll('{asset}', 'a'));
  } catch {
    throw new InputError(input, 'is not a valid URL');
  }
  return value;
}

function parseSha256(value: string): string {
  if (value === '') return value;
  if (!SHA256.test(value))
    throw new InputError('earthly-sha256', 'must be 64 hexadecimal characters');
  return value.toLowerCase();
}

/** Extra global flags: tokens split on white space; values may follow a flag but nothing may name a target. */
export function parseEarthlyArgs(value: string): string[] {
  const input = 'earthly-args';
  const tokens = value.split(/\s+/).filter(Boolean);
  let previousWasFlag = false;
  for (const token of tokens) {
    if (token.startsWith('+'))
      throw new InputError(input, `${quote(token)} looks like a target: only flags go here`);
    if (token.startsWith('-')) {
      const flag = token.split('=')[0];
      const owner = FLAGS_WITH_INPUTS[flag];
      if (owner) throw new InputError(input, `${flag} is set by ${owner}`);
      if (!/^--?[A-Za-z0-9][A-Za-z0-9-]*(=.*)?$/.test(token)) {
        throw new InputError(input, `${quote(token)} is not a flag`);
      }
      previousWasFlag = !token.includes('=');
    } else {
      // A value after a flag that takes none would be read as the target.
      if (token.includes('+'))
        throw new InputError(input, `${quote(token)} could name a target: only flags go here`);
      if (!previousWasFlag)
        throw new InputError(input, `${quote(token)} is not a flag or a flag's value`);
      previousWasFlag = false;
    }
  }
  return tokens;
}

/** `key: value` lines for Earthly's `global:` config; the values stay on their line. */
export function parseEarthlyConfig(value: string): KeyValue[] {
  const input = 'earthly-config';
  const settings: KeyValue[] = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z][a-z0-9_]*):\s*(\S.*)$/.exec(line);
    if (!match)
      throw new InputError(
        input,
        `${quote(line)} is not a key: value line such as tls_enabled: true`,
      );
    if (match[1] === 'disable_analytics')
      throw new InputError(input, 'disable_analytics is always true here');
    if (settings.some(([key]) => key === match[1]))
      throw new InputError(input, `${match[1]} is given twice`);
    settings.push([match[1], match[2]]);
  }
  return settings;
}

function parseImageName(input: string, value: string): string {
  if (value === '') return value;
  singleLine(input, value);
  if (
    !/^[A-Za-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(
      value,
    )
  ) {
    throw new InputError(
      input,
      `${quote(value)} is not an image reference such as ghcr.io/org/name:tag`,
    );
  }
  return value;
}

function parseBuildkitHost(value: string): string {
  if (value === '') return value;
  singleLine('buildkit-host', value);
  if (!/^(tcp|unix|docker-container|kube-pod|ssh):\/\/\S+$/.test(value)) {
    throw new InputError(
      'buildkit-host',
      `${quote(value)} is not a BuildKit address such as tcp://host:8372`,
    );
  }
  return value;
}

function parseRegistryAuth(username: string, password: string): Inputs['registryAuth'] {
  if (username === '' && password === '') return undefined;
  if (username === '')
    throw new InputError('registry-username', 'is required when registry-password is set');
  if (password === '')
    throw new InputError('registry-password', 'is required when registry-username is set');
  singleLine('registry-username', username);
  if (/[\r\n]/.test(password)) throw new InputError('registry-password', 'must be a single line');
  return { username, password };
}

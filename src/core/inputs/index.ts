/** Reads every input and checks it against its rule; the first broken rule throws an InputError. */
import semver from 'semver';
import { gitTokenCredentials } from '../../canvos/token.js';
import { InputError } from '../../errors.js';
import {
  parseArch,
  parseBuildArgs,
  parseCaCerts,
  parseK8sVersion,
  parseNoProxy,
  parseOsDistribution,
  parseOsVersion,
  parseProxy,
  parseSecrets,
  parseSigningKey,
} from './build.js';
import {
  parseBuildkitHost,
  parseDownloadUrl,
  parseEarthlyArgs,
  parseEarthlyConfig,
  parseEarthlyVersion,
  parseSha256,
} from './earthly.js';
import { parseCustomTag, parseImageName, parseRegistry, parseRepoPath } from './image.js';
import {
  DEFAULT_CANVOS_REPOSITORY,
  type Inputs,
  K8S_DISTRIBUTIONS,
  type RunnerContext,
} from './types.js';
import { confinedPath, oneOf, optional, parseBoolean, quote, singleLine } from './values.js';

type Read = (name: string) => string;

export function parseInputs(read: Read, ctx: RunnerContext): Inputs {
  const get = (name: string) => read(name).trim();
  const registryAuth = parseRegistryAuth(
    read('registry-username').trim(),
    read('registry-password'),
  );
  const canvosPath = optional(get('canvos-path'));
  const notices: string[] = [];
  return {
    canvos: {
      version: parseCanvosVersion(get('canvos-version') || 'latest'),
      prerelease: parseBoolean('canvos-prerelease', get('canvos-prerelease'), false),
      repository: parseRepository(get('canvos-repository'), ctx.serverUrl),
      path: canvosPath && parseCanvosPath(canvosPath, ctx),
      token: optional(get('github-token')),
    },
    imageRegistry: parseRegistry(get('image-registry'), notices),
    imageRepo: optional(parseRepoPath('image-repo', get('image-repo'), notices)),
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
    summary: parseBoolean('summary', get('summary'), true),
    notices,
  };
}

/** Every secret value the inputs hold (and the forms a log could show them in), for masking. */
export function secretValues(inputs: Inputs): string[] {
  const secrets = [
    inputs.registryAuth?.password,
    inputs.canvos.token,
    ...inputs.secrets.map(([, value]) => value),
  ];
  if (inputs.canvos.token) secrets.push(gitTokenCredentials(inputs.canvos.token));
  // The runner masks per log line: a multi-line password (a JSON key) is masked line by line too.
  const passwordLines = inputs.registryAuth?.password.split('\n') ?? [];
  if (passwordLines.length > 1) {
    // Not `{` or `}` alone: masking those would blank every brace in the log.
    secrets.push(...passwordLines.map((line) => line.trim()).filter((line) => line.length >= 8));
  }
  for (const url of [inputs.httpProxy, inputs.httpsProxy]) {
    if (!url) continue;
    const { username, password } = new URL(url);
    if (password) secrets.push(password, decodeURIComponent(password), url);
    else if (username) secrets.push(url);
  }
  // A mirror's query string may carry a signature or token; tool-cache logs the URL in debug lines.
  if (inputs.earthly.downloadUrl) secrets.push(...queryValues(inputs.earthly.downloadUrl));
  return secrets.filter((secret): secret is string => Boolean(secret));
}

function queryValues(template: string): string[] {
  const query = template.split('?')[1] ?? '';
  return [...new URLSearchParams(query.split('#')[0]).values()].filter(
    (value) => !value.includes('{'),
  );
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
  const path = confinedPath('canvos-path', value, ctx);
  if (path === undefined || !ctx.isDirectory(path))
    throw new InputError('canvos-path', `${quote(value)} is not a directory`);
  if (!hasEarthfile(ctx, path)) {
    throw new InputError(
      'canvos-path',
      `${quote(value)} has no Earthfile: is it a CanvOS checkout?`,
    );
  }
  return path;
}

function hasEarthfile(ctx: RunnerContext, dir: string): boolean {
  try {
    return Boolean(ctx.readFile(`${dir}/Earthfile`));
  } catch {
    return false;
  }
}

function parseRegistryAuth(username: string, password: string): Inputs['registryAuth'] {
  if (username === '' && password === '') return undefined;
  if (username === '')
    throw new InputError('registry-username', 'is required when registry-password is set');
  if (password === '')
    throw new InputError('registry-password', 'is required when registry-username is set');
  singleLine('registry-username', username);
  // May be several lines (a GAR `_json_key` is a whole JSON key file): it goes to docker login on stdin.
  return { username, password };
}

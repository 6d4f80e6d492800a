/**
 * Looks images up in a registry over the Registry HTTP API v2 (HEAD on the manifest), without the
 * docker CLI, and in the local Docker with `docker image inspect`.
 */
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvHttpProxyAgent, Headers, type Response, fetch } from 'undici';
import { exponentialBackoff, withRetry } from './retry.js';

// Self-hosted runners often reach registries only through HTTP(S)_PROXY (minus NO_PROXY), which
// Node's built-in fetch ignores; undici's fetch with this agent honours them as Docker does.
let proxyAgent: EnvHttpProxyAgent | undefined;
function dispatcher(): EnvHttpProxyAgent {
  proxyAgent ??= new EnvHttpProxyAgent();
  return proxyAgent;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface ImageRef {
  /** host[:port], e.g. `ghcr.io` or `localhost:5000`; `docker.io` for Docker Hub. */
  registry: string;
  /** Path including any namespace, e.g. `acme/ubuntu`. */
  repository: string;
  tag: string;
}

export interface LookupOptions {
  /** Used when the registry asks for them; otherwise the Docker config is consulted. */
  credentials?: RegistryCredentials;
  /** Directory holding config.json; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
  /** Attempts per request on 5xx / 429 / network errors (default 3). */
  retries?: number;
  /** First back-off pause, doubled each retry (default 500 ms). */
  retryDelayMs?: number;
}

/** Everything a tag may resolve to: a single-platform manifest or a multi-platform index. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
] as const;

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
/** The key `docker login` uses for Docker Hub in config.json and credential helpers. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'canvos-provider-images-action';

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

// Docker's reference grammar (distribution/reference).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;

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
  if (!repository || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) {
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

/** Docker talks plain HTTP to loopback registries (they are implicitly insecure), HTTPS elsewhere. */
export function registryBaseUrl(host: string): string {
  if (DOCKER_HUB_ALIASES.includes(host.toLowerCase())) return 'https://registry-1.docker.io';
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${host}`;
}

export interface AuthChallenge {
  /** Lower-case: `basic`, `bearer`, ... */
  scheme: string;
  /** Lower-case parameter names: realm, service, scope, ... */
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate value (RFC 7235), including several challenges joined by commas. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i])) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < header.length && !/[\s,=]/.test(header[i])) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const name = readToken();
    if (!name) {
      i++;
      continue;
    }
    skip(/\s/);
    if (header[i] !== '=' || challenges.length === 0) {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
      continue;
    }
    i++; // '='
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < header.length) i++;
        value += header[i++];
      }
      i++; // closing quote
    } else {
      const start = i;
      while (i < header.length && header[i] !== ',') i++;
      value = header.slice(start, i).trim();
    }
    challenges[challenges.length - 1].params[name.toLowerCase()] = value;
  }
  return challenges;
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** Which config.json keys may name `host`: `ghcr.io`, `https://ghcr.io`, `https://ghcr.io/v1/`, ... */
export function configKeyMatches(key: string, host: string): boolean {
  const normalized = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  const wanted = host.toLowerCase();
  if (DOCKER_HUB_ALIASES.includes(wanted)) return DOCKER_HUB_ALIASES.includes(normalized);
  return normalized === wanted;
}

/** `user:pass` from a base64 `auth` field; undefined when it is not that. */
export function decodeAuthField(auth: string): RegistryCredentials | undefined {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// ---------------------------------------------------------------------------------------------
// Registry lookups
// ---------------------------------------------------------------------------------------------

/**
 * The digest `ref` resolves to in its registry, or undefined when the registry says it is not
 * there (404). HEAD first, anonymously; a 401 is answered once (Basic credentials, or a Bearer
 * token from the challenge's realm). 5xx, 429 and network errors are retried with back-off; what
 * remains throws an error naming the registry and the status, never a credential.
 */
export async function lookupDigest(
  ref: string,
  opts: LookupOptions = {},
): Promise<string | undefined> {
  const image = parseImageRef(ref);
  const client = new RegistryClient(image, opts);
  const manifestUrl = `${registryBaseUrl(image.registry)}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;

  let response = await client.send('HEAD', manifestUrl, undefined);
  if (response.status === 401) {
    // Authenticate as the challenge says, then try once more.
    await client.authenticate(response);
    response = await client.send('HEAD', manifestUrl, client.authorization);
  }
  switch (response.status) {
    case 200: {
      const digest = response.headers.get('docker-content-digest')?.trim();
      if (digest && /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/.test(digest)) return digest;
      // Some registries leave the header out of HEAD answers: hash the manifest bytes instead.
      return client.digestOfManifestBody(manifestUrl);
    }
    case 404:
      return undefined;
    default:
      throw client.statusError(response.status, `HEAD ${image.repository}:${image.tag}`);
  }
}

class TransientStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

class RegistryClient {
  /** Set once a 401 challenge has been answered. */
  authorization?: string;
  private sentCredentials = false;
  private loadedCredentials?: Promise<RegistryCredentials | undefined>;

  constructor(
    private readonly image: ImageRef,
    private readonly opts: LookupOptions,
  ) {}

  /** One request, retried on 5xx / 429 / network errors. Any other status is returned. */
  async send(
    method: 'GET' | 'HEAD',
    url: string,
    authorization: string | undefined,
  ): Promise<Response> {
    const what = `${method} ${new URL(url).pathname}`;
    try {
      return await withRetry(
        async () => {
          const response = await fetchFollowingRedirects(method, url, {
            accept: MANIFEST_MEDIA_TYPES.join(', '),
            ...(authorization ? { authorization } : {}),
          });
          if (response.status >= 500 || response.status === 429) {
            await response.body?.cancel();
            throw new TransientStatus(response.status);
          }
          return response;
        },
        {
          attempts: this.opts.retries ?? 3,
          delayMs: exponentialBackoff(this.opts.retryDelayMs ?? 500),
          shouldRetry: () => true, // only transient failures are thrown above
          onRetry: (error, attempt, delay) =>
            core.info(
              `Registry ${this.image.registry}: ${what} failed (${describeFailure(error)}); retry ${attempt} in ${delay} ms`,
            ),
        },
      );
    } catch (error) {
      throw this.failure(error, what);
    }
  }

  /** Answers a 401 by obtaining an Authorization header from its challenge. */
  async authenticate(unauthorized: Response): Promise<void> {
    await unauthorized.body?.cancel();
    const challenges = parseWwwAuthenticate(unauthorized.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credentials = await this.credentials();
    this.sentCredentials = credentials !== undefined;
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer, credentials)}`;
    } else if (basic) {
      if (!credentials) {
        throw new Error(
          `Registry ${this.image.registry} needs credentials to read ${this.image.repository}, and none were given or found in the Docker config`,
        );
      }
      this.authorization = basicAuthorization(credentials);
    } else {
      throw new Error(
        `Registry ${this.image.registry} answered HTTP 401 without a usable WWW-Authenticate challenge`,
      );
    }
  }

  private credentials(): Promise<RegistryCredentials | undefined> {
    // Read lazily: public images need no credentials, and a credential helper is a process.
    this.loadedCredentials ??= this.opts.credentials
      ? Promise.resolve(this.opts.credentials)
      : credentialsFromDockerConfig(this.image.registry, this.opts.dockerConfigDir);
    return this.loadedCredentials;
  }

  private async fetchToken(
    challenge: AuthChallenge,
    credentials?: RegistryCredentials,
  ): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm) {
      throw new Error(`Registry ${this.image.registry} sent a Bearer challenge without a realm`);
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new Error(`Registry ${this.image.registry} sent an invalid token realm`);
    }
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
    url.searchParams.set(
      'scope',
      challenge.params['scope'] || `repository:${this.image.repository}:pull`,
    );
    if (credentials && url.protocol !== 'https:' && !isLoopbackHost(url.host)) {
      throw new Error(`Refusing to send registry credentials over plain HTTP to ${url.host}`);
    }

    const response = await this.send(
      'GET',
      url.toString(),
      credentials ? basicAuthorization(credentials) : undefined,
    );
    if (response.status !== 200) {
      await response.body?.cancel();
      const why =
        response.status === 401 || response.status === 403
          ? credentials
            ? ': the credentials were refused'
            : ': credentials are needed'
          : '';
      throw new Error(
        `Registry ${this.image.registry}: token request to ${url.host} failed with HTTP ${response.status}${why}`,
      );
    }
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new Error(
        `Registry ${this.image.registry}: the token endpoint ${url.host} did not answer JSON`,
      );
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) {
      throw new Error(
        `Registry ${this.image.registry}: the token endpoint ${url.host} returned no token`,
      );
    }
    return token;
  }

  async digestOfManifestBody(manifestUrl: string): Promise<string | undefined> {
    const response = await this.send('GET', manifestUrl, this.authorization);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw this.statusError(response.status, `GET ${this.image.repository}:${this.image.tag}`);
    }
    const body = Buffer.from(await response.arrayBuffer());
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  statusError(status: number, what: string): Error {
    const hint =
      status === 401
        ? this.sentCredentials
          ? ' (the credentials were refused or lack pull access, or the repository does not exist yet)'
          : ' (no credentials were given or found in the Docker config, or the repository does not exist yet)'
        : status === 403
          ? ' (access denied: check the credentials and their permissions)'
          : '';
    return new Error(`Registry ${this.image.registry} answered HTTP ${status} for ${what}${hint}`);
  }

  private failure(error: unknown, what: string): Error {
    const attempts = this.opts.retries ?? 3;
    if (error instanceof TransientStatus) {
      return new Error(
        `Registry ${this.image.registry} answered HTTP ${error.status} for ${what} (${attempts} attempts)`,
      );
    }
    return new Error(
      `Could not reach registry ${this.image.registry} for ${what}: ${describeFailure(error)} (${attempts} attempts)`,
    );
  }
}

/** fetch, but redirects are followed by hand so Authorization never leaves the original origin. */
async function fetchFollowingRedirects(
  method: 'GET' | 'HEAD',
  url: string,
  headers: Record<string, string>,
): Promise<Response> {
  let current = new URL(url);
  const currentHeaders = new Headers({ 'user-agent': USER_AGENT, ...headers });
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, {
      method,
      headers: currentHeaders,
      redirect: 'manual',
      dispatcher: dispatcher(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || !location || hop >= MAX_REDIRECTS) {
      return response;
    }
    await response.body?.cancel();
    const next = new URL(location, current);
    // Blob stores (S3, GCS) get signed URLs; our credentials are not for them.
    if (next.origin !== current.origin) currentHeaders.delete('authorization');
    current = next;
  }
}

/** A short reason for a failed request, never including headers or bodies. */
function describeFailure(error: unknown): string {
  if (error instanceof TransientStatus) return `HTTP ${error.status}`;
  const err = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (err?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

// ---------------------------------------------------------------------------------------------
// Docker config credentials
// ---------------------------------------------------------------------------------------------

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * Credentials `docker login` stored for `host`: a credential helper (credHelpers[host], then
 * credsStore), else the base64 `auth` in `auths`. Anything missing or unreadable → undefined.
 */
export async function credentialsFromDockerConfig(
  host: string,
  dockerConfigDir?: string,
): Promise<RegistryCredentials | undefined> {
  const dir = dockerConfigDir || process.env['DOCKER_CONFIG'] || path.join(os.homedir(), '.docker');
  let config: DockerConfig;
  try {
    config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  if (!config || typeof config !== 'object') return undefined;

  const helperKey = Object.keys(config.credHelpers ?? {}).find((key) =>
    configKeyMatches(key, host),
  );
  const helper = (helperKey && config.credHelpers?.[helperKey]) || config.credsStore;
  if (helper) {
    const fromHelper = await credentialsFromHelper(helper, host);
    if (fromHelper) return fromHelper;
  }

  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!configKeyMatches(key, host) || !entry) continue;
    const credentials = entry.auth
      ? decodeAuthField(entry.auth)
      : entry.username && entry.password
        ? { username: entry.username, password: entry.password }
        : undefined;
    if (credentials) return credentials;
  }
  return undefined;
}

/** Runs `docker-credential-<helper> get` (the docker-credential-helpers protocol). */
async function credentialsFromHelper(
  helper: string,
  host: string,
): Promise<RegistryCredentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) return undefined; // a name, not a path or command line
  const serverUrl = DOCKER_HUB_ALIASES.includes(host.toLowerCase()) ? DOCKER_HUB_SERVER_URL : host;
  try {
    const result = await exec.getExecOutput(`docker-credential-${helper}`, ['get'], {
      input: Buffer.from(serverUrl),
      silent: true,
      ignoreReturnCode: true,
    });
    if (result.exitCode !== 0) {
      core.debug(`docker-credential-${helper} has no credentials for ${host}`);
      return undefined;
    }
    const parsed = JSON.parse(result.stdout) as { Username?: unknown; Secret?: unknown };
    // "<token>" marks an identity (refresh) token, which needs an OAuth exchange we don't do.
    if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') return undefined;
    if (!parsed.Username || parsed.Username === '<token>' || !parsed.Secret) return undefined;
    return { username: parsed.Username, password: parsed.Secret };
  } catch {
    core.debug(`docker-credential-${helper} could not be run or answered something unexpected`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Local Docker
// ---------------------------------------------------------------------------------------------

/**
 * The image id (`sha256:…`) of `ref` in the local Docker, or undefined when Docker has no such
 * image. Other failures (no daemon, no docker CLI) throw: "absent" must not hide "unknown".
 */
export async function lookupLocalImage(ref: string): Promise<string | undefined> {
  if (!ref.trim() || ref.startsWith('-')) throw new Error(`Invalid image reference "${ref}"`);
  let result: exec.ExecOutput;
  try {
    result = await exec.getExecOutput('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], {
      silent: true,
      ignoreReturnCode: true,
    });
  } catch (error) {
    throw new Error(`Could not run docker image inspect: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (result.exitCode === 0) {
    const id = result.stdout.trim().split('\n')[0]?.trim();
    return id || undefined;
  }
  if (/no such (image|object)/i.test(result.stderr)) return undefined;
  const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
  throw new Error(`docker image inspect ${ref} failed: ${reason}`);
}

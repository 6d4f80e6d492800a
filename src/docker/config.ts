/**
 * The Docker CLI's config (`config.json` in DOCKER_CONFIG or ~/.docker): which credentials
 * `docker login` and credential helpers hold for a registry.
 */
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DOCKER_HUB_ALIASES } from '../core/image-ref.js';
import type { RegistryCredentials } from '../core/inputs/types.js';
import { ActionError } from '../errors.js';
import { dockerConfigDir as defaultConfigDir } from '../runner.js';

/** The key `docker login` uses for Docker Hub in config.json and credential helpers. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

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

export interface DockerConfig {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * What `docker login` stores: a user and password, or an identity token (an OAuth2 refresh token,
 * e.g. from `az acr login`), which docker/cli keeps as `identitytoken` in config.json
 * (cli/config/types/authconfig.go) or as the Secret of user `<token>` in a credential helper
 * (cli/config/credentials/native_store.go).
 */
export type StoredCredentials = RegistryCredentials | { identityToken: string };

/**
 * Credentials `docker login` stored for `host`: a credential helper (credHelpers[host], then
 * credsStore), else `identitytoken` or the base64 `auth` in `auths`. Missing or unreadable → undefined.
 */
export async function credentialsFromDockerConfig(
  host: string,
  configDir = defaultConfigDir(),
): Promise<StoredCredentials | undefined> {
  const config = await readDockerConfig(configDir);
  if (!config) return undefined;

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
    if (entry.identitytoken) return { identityToken: entry.identitytoken };
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
): Promise<StoredCredentials | undefined> {
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
    if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') return undefined;
    if (!parsed.Username || !parsed.Secret) return undefined;
    // "<token>" marks an identity (refresh) token, exchanged at the registry's token endpoint.
    if (parsed.Username === '<token>') return { identityToken: parsed.Secret };
    return { username: parsed.Username, password: parsed.Secret };
  } catch {
    core.debug(`docker-credential-${helper} could not be run or answered something unexpected`);
    return undefined;
  }
}

/**
 * Whether Docker (and so Earthly, which reads the same config) holds credentials for `host`, the
 * way docker/cli decides (cli/config/configfile/file.go GetCredentialsStore): a helper named in
 * `credHelpers` for the host, else `credsStore`, is the only store asked; without either, an
 * `auths` entry with `auth`, `username` and `password`, or `identitytoken`.
 */
export async function dockerHoldsCredentials(
  host: string,
  configDir = defaultConfigDir(),
): Promise<boolean> {
  const config = await readDockerConfig(configDir);
  if (!config) return false;
  const helperKey = Object.keys(config.credHelpers ?? {}).find((key) =>
    configKeyMatches(key, host),
  );
  const helper = (helperKey && config.credHelpers?.[helperKey]) || config.credsStore;
  if (helper) return (await credentialsFromHelper(helper, host)) !== undefined;
  return Object.entries(config.auths ?? {}).some(
    ([key, entry]) =>
      configKeyMatches(key, host) &&
      Boolean(
        entry?.identitytoken ||
        (entry?.auth ? decodeAuthField(entry.auth) : entry?.username && entry.password),
      ),
  );
}

/**
 * The push preflight without `registry-username`: Earthly pushes with Docker's stored credentials,
 * and without them fails only at the end of the build (`no basic auth credentials`).
 */
export async function requireStoredCredentials(
  host: string,
  configDir = defaultConfigDir(),
): Promise<void> {
  core.info(`No registry-username given: looking for Docker's stored credentials for ${host}`);
  if (!(await dockerHoldsCredentials(host, configDir))) {
    throw new ActionError(
      `push: Docker holds no credentials for ${host} (${dockerConfigFile(configDir)}), so the push ` +
        'would fail after the whole build: set registry-username and registry-password, or log in ' +
        'with docker/login-action in a step before this one',
    );
  }
  core.info(`Found them: Earthly pushes with Docker's stored credentials for ${host}`);
}

/** config.json in `configDir`; undefined when it is missing or not a JSON object. */
export async function readDockerConfig(
  configDir = defaultConfigDir(),
): Promise<DockerConfig | undefined> {
  try {
    const config = JSON.parse(await fs.readFile(dockerConfigFile(configDir), 'utf8')) as unknown;
    return config !== null && typeof config === 'object' ? config : undefined;
  } catch {
    return undefined;
  }
}

export function dockerConfigFile(configDir = defaultConfigDir()): string {
  return path.join(configDir, 'config.json');
}

/**
 * One image's conversation with its registry over the Registry HTTP API v2: retries on 5xx, 429
 * and network errors, and a 401 answered once from its challenge (Basic, or a Bearer token).
 */
import * as core from '@actions/core';
import type { Response } from 'undici';
import { type ImageRef, isLoopbackHost } from '../core/image-ref.js';
import type { RegistryCredentials } from '../core/inputs/types.js';
import { type StoredCredentials, credentialsFromDockerConfig } from '../docker/config.js';
import { exponentialBackoff, withRetry } from '../lib/retry.js';
import {
  type AuthChallenge,
  basicAuthorization,
  parseWwwAuthenticate,
  refreshTokenForm,
  tokenFromAnswer,
} from './auth.js';
import {
  TransientStatus,
  describeFailure,
  fetchFollowingRedirects,
  registryBaseUrl,
} from './http.js';

export interface LookupOptions {
  /** Used when the registry asks for them; otherwise the Docker config is consulted. */
  credentials?: RegistryCredentials;
  /** CA certificates to trust besides the system's (proxy-ca-certs). */
  ca?: readonly string[];
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

export class RegistryClient {
  /** Set once a 401 challenge has been answered. */
  private authorization?: string;
  private sentCredentials = false;
  private loadedCredentials?: Promise<StoredCredentials | undefined>;

  constructor(
    private readonly image: ImageRef,
    private readonly opts: LookupOptions,
  ) {}

  /** One request, retried on 5xx / 429 / network errors. Any other status is returned. */
  private async send(
    method: 'GET' | 'HEAD' | 'POST',
    url: string,
    authorization: string | undefined,
    form?: URLSearchParams,
  ): Promise<Response> {
    const what = `${method} ${new URL(url).pathname}`;
    try {
      return await withRetry(
        async () => {
          const headers = {
            accept: form ? 'application/json' : MANIFEST_MEDIA_TYPES.join(', '),
            ...(authorization ? { authorization } : {}),
          };
          const response = await fetchFollowingRedirects(method, url, headers, {
            ca: this.opts.ca,
            form,
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
  private async authenticate(unauthorized: Response): Promise<void> {
    await unauthorized.body?.cancel();
    const challenges = parseWwwAuthenticate(unauthorized.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credentials = await this.credentials();
    this.sentCredentials = credentials !== undefined;
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer, credentials)}`;
    } else if (basic) {
      // An identity token is only ever exchanged at a token endpoint (a Bearer challenge).
      if (!credentials || 'identityToken' in credentials) {
        throw new Error(
          `Registry ${this.image.registry} needs credentials (a user and password) to read ${this.image.repository}, and none were given or found in the Docker config`,
        );
      }
      this.authorization = basicAuthorization(credentials);
    } else {
      throw new Error(
        `Registry ${this.image.registry} answered HTTP 401 without a usable WWW-Authenticate challenge`,
      );
    }
  }

  private credentials(): Promise<StoredCredentials | undefined> {
    // Read lazily: public images need no credentials, and a credential helper is a process.
    this.loadedCredentials ??= this.opts.credentials
      ? Promise.resolve(this.opts.credentials)
      : credentialsFromDockerConfig(this.image.registry, this.opts.dockerConfigDir);
    return this.loadedCredentials;
  }

  private async fetchToken(
    challenge: AuthChallenge,
    credentials?: StoredCredentials,
  ): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm) {
      throw new Error(`Registry ${this.image.registry} sent a Bearer challenge without a realm`);
    }
    const url = URL.canParse(realm) ? new URL(realm) : undefined;
    if (!url) throw new Error(`Registry ${this.image.registry} sent an invalid token realm`);
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
    url.searchParams.set(
      'scope',
      challenge.params['scope'] || `repository:${this.image.repository}:pull`,
    );
    if (credentials && url.protocol !== 'https:' && !isLoopbackHost(url.host)) {
      throw new Error(`Refusing to send registry credentials over plain HTTP to ${url.host}`);
    }

    const refresh = credentials && 'identityToken' in credentials;
    const response = refresh
      ? await this.send('POST', realm, undefined, refreshTokenForm(url, credentials.identityToken))
      : await this.send('GET', url.toString(), credentials && basicAuthorization(credentials));
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
    return tokenFromAnswer(
      response,
      `Registry ${this.image.registry}: the token endpoint ${url.host}`,
    );
  }

  /**
   * The answer to `method` on `path` under the repository (`manifests/<tag>`, `blobs/<digest>`):
   * anonymous first, and a 401 answered once from its challenge.
   */
  async request(method: 'GET' | 'HEAD', path: string): Promise<Response> {
    const url = `${registryBaseUrl(this.image.registry)}/v2/${this.image.repository}/${path}`;
    let response = await this.send(method, url, this.authorization);
    if (response.status === 401 && !this.authorization) {
      await this.authenticate(response);
      response = await this.send(method, url, this.authorization);
    }
    return response;
  }

  /** The bytes at `path`, or undefined when the registry says it is not there (404). */
  async read(path: string, what: string): Promise<Buffer | undefined> {
    const response = await this.request('GET', path);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw this.statusError(response.status, `GET ${what}`);
    }
    return Buffer.from(await response.arrayBuffer());
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

/**
 * HTTP to a registry: Docker's choice of scheme, the runner's proxy settings, and redirects that
 * never carry credentials to another origin.
 */
import { Agent, EnvHttpProxyAgent, Headers, type Response, fetch } from 'undici';
import { DOCKER_HUB_ALIASES, isLoopbackHost } from '../core/image-ref.js';

// Self-hosted runners often reach registries only through HTTP(S)_PROXY (minus NO_PROXY), which
// Node's built-in fetch ignores; undici's fetch with this agent honours them as Docker does.
let proxyAgent: EnvHttpProxyAgent | undefined;
let directAgent: Agent | undefined;
/**
 * Loopback never goes through a proxy, whatever NO_PROXY says, as in Docker (Go's
 * golang.org/x/net/http/httpproxy `useProxy`: localhost and loopback IPs are never proxied). A
 * loopback registry speaks plain HTTP, so a proxy would see its Basic credentials in clear text.
 */
function dispatcher(url: URL): Agent | EnvHttpProxyAgent {
  if (isLoopbackHost(url.host)) return (directAgent ??= new Agent());
  return (proxyAgent ??= new EnvHttpProxyAgent());
}

export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'canvos-provider-images-action';

/** Docker talks plain HTTP to loopback registries (they are implicitly insecure), HTTPS elsewhere. */
export function registryBaseUrl(host: string): string {
  if (DOCKER_HUB_ALIASES.includes(host.toLowerCase())) return 'https://registry-1.docker.io';
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${host}`;
}

export class TransientStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** fetch, but redirects are followed by hand so Authorization never leaves the original origin. */
export async function fetchFollowingRedirects(
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
      dispatcher: dispatcher(current),
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
export function describeFailure(error: unknown): string {
  if (error instanceof TransientStatus) return `HTTP ${error.status}`;
  const err = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (err?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

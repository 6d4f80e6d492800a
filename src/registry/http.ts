/**
 * HTTP to a registry: Docker's choice of scheme, the runner's proxy settings, and redirects that
 * never carry credentials to another origin.
 */
import * as tls from 'node:tls';
import { Agent, EnvHttpProxyAgent, Headers, type Response, fetch } from 'undici';
import { DOCKER_HUB_ALIASES, isLoopbackHost } from '../core/image-ref.js';

// Self-hosted runners often reach registries only through HTTP(S)_PROXY (minus NO_PROXY), which
// Node's built-in fetch ignores; undici's fetch with this agent honours them as Docker does.
const agents = new Map<string, Agent | EnvHttpProxyAgent>();
/**
 * Loopback never goes through a proxy, whatever NO_PROXY says, as in Docker (Go's
 * golang.org/x/net/http/httpproxy `useProxy`: localhost and loopback IPs are never proxied). A
 * loopback registry speaks plain HTTP, so a proxy would see its Basic credentials in clear text.
 * Every other host goes through HTTP(S)_PROXY (minus NO_PROXY), trusting what Docker trusts.
 */
function dispatcher(url: URL, extraCa: readonly string[]): Agent | EnvHttpProxyAgent {
  const direct = isLoopbackHost(url.host);
  const key = `${direct ? 'direct' : 'proxy'}\n${extraCa.join('\n')}`;
  let agent = agents.get(key);
  if (!agent) {
    const connect = { ca: trustedCas(extraCa) };
    agent = direct ? new Agent({ connect }) : quietly(() => new EnvHttpProxyAgent({ connect }));
    agents.set(key, agent);
  }
  return agent;
}

/**
 * What Docker trusts: the bundled roots with NODE_EXTRA_CA_CERTS ('default'), the system store
 * (a TLS-inspecting proxy's CA is usually installed there), and the workflow's proxy-ca-certs.
 */
function trustedCas(extraCa: readonly string[]): string[] {
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  const stores = get ? [...get('default'), ...get('system')] : [...tls.rootCertificates];
  return [...new Set([...stores, ...extraCa])];
}

/** undici warns that EnvHttpProxyAgent is experimental: that is for us, not the user's log. */
function quietly<T>(make: () => T): T {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = () => undefined;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
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
  method: 'GET' | 'HEAD' | 'POST',
  url: string,
  headers: Record<string, string>,
  options: { ca?: readonly string[]; form?: URLSearchParams } = {},
): Promise<Response> {
  let current = new URL(url);
  const currentHeaders = new Headers({ 'user-agent': USER_AGENT, ...headers });
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, {
      method,
      headers: currentHeaders,
      body: options.form,
      redirect: 'manual',
      dispatcher: dispatcher(current, options.ca ?? []),
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

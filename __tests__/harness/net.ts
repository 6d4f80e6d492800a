// Loopback networking helpers: every harness server listens on 127.0.0.1 with an ephemeral port.
import { createServer, type Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';

export const LOOPBACK = '127.0.0.1';

/** A proxy nobody listens on: what it carries fails at once and never leaves the machine. */
export const BLACKHOLE_PROXY = 'http://127.0.0.1:9';
/** The proxy variables that send everything but loopback into it, both cases. */
export const BLACKHOLE_PROXY_ENV = {
  HTTP_PROXY: BLACKHOLE_PROXY,
  HTTPS_PROXY: BLACKHOLE_PROXY,
  http_proxy: BLACKHOLE_PROXY,
  https_proxy: BLACKHOLE_PROXY,
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
} as const;

/**
 * A port that was free a moment ago. Only for servers we cannot hand port 0 to (docker-registry);
 * our own servers listen on port 0 directly, which has no race.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Listens on 127.0.0.1 (port 0 = ephemeral) and resolves the bound port. */
export function listen(server: Server | HttpServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

/** Closes an HTTP server, dropping keep-alive connections so close() does not hang. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The username/password of a Basic Authorization header, if it is one. */
export function parseBasicAuth(
  header: string | undefined,
): { username: string; password: string } | undefined {
  const match = /^basic\s+(\S+)/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { username: decoded, password: '' };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A one-shot fault rule shared by the fake servers: fail the next `count` matching requests. */
export interface FaultRule {
  count: number;
  status: number;
  match?: RegExp;
  method?: string;
}

/** Finds a rule matching this request and consumes one use of it. */
export function takeFault(rules: FaultRule[], method: string, path: string): FaultRule | undefined {
  const rule = rules.find(
    (r) =>
      r.count > 0 &&
      (r.method === undefined || r.method.toUpperCase() === method.toUpperCase()) &&
      (r.match === undefined || r.match.test(path)),
  );
  if (!rule) return undefined;
  rule.count -= 1;
  if (rule.count === 0) rules.splice(rules.indexOf(rule), 1);
  return rule;
}

/** What every harness server records about a request. */
export interface RequestRecord {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** Query string without `?`. */
  query: string;
  /** Response status (0 while the response is still pending). */
  status: number;
  authorization: boolean;
  /** Username of a Basic Authorization header. */
  username?: string;
  /** True when the response came from failNext() rather than the server. */
  injected: boolean;
}

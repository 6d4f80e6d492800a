import { type Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../harness/net.js';
import { fetchFollowingRedirects } from '../../../src/registry/http.js';

// Docker's rule (golang.org/x/net/http/httpproxy, useProxy): HTTP(S)_PROXY for every host that
// NO_PROXY does not name, except localhost and loopback IPs, which are never proxied.
describe('fetchFollowingRedirects and the runner’s proxy', () => {
  const seen: string[] = [];
  let proxy: Server;
  let registry: Server;
  let proxyPort: number;
  let registryPort: number;
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };

  beforeAll(async () => {
    // Answers itself. undici tunnels even plain HTTP through CONNECT, so the proxy reads every
    // byte of the request, a Basic Authorization header included.
    proxy = createServer((_req, res) => res.end());
    proxy.on('connect', (req, socket) => {
      seen.push(`proxy CONNECT ${req.url}`);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.once('data', (data: Buffer) => {
        if (/^authorization:/im.test(data.toString())) seen.push('proxy read Authorization');
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nvia proxy');
      });
    });
    registry = createServer((req, res) => {
      seen.push(`direct ${req.url} ${req.headers.authorization ?? ''}`.trim());
      res.end('direct');
    });
    proxyPort = await listen(proxy);
    registryPort = await listen(registry);
    process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`;
    process.env.NO_PROXY = '';
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await closeServer(proxy);
    await closeServer(registry);
  });

  it('sends a registry elsewhere through HTTP_PROXY', async () => {
    const response = await fetchFollowingRedirects('GET', 'http://registry.example.test/v2/', {});
    expect(await response.text()).toBe('via proxy');
    expect(seen).toContain('proxy CONNECT registry.example.test:80');
  });

  it.each(['127.0.0.1', 'localhost'])(
    'never proxies loopback (%s), even with NO_PROXY empty: its credentials stay local',
    async (host) => {
      const response = await fetchFollowingRedirects('GET', `http://${host}:${registryPort}/v2/`, {
        authorization: 'Basic dXNlcjpwYXNz',
      });
      expect(await response.text()).toBe('direct');
      expect(seen.at(-1)).toBe('direct /v2/ Basic dXNlcjpwYXNz');
      expect(seen).not.toContain('proxy read Authorization');
    },
  );
});

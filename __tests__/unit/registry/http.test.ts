import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TransientStatus,
  describeFailure,
  fetchFollowingRedirects,
  registryBaseUrl,
} from '../../../src/registry/http.js';
import { closeServer, listen } from '../../harness/net.js';

describe('registryBaseUrl', () => {
  it.each([
    ['ghcr.io', 'https://ghcr.io'],
    ['registry.example.com:8443', 'https://registry.example.com:8443'],
    ['docker.io', 'https://registry-1.docker.io'],
    ['localhost:5000', 'http://localhost:5000'],
    ['localhost', 'http://localhost'],
    ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['127.1.2.3', 'http://127.1.2.3'],
    ['[::1]:5000', 'http://[::1]:5000'],
    ['localhost.example.com', 'https://localhost.example.com'],
    ['128.0.0.1:5000', 'https://128.0.0.1:5000'],
  ])('registryBaseUrl(%s) = %s', (host, url) => {
    expect(registryBaseUrl(host)).toBe(url);
  });
});

describe('describeFailure', () => {
  it.each([
    [new TransientStatus(503), 'HTTP 503'],
    [Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'no answer within 30s'],
    [new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'ECONNREFUSED'],
    [new TypeError('fetch failed', { cause: new Error('other side closed') }), 'other side closed'],
    [new Error('plain'), 'plain'],
    ['a string', 'a string'],
  ])('%s → %s', (error, reason) => {
    expect(describeFailure(error)).toBe(reason);
  });
});

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

// A registry behind a TLS-inspecting proxy presents a certificate from the proxy's CA: lookups must
// trust the workflow's proxy-ca-certs, as the build does.
describe('fetchFollowingRedirects over TLS', () => {
  let server: https.Server;
  let dir: string;
  let ca: string;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=inspecting proxy CA',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = https.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: ca },
      (_req, res) => res.writeHead(200).end('ok'),
    );
    port = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the proxy CA certificates it is given', async () => {
    const response = await fetchFollowingRedirects(
      'GET',
      `https://127.0.0.1:${port}/v2/`,
      {},
      { ca: [ca] },
    );
    expect(response.status).toBe(200);
  });

  it('refuses a certificate no trusted CA signed', async () => {
    await expect(
      fetchFollowingRedirects('GET', `https://127.0.0.1:${port}/v2/`, {}),
    ).rejects.toThrow();
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFollowingRedirects } from '../../../src/registry/http.js';
import { closeServer, listen } from '../../harness/net.js';

// A registry behind a TLS-inspecting proxy presents a certificate from the proxy's CA: lookups must
// trust the workflow's proxy-ca-certs, as the build does.
let server: https.Server;
let ca: string;
let port = 0;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-tls-'));
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
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, (_req, res) =>
    res.writeHead(200).end('ok'),
  );
  port = await listen(server);
});
afterAll(async () => {
  await closeServer(server);
});

describe('fetchFollowingRedirects over TLS', () => {
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

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ImageRef, parseImageRef } from '../../../src/core/image-ref.js';
import { lookupLocalImage } from '../../../src/docker/cli.js';
import { configKeyMatches, credentialsFromDockerConfig } from '../../../src/docker/config.js';
import { parseWwwAuthenticate } from '../../../src/registry/auth.js';
import { registryBaseUrl } from '../../../src/registry/http.js';
import { MANIFEST_MEDIA_TYPES, lookupDigest } from '../../../src/registry/lookup.js';
import { closeServer, listen } from '../../harness/net.js';

const USER = 'robot';
const PASSWORD = 'pa55-w0rd-secret';
const TOKEN = 'tok-secret-123';
const REFRESH = 'refresh-secret-456';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  accept?: string;
}

/** A registry look-alike with switchable auth, failures and header quirks. */
class FakeRegistry {
  auth: 'none' | 'basic' | 'bearer' = 'none';
  tokenField: 'token' | 'access_token' = 'token';
  /** Answer HEAD without Docker-Content-Digest. */
  omitDigestHeader = false;
  /** Redirect manifest GETs to this origin (a "blob store"). */
  redirectGetsTo?: string;
  readonly manifests = new Map<string, Buffer>();
  readonly failures: number[] = [];
  readonly seen: Seen[] = [];
  /** Forms POSTed to the token endpoint. */
  readonly forms: Record<string, string>[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  async start(): Promise<void> {
    this.port = await listen(this.server);
  }
  async stop(): Promise<void> {
    await closeServer(this.server);
  }
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }
  reset(): void {
    this.auth = 'none';
    this.tokenField = 'token';
    this.omitDigestHeader = false;
    this.redirectGetsTo = undefined;
    this.manifests.clear();
    this.failures.length = 0;
    this.seen.length = 0;
    this.forms.length = 0;
  }
  push(repository: string, tag: string, manifest: object): string {
    const body = Buffer.from(JSON.stringify(manifest));
    this.manifests.set(`${repository}:${tag}`, body);
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.seen.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
    });
    if (url.pathname === '/token' && req.method === 'POST') {
      // distribution/distribution docs/spec/auth/oauth.md: a refresh token is POSTed as a form
      // with grant_type=refresh_token; the answer carries access_token.
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.forms.push(Object.fromEntries(new URLSearchParams(body)));
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== REFRESH) {
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: TOKEN, expires_in: 300 }));
      });
      return;
    }
    if (url.pathname === '/token') {
      if (req.headers.authorization && req.headers.authorization !== basic(USER, PASSWORD)) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ [this.tokenField]: TOKEN, expires_in: 300 }));
      return;
    }
    const failure = this.failures.shift();
    if (failure) {
      res.writeHead(failure).end();
      return;
    }
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    if (!this.authorized(req.headers.authorization)) {
      const challenge =
        this.auth === 'basic'
          ? 'Basic realm="fake registry"'
          : `Bearer realm="http://${this.host}/token",service="fake-registry",scope="repository:${match[1]}:pull"`;
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const body = this.manifests.get(`${match[1]}:${decodeURIComponent(match[2])}`);
    if (!body) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return;
    }
    if (req.method === 'GET' && this.redirectGetsTo) {
      res.writeHead(307, { location: `${this.redirectGetsTo}${url.pathname}` }).end();
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': MANIFEST_MEDIA_TYPES[2],
      'content-length': body.length,
    };
    if (!this.omitDigestHeader) {
      headers['docker-content-digest'] =
        `sha256:${createHash('sha256').update(body).digest('hex')}`;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private authorized(header?: string): boolean {
    if (this.auth === 'none') return true;
    if (this.auth === 'basic') return header === basic(USER, PASSWORD);
    return header === `Bearer ${TOKEN}`;
  }
}

const registry = new FakeRegistry();
let sandbox: string;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(() => registry.start());
afterAll(() => registry.stop());
beforeEach(() => {
  registry.reset();
  savedEnv = { ...process.env };
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-test-'));
  // No stray ~/.docker/config.json from the machine running the tests.
  process.env.DOCKER_CONFIG = path.join(sandbox, 'no-docker-config');
});
afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(sandbox, { recursive: true, force: true });
});

const fast = { retryDelayMs: 1 };
const manifest = { schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPES[2], layers: [] };

function writeDockerConfig(config: object): string {
  const dir = path.join(sandbox, 'docker-config');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** Puts an executable shell script named `name` first on PATH. */
function fakeCommand(name: string, script: string): void {
  const bin = path.join(sandbox, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseImageRef', () => {
  it.each<[string, ImageRef]>([
    [
      'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.38',
      { registry: 'ghcr.io', repository: 'acme/ubuntu', tag: 'k3s-1.32.3-v4.9.38' },
    ],
    [
      'ttl.sh/ubuntu:k3s-1.32.3-v4.9.38-demo',
      { registry: 'ttl.sh', repository: 'ubuntu', tag: 'k3s-1.32.3-v4.9.38-demo' },
    ],
    [
      'localhost:5000/ubuntu:latest',
      { registry: 'localhost:5000', repository: 'ubuntu', tag: 'latest' },
    ],
    ['localhost/ubuntu:1', { registry: 'localhost', repository: 'ubuntu', tag: '1' }],
    [
      '127.0.0.1:5000/a/b/c:T_1.x',
      { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 'T_1.x' },
    ],
    ['[::1]:5000/edge/ubuntu:v1', { registry: '[::1]:5000', repository: 'edge/ubuntu', tag: 'v1' }],
    [
      'us-docker.pkg.dev/palette-images/third-party/edge/ubuntu:k3s-1.30.5-v4.5.11',
      {
        registry: 'us-docker.pkg.dev',
        repository: 'palette-images/third-party/edge/ubuntu',
        tag: 'k3s-1.30.5-v4.5.11',
      },
    ],
    ['docker.io/acme/ubuntu:1', { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' }],
    [
      'index.docker.io/acme/ubuntu:1',
      { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' },
    ],
    ['acme/ubuntu:1', { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' }],
    ['ubuntu:22.04', { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04' }],
    [
      'Registry.Example.COM/a__b/c-d.e:1',
      { registry: 'registry.example.com', repository: 'a__b/c-d.e', tag: '1' },
    ],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it.each([
    ['ghcr.io/acme/ubuntu', /no tag/],
    ['localhost:5000/ubuntu', /no tag/],
    ['ghcr.io/acme/ubuntu:', /invalid tag/],
    ['ghcr.io/acme/ubuntu:+k3s1', /invalid tag/],
    [`ghcr.io/acme/ubuntu:${'a'.repeat(129)}`, /invalid tag/],
    ['ghcr.io/Acme/ubuntu:1', /invalid repository/],
    ['ghcr.io/acme//ubuntu:1', /invalid repository/],
    ['ghcr.io/:1', /invalid repository/],
    ['bad_host.example/acme/ubuntu:1', /invalid registry host/],
    ['ghcr.io/acme/ubuntu@sha256:abc', /digest/],
    ['https://ghcr.io/acme/ubuntu:1', /host\[:port\]\/path:tag/],
    ['', /empty/],
  ])('rejects %j', (ref, message) => {
    expect(() => parseImageRef(ref)).toThrow(message);
  });
});

describe('helpers', () => {
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

  it('parses WWW-Authenticate challenges', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/ubuntu:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://ghcr.io/token',
          service: 'ghcr.io',
          scope: 'repository:acme/ubuntu:pull,push',
        },
      },
    ]);
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(
      parseWwwAuthenticate('Basic realm="a \\"quoted\\" b", Bearer realm=https://x/t, service=x'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" b' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 'x' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });

  it.each([
    ['ghcr.io', 'ghcr.io', true],
    ['https://ghcr.io', 'ghcr.io', true],
    ['https://ghcr.io/v1/', 'ghcr.io', true],
    ['GHCR.IO', 'ghcr.io', true],
    ['ghcr.io.evil', 'ghcr.io', false],
    ['localhost:5000', 'localhost:5000', true],
    ['localhost:5001', 'localhost:5000', false],
    ['https://index.docker.io/v1/', 'docker.io', true],
    ['docker.io', 'docker.io', true],
    ['https://index.docker.io/v1/', 'ghcr.io', false],
  ])('configKeyMatches(%s, %s) = %s', (key, host, expected) => {
    expect(configKeyMatches(key, host)).toBe(expected);
  });
});

describe('lookupDigest', () => {
  it('returns Docker-Content-Digest from an anonymous HEAD, asking for every manifest type', async () => {
    const digest = registry.push('acme/ubuntu', 'k3s-1.32.3-v4.9.38', manifest);
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:k3s-1.32.3-v4.9.38`, fast),
    ).resolves.toBe(digest);
    expect(registry.seen).toHaveLength(1);
    expect(registry.seen[0].method).toBe('HEAD');
    expect(registry.seen[0].url).toBe('/v2/acme/ubuntu/manifests/k3s-1.32.3-v4.9.38');
    for (const type of MANIFEST_MEDIA_TYPES) expect(registry.seen[0].accept).toContain(type);
  });

  it('returns undefined for a tag the registry does not have', async () => {
    registry.push('acme/ubuntu', 'a', manifest);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:b`, fast)).resolves.toBeUndefined();
  });

  it('answers a Basic challenge with the given credentials', async () => {
    registry.auth = 'basic';
    const digest = registry.push('acme/ubuntu', 't', manifest);
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, {
        ...fast,
        credentials: { username: USER, password: PASSWORD },
      }),
    ).resolves.toBe(digest);
    expect(registry.seen.map((s) => s.authorization)).toEqual([undefined, basic(USER, PASSWORD)]);
  });

  it('reports refused Basic credentials without showing them', async () => {
    registry.auth = 'basic';
    registry.push('acme/ubuntu', 't', manifest);
    const error = await rejection(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, {
        ...fast,
        credentials: { username: USER, password: 'wrong-pw' },
      }),
    );
    expect(error.message).toMatch(/Registry 127\.0\.0\.1:\d+ answered HTTP 401/);
    expect(error.message).not.toContain('wrong-pw');
    expect(error.message).not.toContain(Buffer.from(`${USER}:wrong-pw`).toString('base64'));
  });

  it('says when a Basic challenge finds no credentials', async () => {
    registry.auth = 'basic';
    registry.push('acme/ubuntu', 't', manifest);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).rejects.toThrow(
      /needs credentials/,
    );
  });

  it('follows a Bearer challenge to the token endpoint with Basic credentials', async () => {
    registry.auth = 'bearer';
    const digest = registry.push('acme/ubuntu', 't', manifest);
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, {
        ...fast,
        credentials: { username: USER, password: PASSWORD },
      }),
    ).resolves.toBe(digest);
    expect(registry.seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ['HEAD', '/v2/acme/ubuntu/manifests/t', undefined],
      [
        'GET',
        '/token?service=fake-registry&scope=repository%3Aacme%2Fubuntu%3Apull',
        basic(USER, PASSWORD),
      ],
      ['HEAD', '/v2/acme/ubuntu/manifests/t', `Bearer ${TOKEN}`],
    ]);
  });

  it('gets an anonymous Bearer token (access_token) when there are no credentials', async () => {
    registry.auth = 'bearer';
    registry.tokenField = 'access_token';
    const digest = registry.push('acme/ubuntu', 't', manifest);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).resolves.toBe(digest);
    expect(registry.seen[1].authorization).toBeUndefined();
  });

  it('reports a refused token request without showing the password', async () => {
    registry.auth = 'bearer';
    registry.push('acme/ubuntu', 't', manifest);
    const error = await rejection(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, {
        ...fast,
        credentials: { username: USER, password: 'nope-pw' },
      }),
    );
    expect(error.message).toMatch(
      /token request to 127\.0\.0\.1:\d+ failed with HTTP 401: the credentials were refused/,
    );
    expect(error.message).not.toContain('nope-pw');
  });

  it('retries 503 twice, then returns the digest', async () => {
    const digest = registry.push('acme/ubuntu', 't', manifest);
    registry.failures.push(503, 503);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).resolves.toBe(digest);
    expect(registry.seen).toHaveLength(3);
  });

  it('gives up on a persistent 500 with a clear error', async () => {
    registry.push('acme/ubuntu', 't', manifest);
    registry.failures.push(500, 500, 500, 500);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).rejects.toThrow(
      new RegExp(
        `^Registry ${registry.host} answered HTTP 500 for HEAD /v2/acme/ubuntu/manifests/t \\(3 attempts\\)$`,
      ),
    );
    expect(registry.seen).toHaveLength(3);
    expect(registry.failures).toEqual([500]);
  });

  it('honours retries', async () => {
    registry.failures.push(502, 502, 502, 502, 502);
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, { ...fast, retries: 5 }),
    ).rejects.toThrow(/HTTP 502 .*\(5 attempts\)/);
    expect(registry.seen).toHaveLength(5);
  });

  it('names the registry when it cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(lookupDigest(`127.0.0.1:${port}/acme/ubuntu:t`, fast)).rejects.toThrow(
      new RegExp(
        `^Could not reach registry 127.0.0.1:${port} for HEAD .*: ECONNREFUSED \\(3 attempts\\)$`,
      ),
    );
  });

  it('hashes the manifest when HEAD has no Docker-Content-Digest', async () => {
    registry.omitDigestHeader = true;
    const digest = registry.push('acme/ubuntu', 't', manifest);
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).resolves.toBe(digest);
    expect(registry.seen.map((s) => s.method)).toEqual(['HEAD', 'GET']);
  });

  it('does not carry the Authorization header across a redirect to another origin', async () => {
    const blobs = new FakeRegistry();
    await blobs.start();
    try {
      registry.auth = 'basic';
      registry.omitDigestHeader = true;
      registry.redirectGetsTo = `http://${blobs.host}`;
      registry.push('acme/ubuntu', 't', manifest);
      const body = Buffer.from(JSON.stringify({ ...manifest, servedBy: 'blob store' }));
      blobs.manifests.set('acme/ubuntu:t', body); // same path, other origin
      const digest = await lookupDigest(`${registry.host}/acme/ubuntu:t`, {
        ...fast,
        credentials: { username: USER, password: PASSWORD },
      });
      expect(digest).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
      expect(blobs.seen).toHaveLength(1);
      expect(blobs.seen[0].authorization).toBeUndefined();
    } finally {
      await blobs.stop();
    }
  });

  it('takes credentials from the Docker config when none are given', async () => {
    registry.auth = 'bearer';
    const digest = registry.push('acme/ubuntu', 't', manifest);
    const dir = writeDockerConfig({
      auths: {
        [`https://${registry.host}`]: {
          auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
        },
      },
    });
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:t`, { ...fast, dockerConfigDir: dir }),
    ).resolves.toBe(digest);
    expect(registry.seen[1].authorization).toBe(basic(USER, PASSWORD));

    registry.seen.length = 0;
    process.env.DOCKER_CONFIG = dir;
    await expect(lookupDigest(`${registry.host}/acme/ubuntu:t`, fast)).resolves.toBe(digest);
    expect(registry.seen[1].authorization).toBe(basic(USER, PASSWORD));
  });
});

describe('identity tokens (az acr login)', () => {
  // docker/cli stores an identity token as auths[host].identitytoken (cli/config/types/authconfig.go),
  // or as the Secret of user "<token>" in a credential helper (cli/config/credentials/native_store.go).
  it('reads identitytoken from config.json and trades it as a refresh token for a bearer', async () => {
    registry.auth = 'bearer';
    const digest = registry.push('acme/ubuntu', 'acr', manifest);
    const dir = writeDockerConfig({
      auths: { [registry.host]: { auth: '', identitytoken: REFRESH } },
    });
    await expect(
      lookupDigest(`${registry.host}/acme/ubuntu:acr`, { ...fast, dockerConfigDir: dir }),
    ).resolves.toBe(digest);
    expect(registry.seen.map((s) => [s.method, s.url.split('?')[0], s.authorization])).toEqual([
      ['HEAD', '/v2/acme/ubuntu/manifests/acr', undefined],
      ['POST', '/token', undefined],
      ['HEAD', '/v2/acme/ubuntu/manifests/acr', `Bearer ${TOKEN}`],
    ]);
    expect(registry.forms).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: REFRESH,
        client_id: 'canvos-provider-images-action',
        service: 'fake-registry',
        scope: 'repository:acme/ubuntu:pull',
      },
    ]);
  });

  it('takes a credential helper’s "<token>" answer as an identity token', async () => {
    fakeCommand(
      'docker-credential-acr',
      `[ "$1" = get ] || exit 3\nread -r server\necho '{"ServerURL":"x","Username":"<token>","Secret":"${REFRESH}"}'`,
    );
    const dir = writeDockerConfig({ credHelpers: { 'acme.azurecr.io': 'acr' } });
    await expect(credentialsFromDockerConfig('acme.azurecr.io', dir)).resolves.toEqual({
      identityToken: REFRESH,
    });
  });
});

describe('credentialsFromDockerConfig', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('reads auths under the bare host or a URL key', async () => {
    const dir = writeDockerConfig({
      auths: {
        'ghcr.io': { auth: b64('octo:ghp_x:with:colons') },
        'https://registry.example.com/v1/': { auth: b64('u:p') },
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'quay.io': { username: 'qu', password: 'qp' },
        'empty.example': {},
      },
    });
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toEqual({
      username: 'octo',
      password: 'ghp_x:with:colons',
    });
    await expect(credentialsFromDockerConfig('registry.example.com', dir)).resolves.toEqual({
      username: 'u',
      password: 'p',
    });
    await expect(credentialsFromDockerConfig('docker.io', dir)).resolves.toEqual({
      username: 'hubuser',
      password: 'hubpass',
    });
    await expect(credentialsFromDockerConfig('quay.io', dir)).resolves.toEqual({
      username: 'qu',
      password: 'qp',
    });
    await expect(credentialsFromDockerConfig('empty.example', dir)).resolves.toBeUndefined();
    await expect(credentialsFromDockerConfig('other.example', dir)).resolves.toBeUndefined();
  });

  it('is undefined without a config, or with a broken one', async () => {
    await expect(
      credentialsFromDockerConfig('ghcr.io', path.join(sandbox, 'absent')),
    ).resolves.toBeUndefined();
    const dir = path.join(sandbox, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{not json');
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toBeUndefined();
  });

  it('asks a credential helper, passing the host on stdin', async () => {
    const stdinLog = path.join(sandbox, 'helper-stdin');
    fakeCommand(
      'docker-credential-fake',
      `[ "$1" = get ] || exit 3\nread -r server\nprintf '%s' "$server" > '${stdinLog}'\n` +
        `[ "$server" = ghcr.io ] || { echo "credentials not found in native keychain"; exit 1; }\n` +
        `echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret"}'`,
    );
    const dir = writeDockerConfig({
      credHelpers: { 'ghcr.io': 'fake' },
      auths: { 'other.example': { auth: b64('a:b') } },
    });
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toEqual({
      username: 'helper-user',
      password: 'helper-secret',
    });
    expect(fs.readFileSync(stdinLog, 'utf8')).toBe('ghcr.io');
    // No helper configured for this host: the auths entry.
    await expect(credentialsFromDockerConfig('other.example', dir)).resolves.toEqual({
      username: 'a',
      password: 'b',
    });
  });

  it('uses credsStore, and falls back to auths when the helper has nothing', async () => {
    fakeCommand(
      'docker-credential-store',
      `read -r server\n[ "$server" = "https://index.docker.io/v1/" ] || exit 1\n` +
        `echo '{"Username":"hub","Secret":"hubsecret"}'`,
    );
    const dir = writeDockerConfig({
      credsStore: 'store',
      auths: { 'ghcr.io': { auth: b64('g:h') } },
    });
    await expect(credentialsFromDockerConfig('docker.io', dir)).resolves.toEqual({
      username: 'hub',
      password: 'hubsecret',
    });
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toEqual({
      username: 'g',
      password: 'h',
    });
  });

  it('ignores a helper that is not installed or is not a plain name', async () => {
    const dir = writeDockerConfig({ credHelpers: { 'ghcr.io': 'not-installed-anywhere' } });
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toBeUndefined();
    const sneaky = writeDockerConfig({ credHelpers: { 'ghcr.io': '../../bin/sh' } });
    await expect(credentialsFromDockerConfig('ghcr.io', sneaky)).resolves.toBeUndefined();
  });
});

describe('lookupLocalImage', () => {
  const id = `sha256:${'ab'.repeat(32)}`;

  it('returns the id docker image inspect prints', async () => {
    fakeCommand(
      'docker',
      `[ "$1 $2 $3 $4 $5" = "image inspect --format {{.Id}} ttl.sh/ubuntu:k3s-1.32.3-v4.9.38" ] || exit 9\necho ${id}`,
    );
    await expect(lookupLocalImage('ttl.sh/ubuntu:k3s-1.32.3-v4.9.38')).resolves.toBe(id);
  });

  it('returns undefined when Docker has no such image', async () => {
    fakeCommand('docker', `echo "Error response from daemon: No such image: $5" >&2\nexit 1`);
    await expect(lookupLocalImage('ttl.sh/ubuntu:nope')).resolves.toBeUndefined();
  });

  it('throws when Docker itself fails', async () => {
    fakeCommand(
      'docker',
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1',
    );
    await expect(lookupLocalImage('ttl.sh/ubuntu:x')).rejects.toThrow(
      /Cannot connect to the Docker daemon/,
    );
  });
});

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installEarthly } from '../../../src/earthly/install.js';
import {
  assetName,
  checksumUrl,
  describeDownloadFailure,
  downloadUrl,
  normalizeEarthlyVersion,
  parseChecksumAsc,
  redactUrl,
  reportsVersion,
  toolCacheArch,
} from '../../../src/earthly/release.js';
import { withFileLock } from '../../../src/lib/file-lock.js';
import { closeServer, listen } from '../../harness/net.js';

// tool-cache sleeps 10-20 s between download retries unless told otherwise.
const globals = globalThis as Record<string, unknown>;
globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;

const AUTH = 'token ghp_notARealTokenButSecret';

function fakeBinary(command: string, version: string): Buffer {
  return Buffer.from(
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${command} version ${version} test linux/amd64"; fi\n`,
  );
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function clearSigned(body: string[]): string {
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    ...body,
    '-----BEGIN PGP SIGNATURE-----',
    '',
    'iQIzBAEBCgAdFiEEabcdefabcdefabcdefabcdefabcdefabcdefUFAmZ',
    '=AbCd',
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n');
}

interface Recorded {
  method: string;
  url: string;
  authorization?: string;
}

/**
 * A GitHub-releases look-alike: /releases/download/<tag>/<asset> answers 302 with an absolute
 * URL to /objects/<tag>/<asset>, which serves the bytes. Failures can be queued per path.
 */
class ReleaseServer {
  readonly files = new Map<string, Buffer>();
  readonly requests: Recorded[] = [];
  /** Status codes to answer (once each, in order) before serving a path normally. */
  readonly failures = new Map<string, number[]>();
  /** Paths whose body is cut off half way. */
  readonly truncate = new Set<string>();
  private server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  async start(): Promise<void> {
    this.port = await listen(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get template(): string {
    return `${this.base}/releases/download/{version}/{asset}`;
  }

  reset(): void {
    this.files.clear();
    this.requests.length = 0;
    this.failures.clear();
    this.truncate.clear();
  }

  publish(tag: string, asset: string, body: Buffer | string): void {
    this.files.set(`/objects/${tag}/${asset}`, Buffer.from(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
    const queued = this.failures.get(url);
    if (queued?.length) {
      res.writeHead(queued.shift() as number).end('failure');
      return;
    }
    const release = /^\/releases\/download\/([^/]+)\/([^/]+)$/.exec(url);
    if (release) {
      const target = `/objects/${release[1]}/${release[2]}`;
      if (!this.files.has(target)) {
        res.writeHead(404).end('Not Found');
        return;
      }
      res.writeHead(302, { location: `${this.base}${target}` }).end();
      return;
    }
    const body = this.files.get(url);
    if (!body) {
      res.writeHead(404).end('Not Found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
    });
    if (this.truncate.has(url)) {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => res.destroy(), 10);
      return;
    }
    res.end(body);
  }
}

const server = new ReleaseServer();
let sandbox: string;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(() => server.start());
afterAll(() => server.stop());

beforeEach(() => {
  server.reset();
  savedEnv = { ...process.env };
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'earthly-install-test-'));
  process.env.RUNNER_TOOL_CACHE = path.join(sandbox, 'toolcache');
  process.env.RUNNER_TEMP = path.join(sandbox, 'temp');
  fs.mkdirSync(process.env.RUNNER_TOOL_CACHE);
  fs.mkdirSync(process.env.RUNNER_TEMP);
  delete process.env.GITHUB_PATH; // core.addPath then only edits process.env.PATH
});

afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(sandbox, { recursive: true, force: true });
});

function publishEarthly(version = 'v0.8.15', asset = 'earthly-linux-amd64', command = 'earthly') {
  const binary = fakeBinary(command, version);
  server.publish(version, asset, binary);
  server.publish(version, 'checksum.asc', clearSigned([`${sha256(binary)}  ${asset}`]));
  return binary;
}

const binaryPath = (version = 'v0.8.15', asset = 'earthly-linux-amd64') =>
  `/releases/download/${version}/${asset}`;
const ascPath = (version = 'v0.8.15') => `/releases/download/${version}/checksum.asc`;

function tempLeftovers(): string[] {
  return fs.readdirSync(process.env.RUNNER_TEMP as string);
}

describe('pure helpers', () => {
  it('names assets and URLs', () => {
    expect(assetName('earthly', 'amd64')).toBe('earthly-linux-amd64');
    expect(assetName('earthbuild', 'arm64')).toBe('earth-linux-arm64');
    expect(downloadUrl('https://x/{version}/{asset}', 'v0.8.15', 'earthly-linux-amd64')).toBe(
      'https://x/v0.8.15/earthly-linux-amd64',
    );
    expect(checksumUrl('https://x/dl/{version}/{asset}', 'v0.8.17')).toBe(
      'https://x/dl/v0.8.17/checksum.asc',
    );
    expect(() => downloadUrl('https://x/{version}/earthly', 'v1.0.0', 'a')).toThrow(/\{asset\}/);
    expect(toolCacheArch('amd64')).toBe('x64');
    expect(toolCacheArch('arm64')).toBe('arm64');
  });

  it('normalises versions', () => {
    expect(normalizeEarthlyVersion('v0.8.15')).toBe('v0.8.15');
    expect(normalizeEarthlyVersion('0.8.15')).toBe('v0.8.15');
    expect(() => normalizeEarthlyVersion('latest')).toThrow(/v0\.8\.15/);
  });

  it.each([
    ['earthly version v0.8.15 abc linux/amd64; Ubuntu', 'v0.8.15', true],
    ['earth version v0.8.17 abc', 'v0.8.17', true],
    ['earthly version 0.8.15', 'v0.8.15', true],
    ['earthly version v0.8.150 abc', 'v0.8.15', false],
    ['earthly version v0.8.15-rc.1 abc', 'v0.8.15', false],
    ['earthly version v10.8.15', 'v0.8.15', false],
    ['earthly version v0.8.1', 'v0.8.15', false],
    // EarthBuild v0.8.18 ships promoted staging builds: VERSION is `vX.Y.Z-<8-hex short sha>`
    // (EarthBuild/earthbuild .github/workflows/ci-staging-deploy.yml, "Compute next version"),
    // printed as "<name> version <VERSION> <GitSha> <platform>" (cmd/earthly/app/create.go).
    ['earth version v0.8.18-1a2b3c4d 1a2b3c4d5e6f linux/amd64; Ubuntu 24.04', 'v0.8.18', true],
    ['earth version v0.8.18-1a2b3c4 abc', 'v0.8.18', false],
    ['earth version v0.8.18-1a2b3c4d5 abc', 'v0.8.18', false],
    ['earth version v0.8.18-rc-3 abc', 'v0.8.18', false],
  ])('reportsVersion(%j, %s) = %s', (output, version, expected) => {
    expect(reportsVersion(output, version)).toBe(expected);
  });

  it('redacts URLs and download errors', () => {
    expect(redactUrl('https://user:pw@mirror.example/a/b?sig=secret')).toBe(
      'https://***@mirror.example/a/b?***',
    );
    const httpError = new tc.HTTPError(404);
    expect(describeDownloadFailure(httpError, 'https://h/x')).toMatch(
      /^Earthly download failed: HTTP 404 for https:\/\/h\/x/,
    );
    const leaky = new Error(`boom ${AUTH}`);
    expect(describeDownloadFailure(leaky, 'https://h/x', AUTH)).not.toContain(AUTH);
  });
});

describe('parseChecksumAsc', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const C = 'C'.repeat(64);
  it.each<[string, string, string, string | undefined]>([
    [
      'clear-signed',
      clearSigned([`${b}  earthly-darwin-amd64`, `${a}  earthly-linux-amd64`]),
      'earthly-linux-amd64',
      a,
    ],
    ['binary mode "*name"', clearSigned([`${a} *earthly-linux-arm64`]), 'earthly-linux-arm64', a],
    [
      'upper-case hex',
      clearSigned([`${C}  earth-linux-amd64`]),
      'earth-linux-amd64',
      'c'.repeat(64),
    ],
    ['dash-escaped line', clearSigned([`- ${a}  earthly-linux-amd64`]), 'earthly-linux-amd64', a],
    [
      'CRLF line ends',
      clearSigned([`${a}  earthly-linux-amd64`]).replace(/\n/g, '\r\n'),
      'earthly-linux-amd64',
      a,
    ],
    ['directory prefix', clearSigned([`${a}  dist/earthly-linux-amd64`]), 'earthly-linux-amd64', a],
    ['no such asset', clearSigned([`${a}  earthly-linux-amd64`]), 'earthly-linux-arm64', undefined],
    [
      'name is only a prefix',
      clearSigned([`${a}  earthly-linux-amd64.exe`]),
      'earthly-linux-amd64',
      undefined,
    ],
    [
      'short hash',
      clearSigned([`${'a'.repeat(63)}  earthly-linux-amd64`]),
      'earthly-linux-amd64',
      undefined,
    ],
    ['plain sha256sum output', `${b}  x\n${a}  earthly-linux-amd64\n`, 'earthly-linux-amd64', a],
    ['empty', '', 'earthly-linux-amd64', undefined],
    [
      'line inside the signature block is ignored',
      clearSigned([`${b}  other`]).replace('=AbCd', `${a}  earthly-linux-amd64\n=AbCd`),
      'earthly-linux-amd64',
      undefined,
    ],
    [
      'armor header lines are not body',
      clearSigned([`${b}  other`]).replace(
        'Hash: SHA512',
        `Hash: SHA512\n${a}  earthly-linux-amd64`,
      ),
      'earthly-linux-amd64',
      undefined,
    ],
  ])('%s', (_name, text, asset, expected) => {
    expect(parseChecksumAsc(text, asset)).toBe(expected);
  });

  it('rejects two different hashes for one asset', () => {
    expect(() =>
      parseChecksumAsc(
        clearSigned([`${a}  earthly-linux-amd64`, `${b}  earthly-linux-amd64`]),
        'earthly-linux-amd64',
      ),
    ).toThrow(/twice/);
  });
});

describe('installEarthly', () => {
  it('verifies against checksum.asc, caches, and hits the cache the second time', async () => {
    const binary = publishEarthly();
    const request = {
      version: 'v0.8.15',
      distribution: 'earthly' as const,
      arch: 'amd64' as const,
      downloadUrlTemplate: server.template,
      auth: AUTH,
    };

    const first = await installEarthly(request);
    expect(first.cacheHit).toBe(false);
    expect(first.command).toBe('earthly');
    expect(first.version).toBe('v0.8.15');
    expect(first.sha256).toBe(sha256(binary));
    expect(first.dir).toBe(
      path.join(process.env.RUNNER_TOOL_CACHE as string, 'earthly', '0.8.15', 'x64'),
    );
    expect(first.binary).toBe(path.join(first.dir, 'earthly'));
    expect(fs.readFileSync(first.binary)).toEqual(binary);
    expect(fs.statSync(first.binary).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(first.dir, '.sha256'), 'utf8')).toBe(
      `${sha256(binary)}  earthly\n`,
    );
    expect(process.env.PATH?.split(path.delimiter)[0]).toBe(first.dir);
    expect(server.requests.map((r) => r.url)).toEqual([
      ascPath(),
      '/objects/v0.8.15/checksum.asc',
      binaryPath(),
      '/objects/v0.8.15/earthly-linux-amd64',
    ]);
    // The token goes to the download host (the redirect stays on it here).
    expect(server.requests[0].authorization).toBe(AUTH);
    expect(tempLeftovers()).toEqual([]);

    const before = server.requests.length;
    const second = await installEarthly(request);
    expect(second.cacheHit).toBe(true);
    expect(second.dir).toBe(first.dir);
    expect(second.sha256).toBe(first.sha256);
    expect(server.requests.length).toBe(before);
  });

  it('rejects a checksum mismatch and caches nothing', async () => {
    publishEarthly();
    server.publish(
      'v0.8.15',
      'checksum.asc',
      clearSigned([`${'0'.repeat(64)}  earthly-linux-amd64`]),
    );
    const installing = installEarthly({
      version: 'v0.8.15',
      distribution: 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
    });
    await expect(installing).rejects.toThrow(
      /earthly-sha256 mismatch.*expected 0{64}.*got [0-9a-f]{64}/,
    );
    expect(tc.find('earthly', '0.8.15', 'x64')).toBe('');
    expect(fs.existsSync(path.join(process.env.RUNNER_TOOL_CACHE as string, 'earthly'))).toBe(
      false,
    );
    expect(tempLeftovers()).toEqual([]);
  });

  it('uses an explicit sha256 without fetching checksum.asc', async () => {
    const binary = publishEarthly();
    const result = await installEarthly({
      version: 'v0.8.15',
      distribution: 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
      sha256: sha256(binary).toUpperCase(),
    });
    expect(result.sha256).toBe(sha256(binary));
    expect(server.requests.some((r) => r.url.endsWith('checksum.asc'))).toBe(false);
  });

  it('says which asset has no line in checksum.asc', async () => {
    publishEarthly();
    server.publish(
      'v0.8.15',
      'checksum.asc',
      clearSigned([`${'a'.repeat(64)}  earthly-linux-arm64`]),
    );
    await expect(
      installEarthly({
        version: 'v0.8.15',
        distribution: 'earthly',
        arch: 'amd64',
        downloadUrlTemplate: server.template,
      }),
    ).rejects.toThrow(
      new RegExp(
        `checksum.asc at ${server.base}/releases/download/v0.8.15/checksum.asc has no sha256 line for earthly-linux-amd64`,
      ),
    );
  });

  it('installs EarthBuild as earth with an earthly alias', async () => {
    publishEarthly('v0.8.17', 'earth-linux-amd64', 'earth');
    const result = await installEarthly({
      version: 'v0.8.17',
      distribution: 'earthbuild',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
    });
    expect(result.command).toBe('earth');
    expect(result.binary).toBe(path.join(result.dir, 'earth'));
    expect(result.dir).toContain(path.join('earth', '0.8.17', 'x64'));
    const alias = path.join(result.dir, 'earthly');
    expect(fs.realpathSync(alias)).toBe(fs.realpathSync(result.binary));
    fs.accessSync(alias, fs.constants.X_OK);

    const again = await installEarthly({
      version: 'v0.8.17',
      distribution: 'earthbuild',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
    });
    expect(again.cacheHit).toBe(true);
  });

  it('recovers from a 500 (tool-cache retries)', async () => {
    publishEarthly();
    server.failures.set(binaryPath(), [500]);
    const result = await installEarthly({
      version: 'v0.8.15',
      distribution: 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
    });
    expect(result.cacheHit).toBe(false);
    expect(server.requests.filter((r) => r.url === binaryPath()).length).toBe(2);
  });

  it('explains a 404 without printing the token', async () => {
    const installing = installEarthly({
      version: 'v0.8.99',
      distribution: 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
      auth: AUTH,
    });
    const error = await installing.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^Earthly download failed: HTTP 404 for ${server.base}/releases/download/v0.8.99/checksum.asc`,
      ),
    );
    expect(error?.message).not.toContain('ghp_');
  });

  it('explains a refused connection, naming the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      installEarthly({
        version: 'v0.8.15',
        distribution: 'earthly',
        arch: 'amd64',
        downloadUrlTemplate: `http://127.0.0.1:${port}/{version}/{asset}`,
        sha256: 'a'.repeat(64),
      }),
    ).rejects.toThrow(
      new RegExp(
        `^Earthly download failed: connection refused \\(.*ECONNREFUSED.*\\) for http://127.0.0.1:${port}/v0.8.15/earthly-linux-amd64$`,
      ),
    );
  });

  it('retries a truncated download and reports it when it keeps happening', async () => {
    publishEarthly();
    server.truncate.add('/objects/v0.8.15/earthly-linux-amd64');
    await expect(
      installEarthly({
        version: 'v0.8.15',
        distribution: 'earthly',
        arch: 'amd64',
        downloadUrlTemplate: server.template,
      }),
    ).rejects.toThrow(
      /^Earthly download failed: the connection broke off .* for http:\/\/127\.0\.0\.1:\d+\/releases\/download\/v0\.8\.15\/earthly-linux-amd64$/,
    );
    expect(server.requests.filter((r) => r.url === binaryPath()).length).toBe(3);
    expect(tc.find('earthly', '0.8.15', 'x64')).toBe('');
  });

  it('fails clearly when the binary reports another version', async () => {
    const binary = fakeBinary('earthly', 'v0.8.14');
    server.publish('v0.8.15', 'earthly-linux-amd64', binary);
    await expect(
      installEarthly({
        version: 'v0.8.15',
        distribution: 'earthly',
        arch: 'amd64',
        downloadUrlTemplate: server.template,
        sha256: sha256(binary),
      }),
    ).rejects.toThrow(/to be v0\.8\.15, but --version printed: earthly version v0\.8\.14/);
  });

  it('re-installs over a cached directory that lost its sha256 record', async () => {
    publishEarthly();
    const request = {
      version: 'v0.8.15',
      distribution: 'earthly' as const,
      arch: 'amd64' as const,
      downloadUrlTemplate: server.template,
    };
    const first = await installEarthly(request);
    fs.rmSync(path.join(first.dir, '.sha256'));
    const second = await installEarthly(request);
    expect(second.cacheHit).toBe(false);
    expect(fs.existsSync(path.join(second.dir, '.sha256'))).toBe(true);
  });

  it('lets two parallel installs of one version share one intact cached binary', async () => {
    const binary = publishEarthly();
    const request = {
      version: 'v0.8.15',
      distribution: 'earthly' as const,
      arch: 'amd64' as const,
      downloadUrlTemplate: server.template,
    };
    const [a, b] = await Promise.all([installEarthly(request), installEarthly(request)]);
    expect(a.dir).toBe(b.dir);
    expect(fs.readFileSync(a.binary)).toEqual(binary);
    expect(fs.readdirSync(a.dir).sort()).toEqual(['.sha256', '.stat', 'earthly']);
    const versionDir = path.dirname(a.dir);
    expect(fs.readdirSync(versionDir).sort()).toEqual(['x64', 'x64.complete']); // lock released
    expect(tempLeftovers()).toEqual([]);
  });

  it('breaks a stale lock left by a dead job', async () => {
    publishEarthly();
    const lock = path.join(
      process.env.RUNNER_TOOL_CACHE as string,
      'earthly',
      '0.8.15',
      'x64.lock',
    );
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, 'dead job\n');
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(lock, old, old);
    const result = await installEarthly({
      version: 'v0.8.15',
      distribution: 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: server.template,
    });
    expect(result.cacheHit).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('withFileLock', () => {
  it('runs holders one at a time and releases on failure', async () => {
    const lock = path.join(sandbox, 'locks', 'x.lock');
    let inside = 0;
    let maxInside = 0;
    const hold = () =>
      withFileLock(
        lock,
        async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 20));
          inside--;
        },
        { pollMs: 5 },
      );
    await Promise.all([hold(), hold(), hold()]);
    expect(maxInside).toBe(1);
    await expect(
      withFileLock(lock, () => Promise.reject(new Error('inner')), { pollMs: 5 }),
    ).rejects.toThrow('inner');
    expect(fs.existsSync(lock)).toBe(false);
  });
});

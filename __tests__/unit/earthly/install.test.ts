// installEarthly against the harness's release server: GitHub-style 302s to the bytes, a
// clear-signed checksum.asc, and its faults (5xx, truncated bodies, other bytes for an asset).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import { beforeEach, describe, expect, it } from 'vitest';
import { type EarthlyInstallRequest, installEarthly } from '../../../src/earthly/install.js';
import { reportsVersion } from '../../../src/earthly/release.js';
import { freePort } from '../../harness/net.js';
import { clearSigned } from '../../harness/release-server.js';
import { useReleaseServer } from '../../harness/suite.js';
import { rejection, toolCacheEnv, useSandbox } from '../support.js';

// tool-cache sleeps 10-20 s between download retries unless told otherwise.
const globals = globalThis as Record<string, unknown>;
globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;

const AUTH = 'token ghp_notARealTokenButSecret';

const releases = useReleaseServer();
useSandbox('earthly-install-test-', toolCacheEnv);

beforeEach(() => {
  releases.reset();
  releases.clearRequests();
});

/** Earthly v0.8.15 for amd64 from the release server, overridden by `extra`. */
const request = (extra: Partial<EarthlyInstallRequest> = {}): EarthlyInstallRequest => ({
  version: 'v0.8.15',
  distribution: 'earthly',
  arch: 'amd64',
  downloadUrlTemplate: releases.downloadUrlTemplate,
  ...extra,
});
const toolCache = () => process.env.RUNNER_TOOL_CACHE as string;
const tempLeftovers = () => fs.readdirSync(process.env.RUNNER_TEMP as string);
const binaryDownloads = () => releases.downloads().filter((r) => r.kind === 'release-download');

describe('installEarthly', () => {
  it('verifies against checksum.asc, caches, and hits the cache the second time', async () => {
    const binary = releases.assetBytes('earthly', 'v0.8.15', 'amd64');
    const sha256 = releases.assetSha256('earthly', 'v0.8.15', 'amd64');

    const first = await installEarthly(request({ auth: AUTH }));
    expect(first.cacheHit).toBe(false);
    expect(first.command).toBe('earthly');
    expect(first.version).toBe('v0.8.15');
    expect(first.sha256).toBe(sha256);
    expect(first.dir).toBe(path.join(toolCache(), 'earthly', '0.8.15', 'x64'));
    expect(first.binary).toBe(path.join(first.dir, 'earthly'));
    expect(fs.readFileSync(first.binary)).toEqual(binary);
    expect(fs.statSync(first.binary).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(first.dir, '.sha256'), 'utf8')).toBe(`${sha256}  earthly\n`);
    expect(process.env.PATH?.split(path.delimiter)[0]).toBe(first.dir);
    expect(releases.requests.map((r) => `${r.kind} ${r.asset}`)).toEqual([
      'release-download checksum.asc',
      'object checksum.asc',
      'release-download earthly-linux-amd64',
      'object earthly-linux-amd64',
    ]);
    // The token goes to the download host (the redirect stays on it here).
    expect(releases.requests[0].authorization).toBe(AUTH);
    expect(tempLeftovers()).toEqual([]);

    const before = releases.requests.length;
    const second = await installEarthly(request({ auth: AUTH }));
    expect(second.cacheHit).toBe(true);
    expect(second.dir).toBe(first.dir);
    expect(second.sha256).toBe(first.sha256);
    expect(releases.requests.length).toBe(before);
  });

  it('rejects a checksum mismatch and caches nothing', async () => {
    const wrong = '0'.repeat(64);
    releases.serveAsset(
      'earthly',
      'v0.8.15',
      'checksum.asc',
      clearSigned([`${wrong}  earthly-linux-amd64`]),
    );
    await expect(installEarthly(request())).rejects.toThrow(
      new RegExp(
        `earthly-sha256 mismatch.*expected ${wrong}.*got ${releases.assetSha256('earthly', 'v0.8.15', 'amd64')}`,
      ),
    );
    expect(tc.find('earthly', '0.8.15', 'x64')).toBe('');
    expect(fs.existsSync(path.join(toolCache(), 'earthly'))).toBe(false);
    expect(tempLeftovers()).toEqual([]);
  });

  it('uses an explicit sha256 without fetching checksum.asc', async () => {
    const sha256 = releases.assetSha256('earthly', 'v0.8.15', 'amd64');
    const result = await installEarthly(request({ sha256: sha256.toUpperCase() }));
    expect(result.sha256).toBe(sha256);
    expect(releases.checksumFetches()).toEqual([]);
  });

  it('says which asset has no line in checksum.asc', async () => {
    releases.serveAsset(
      'earthly',
      'v0.8.15',
      'checksum.asc',
      clearSigned([`${'a'.repeat(64)}  earthly-linux-arm64`]),
    );
    await expect(installEarthly(request())).rejects.toThrow(
      `checksum.asc at ${releases.baseUrl}/earthly/earthly/releases/download/v0.8.15/checksum.asc has no sha256 line for earthly-linux-amd64`,
    );
  });

  it('installs EarthBuild as earth with an earthly alias', async () => {
    const earthbuild = request({
      version: 'v0.8.17',
      distribution: 'earthbuild',
      downloadUrlTemplate: releases.earthbuildDownloadUrlTemplate,
    });
    const result = await installEarthly(earthbuild);
    expect(result.command).toBe('earth');
    expect(result.binary).toBe(path.join(result.dir, 'earth'));
    expect(result.dir).toContain(path.join('earth', '0.8.17', 'x64'));
    const alias = path.join(result.dir, 'earthly');
    expect(fs.realpathSync(alias)).toBe(fs.realpathSync(result.binary));
    fs.accessSync(alias, fs.constants.X_OK);

    const again = await installEarthly(earthbuild);
    expect(again.cacheHit).toBe(true);
  });

  it('recovers from a 500 (tool-cache retries)', async () => {
    releases.failNext({ count: 1, status: 500, match: /earthly-linux-amd64$/ });
    const result = await installEarthly(request());
    expect(result.cacheHit).toBe(false);
    expect(binaryDownloads().map((r) => r.status)).toEqual([500, 302]);
  });

  it('explains a 404 without printing the token', async () => {
    const error = await rejection(installEarthly(request({ version: 'v0.8.99', auth: AUTH })));
    expect(error.message).toMatch(
      new RegExp(
        `^Earthly download failed: HTTP 404 for ${releases.baseUrl}/earthly/earthly/releases/download/v0.8.99/checksum.asc`,
      ),
    );
    expect(error.message).not.toContain('ghp_');
  });

  it('explains a refused connection, naming the URL', async () => {
    const port = await freePort();
    await expect(
      installEarthly(
        request({
          downloadUrlTemplate: `http://127.0.0.1:${port}/{version}/{asset}`,
          sha256: 'a'.repeat(64),
        }),
      ),
    ).rejects.toThrow(
      new RegExp(
        `^Earthly download failed: connection refused \\(.*ECONNREFUSED.*\\) for http://127.0.0.1:${port}/v0.8.15/earthly-linux-amd64$`,
      ),
    );
  });

  it('retries a truncated download and reports it when it keeps happening', async () => {
    // Exactly tool-cache's three tries: a fourth would get the whole binary.
    releases.truncateNext({ count: 3 });
    await expect(installEarthly(request())).rejects.toThrow(
      /^Earthly download failed: the connection broke off .* for http:\/\/127\.0\.0\.1:\d+\/earthly\/earthly\/releases\/download\/v0\.8\.15\/earthly-linux-amd64$/,
    );
    expect(binaryDownloads()).toHaveLength(3);
    expect(tc.find('earthly', '0.8.15', 'x64')).toBe('');
  });

  it('fails clearly when the binary reports another version', async () => {
    const older = releases.assetBytes('earthly', 'v0.8.14', 'amd64');
    releases.serveAsset('earthly', 'v0.8.15', 'earthly-linux-amd64', older);
    const sha256 = createHash('sha256').update(older).digest('hex');
    await expect(installEarthly(request({ sha256 }))).rejects.toThrow(
      /to be v0\.8\.15, but --version printed: earthly version v0\.8\.14/,
    );
  });

  it('re-installs over a cached directory that lost its sha256 record', async () => {
    const first = await installEarthly(request());
    fs.rmSync(path.join(first.dir, '.sha256'));
    const second = await installEarthly(request());
    expect(second.cacheHit).toBe(false);
    expect(fs.existsSync(path.join(second.dir, '.sha256'))).toBe(true);
  });

  it('lets two parallel installs of one version share one intact cached binary', async () => {
    const [a, b] = await Promise.all([installEarthly(request()), installEarthly(request())]);
    expect(a.dir).toBe(b.dir);
    expect(fs.readFileSync(a.binary)).toEqual(releases.assetBytes('earthly', 'v0.8.15', 'amd64'));
    expect(fs.readdirSync(a.dir).sort()).toEqual(['.sha256', 'earthly']);
    const versionDir = path.dirname(a.dir);
    expect(fs.readdirSync(versionDir).sort()).toEqual(['x64', 'x64.complete']); // lock released
    expect(tempLeftovers()).toEqual([]);
  });

  it('breaks a stale lock left by a dead job', async () => {
    const lock = path.join(toolCache(), 'earthly', '0.8.15', 'x64.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, 'dead job\n');
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(lock, old, old);
    const result = await installEarthly(request());
    expect(result.cacheHit).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

// The binary installEarthly accepts: its `--version` line names the version asked for.
describe('reportsVersion: EarthBuild build versions', () => {
  it.each([
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
});

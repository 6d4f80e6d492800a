import * as tc from '@actions/tool-cache';
import { describe, expect, it } from 'vitest';
import {
  assetName,
  checksumUrl,
  describeDownloadFailure,
  downloadUrl,
  hostOf,
  normalizeEarthlyVersion,
  normalizeSha256,
  parseChecksumAsc,
  redactUrl,
  reportsVersion,
  toolCacheArch,
} from '../../../src/earthly/release.js';
import { clearSigned } from '../../harness/release-server.js';

const AUTH = 'token ghp_notARealTokenButSecret';

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
      clearSigned([`${b}  other`]).replace(
        '-----END PGP SIGNATURE-----',
        `${a}  earthly-linux-amd64\n-----END PGP SIGNATURE-----`,
      ),
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

describe('normalizeSha256 and hostOf', () => {
  it('accepts 64 hex digits in any case, and nothing else', () => {
    expect(normalizeSha256(` ${'AB'.repeat(32)} `)).toBe('ab'.repeat(32));
    expect(() => normalizeSha256('ab'.repeat(31))).toThrow(/64 hexadecimal characters/);
  });

  it('names the host of a URL, and a redacted URL when it does not parse', () => {
    expect(hostOf('https://github.com/earthly/earthly/releases')).toBe('github.com');
    expect(hostOf('not a url?token=x')).toBe('not a url?***');
  });

  it('explains network failures by their code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(describeDownloadFailure(refused, 'https://h/x')).toBe(
      'Earthly download failed: connection refused (connect ECONNREFUSED) for https://h/x',
    );
    // What stream.pipeline raises when a body ends early (node lib/internal/errors.js).
    const cut = Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(describeDownloadFailure(cut, 'https://h/x')).toBe(
      'Earthly download failed: the connection broke off before the download finished (Premature close) for https://h/x',
    );
    expect(describeDownloadFailure(new tc.HTTPError(403), 'https://h/x')).toMatch(
      /HTTP 403 .*the host refused access/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseEarthlyArgs, parseEarthlyConfig } from '../../../../src/core/inputs/earthly.js';
import { earthlyConfig } from '../../../../src/earthly/command.js';
import { inputError, itRejects } from '../../support.js';

describe('earthly inputs: valid', () => {
  it('accepts flags with values in earthly-args', () => {
    expect(
      parseEarthlyArgs('--no-cache --cache-from=ghcr.io/acme/cache -V\n--max-remote-cache'),
    ).toEqual(['--no-cache', '--cache-from=ghcr.io/acme/cache', '-V', '--max-remote-cache']);
    expect(parseEarthlyArgs('')).toEqual([]);
  });

  // BUG (src/inputs.ts:519-521): a value after a flag is only checked for a leading `+`, so a
  // remote or relative target reference passes; after a boolean flag Earthly takes it as the
  // target, and `+build-provider-images` becomes a build arg.
  it.each(['--no-cache github.com/acme/canvos+build-provider-images', '--no-cache ./other+target'])(
    'earthly-args %j cannot name another target',
    (value) => {
      const error = inputError(() => parseEarthlyArgs(value));
      expect(error.input).toBe('earthly-args');
    },
  );

  // BUG (src/inputs.ts:90-105, FLAGS_WITH_INPUTS): Earthly's --arg-file-path makes it read
  // another file instead of the .arg the action writes, so IMAGE_REGISTRY, CUSTOM_TAG,
  // K8S_VERSION... all come from elsewhere and the plan's refs are wrong.
  it.each(['--arg-file-path=other.arg', '--arg-file-path other.arg'])(
    'earthly-args %j is refused',
    (value) => {
      const error = inputError(() => parseEarthlyArgs(value));
      expect(error.input).toBe('earthly-args');
    },
  );
});

describe('earthly inputs: invalid inputs', () => {
  itRejects([
    // earthly-args
    ['earthly-args target', { 'earthly-args': '+target' }, 'earthly-args', 'looks like a target'],
    ['earthly-args --push', { 'earthly-args': '--push' }, 'earthly-args', '--push is set by push'],
    [
      'earthly-args --push=false',
      { 'earthly-args': '--push=false' },
      'earthly-args',
      '--push is set by push',
    ],
    [
      'earthly-args --ci',
      { 'earthly-args': '--no-cache --ci' },
      'earthly-args',
      '--ci is set by push',
    ],
    ['earthly-args -P', { 'earthly-args': '-P' }, 'earthly-args', '-P is set by the action'],
    [
      'earthly-args --config=x',
      { 'earthly-args': '--config=x' },
      'earthly-args',
      '--config is set by the action',
    ],
    [
      'earthly-args --secret',
      { 'earthly-args': '--secret FOO' },
      'earthly-args',
      '--secret is set by secrets',
    ],
    [
      'earthly-args --buildkit-host',
      { 'earthly-args': '--buildkit-host tcp://x:8372' },
      'earthly-args',
      'set by buildkit-host',
    ],
    [
      'earthly-args bare word',
      { 'earthly-args': 'banana' },
      'earthly-args',
      'is not a flag or a flag',
    ],
    [
      'earthly-args two values',
      { 'earthly-args': '--cache-from ghcr.io/acme/cache extra' },
      'earthly-args',
      'is not a flag or a flag',
    ],
    ['earthly-args malformed flag', { 'earthly-args': '---x' }, 'earthly-args', 'is not a flag'],
    // Earthly
    [
      'earthly-version latest',
      { 'earthly-version': 'latest' },
      'earthly-version',
      'is not auto or a version',
    ],
    [
      'earthly-sha256 not hex',
      { 'earthly-sha256': 'z'.repeat(64) },
      'earthly-sha256',
      'must be 64 hexadecimal characters',
    ],
    [
      'earthly-sha256 of 63 characters',
      { 'earthly-sha256': 'a'.repeat(63) },
      'earthly-sha256',
      'must be 64 hexadecimal characters',
    ],
    [
      'earthly-download-url without {asset}',
      { 'earthly-download-url': 'https://mirror.example.com/{version}/earthly' },
      'earthly-download-url',
      'must contain {asset}',
    ],
    [
      'earthly-download-url ftp',
      { 'earthly-download-url': 'ftp://mirror.example.com/{asset}' },
      'earthly-download-url',
      'must be an http(s) URL',
    ],
    [
      'earthly-distribution unknown',
      { 'earthly-distribution': 'dagger' },
      'earthly-distribution',
      'is not one of earthly, earthbuild',
    ],
    [
      'buildkit-host http',
      { 'buildkit-host': 'http://buildkit:8372' },
      'buildkit-host',
      'is not a BuildKit address',
    ],
  ]);
});

describe('parseEarthlyConfig', () => {
  it('reads key: value lines and rejects anything else', () => {
    expect(parseEarthlyConfig('tls_enabled: true\n# comment\ntlsca: /etc/ca.pem\n')).toEqual([
      ['tls_enabled', 'true'],
      ['tlsca', '/etc/ca.pem'],
    ]);
    expect(() => parseEarthlyConfig('global:\n  tls_enabled: true')).toThrow(
      /^earthly-config: "global:" is not a key: value line/,
    );
    expect(() => parseEarthlyConfig('disable_analytics: false')).toThrow(
      'earthly-config: disable_analytics is always true here',
    );
    expect(() => parseEarthlyConfig('tlsca: a\ntlsca: b')).toThrow(
      'earthly-config: tlsca is given twice',
    );
  });

  // Earthly's TLS keys are tlsca, tlscert, tlskey (GlobalConfig yaml tags in earthly/earthly
  // config/config.go, v0.7.4 to v0.8.16, and EarthBuild v0.8.18); it ignores unknown keys silently.
  it.each(['tls_ca', 'tls_cert', 'tls_key', 'buildkit_hots'])(
    'refuses %s, listing the keys Earthly knows',
    (key) => {
      expect(() => parseEarthlyConfig(`${key}: /etc/buildkit/x.pem`)).toThrow(
        new RegExp(
          `^earthly-config: ${key} is not a global setting Earthly knows \\(it would be ignored\\); it knows: .*\\btlsca, tlsca_key, tlscert, tlskey\\b`,
        ),
      );
    },
  );
});

describe('parseEarthlyConfig: values stay one YAML value', () => {
  it('refuses what YAML reads as a line break (NEL, LS, PS) and any other non-ASCII', () => {
    for (const value of [
      'a\u0085disable_analytics: false',
      'a\u2028x: 1',
      'a\u2029x: 1',
      'a\tb',
      'é',
    ]) {
      expect(() => parseEarthlyConfig(`tlsca: ${value}`)).toThrow(
        'earthly-config: allows printable ASCII only (no tabs or line-break characters)',
      );
    }
  });
  it('every accepted value parses back to exactly the keys given (a YAML 1.2 parser)', () => {
    // A seeded sweep over printable ASCII, weighted to YAML's indicators: no accepted value may
    // add, drop or rename a global key.
    const alphabet = ' -:#{}[],&*!|>\'"%@`?~\\/=.0123456789abcxyz';
    let seed = 12;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    for (let round = 0; round < 3000; round++) {
      const pool = round % 2 ? alphabet : printable;
      const length = 1 + Math.floor(random() * 12);
      const value = Array.from({ length }, () => pool[Math.floor(random() * pool.length)]).join('');
      let settings: ReturnType<typeof parseEarthlyConfig>;
      try {
        settings = parseEarthlyConfig(`tlsca: ${value}\ncache_size_mb: 1`);
      } catch {
        continue;
      }
      let parsed: { global?: Record<string, unknown> };
      try {
        parsed = parseYaml(earthlyConfig('v0.8.15', settings), {
          logLevel: 'silent',
        }) as typeof parsed;
      } catch {
        continue; // Earthly refuses the whole config and fails: nothing was injected
      }
      expect(Object.keys(parsed.global ?? {}).sort(), JSON.stringify(value)).toEqual([
        'buildkit_additional_args',
        'cache_size_mb',
        'disable_analytics',
        'tlsca',
      ]);
      expect(parsed.global?.disable_analytics, JSON.stringify(value)).toBe(true);
    }
  });
});

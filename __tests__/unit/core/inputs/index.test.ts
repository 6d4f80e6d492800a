import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseArch, parseBuildArgs, parseK8sVersion } from '../../../../src/core/inputs/build.js';
import { parseEarthlyArgs, parseEarthlyConfig } from '../../../../src/core/inputs/earthly.js';
import { parseInputs, parseRepository, secretValues } from '../../../../src/core/inputs/index.js';
import {
  DEFAULT_CANVOS_REPOSITORY,
  type Inputs,
  type RunnerContext,
} from '../../../../src/core/inputs/types.js';
import { splitList } from '../../../../src/core/inputs/values.js';
import { inputError } from '../../support.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8');

const CA_PEM = fixture('proxy-ca-certs.pem'); // two self-signed test CA certificates
const [CERT_1, CERT_2] = CA_PEM.match(
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
)!;
const PUBLIC_KEY = (
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string
).trim();

/**
 * The designed seam: a RunnerContext over an in-memory file system. Paths are absolute, as
 * parseInputs makes them; anything not in `files` is unreadable.
 */
function fakeContext(
  options: {
    files?: Record<string, string>;
    dirs?: string[];
    runnerArch?: string;
    serverUrl?: string;
  } = {},
): RunnerContext & { reads: string[] } {
  const files = options.files ?? {};
  const reads: string[] = [];
  return {
    reads,
    runnerArch: 'runnerArch' in options ? options.runnerArch : 'X64',
    serverUrl: options.serverUrl ?? 'https://github.com',
    workspace: '/ws',
    readFile(path: string) {
      reads.push(path);
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return files[path];
    },
    isDirectory: (path: string) => (options.dirs ?? []).includes(path),
  };
}

const REQUIRED = { 'image-registry': 'ghcr.io/acme', 'k8s-version': '1.32.3' };

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? '';
}

function parse(values: Record<string, string>, ctx: RunnerContext = fakeContext()): Inputs {
  return parseInputs(reader({ ...REQUIRED, ...values }), ctx);
}

describe('parseInputs: valid inputs', () => {
  it('applies every default when only the required inputs are set', () => {
    expect(parse({})).toEqual({
      canvos: {
        version: 'latest',
        prerelease: false,
        repository: DEFAULT_CANVOS_REPOSITORY,
        path: undefined,
        token: undefined,
      },
      imageRegistry: 'ghcr.io/acme',
      imageRepo: undefined,
      customTag: '',
      osDistribution: 'ubuntu',
      osVersion: '22.04',
      k8sDistribution: 'k3s',
      k8sVersion: { kind: 'list', items: ['1.32.3'] },
      arch: 'amd64',
      twoNode: false,
      updateKernel: false,
      httpProxy: undefined,
      httpsProxy: undefined,
      noProxy: undefined,
      proxyCaCerts: [],
      signingPublicKey: undefined,
      buildArgs: [],
      secrets: [],
      earthly: {
        version: 'auto',
        distribution: 'earthly',
        config: [],
        downloadUrl: undefined,
        sha256: undefined,
        args: [],
        buildkitImage: undefined,
        buildkitHost: undefined,
        remoteCache: undefined,
      },
      push: true,
      skipExisting: false,
      registryAuth: undefined,
      diskCheck: 'warn',
      dryRun: false,
    } satisfies Inputs);
    expect(DEFAULT_CANVOS_REPOSITORY).toBe('https://github.com/spectrocloud/CanvOS.git');
  });

  it('parses a full valid set into the expected object', () => {
    const ctx = fakeContext({
      files: {
        '/ws/certs/proxy-ca.pem': CA_PEM,
        '/keys/signing.pub': `${PUBLIC_KEY}\n`,
        '/ws/canvos/Earthfile': 'VERSION 0.6\n',
      },
      dirs: ['/ws/canvos'],
      runnerArch: 'X64',
      serverUrl: 'https://ghe.example.com/',
    });
    const inputs = parseInputs(
      reader({
        'canvos-version': '~4.9',
        'canvos-prerelease': 'true',
        'canvos-repository': 'acme/CanvOS',
        'canvos-path': 'canvos',
        'github-token': 'ghs_notarealtoken',
        'image-registry': 'registry.example.com:5000/edge',
        'image-repo': 'provider-images',
        'custom-tag': 'demo',
        'os-distribution': 'opensuse-leap',
        'os-version': '15.6',
        'k8s-distribution': 'rke2',
        'k8s-version': '1.32.3, 1.33\n1.32.3\n',
        arch: 'arm64',
        'two-node': 'true',
        'update-kernel': 'True',
        'http-proxy': 'http://proxy.example.com:3128',
        'https-proxy': 'http://user:p%40ss@proxy.example.com:3128',
        'no-proxy': 'localhost,127.0.0.1,10.0.0.0/8,.svc.cluster.local',
        'proxy-ca-certs': 'certs/proxy-ca.pem',
        'signing-public-key': '/keys/signing.pub',
        'build-args':
          '# FIPS off\nFIPS_ENABLED=false\n\nCIS_HARDENING=true\r\nPE_VERSION=v4.9.38\n',
        secrets: 'UBUNTU_PRO_KEY=C0ffee123',
        'earthly-version': '0.8.16',
        'earthly-distribution': 'earthly',
        'earthly-download-url': 'https://mirror.example.com/earthly/{version}/{asset}',
        'earthly-sha256': 'AB'.repeat(32),
        'earthly-args': '--no-cache\n--cache-from ghcr.io/acme/cache',
        'buildkit-image': 'ghcr.io/acme/buildkitd:v0.8.16',
        'remote-cache': 'ghcr.io/acme/cache:canvos',
        push: 'false',
        'skip-existing': 'true',
        'registry-username': 'bot',
        'registry-password': 'hunter2',
        'disk-check': 'error',
        'dry-run': 'TRUE',
      }),
      ctx,
    );
    expect(inputs).toEqual({
      canvos: {
        version: '~4.9',
        prerelease: true,
        repository: 'https://ghe.example.com/acme/CanvOS.git',
        path: '/ws/canvos',
        token: 'ghs_notarealtoken',
      },
      imageRegistry: 'registry.example.com:5000/edge',
      imageRepo: 'provider-images',
      customTag: 'demo',
      osDistribution: 'opensuse-leap',
      osVersion: '15.6',
      k8sDistribution: 'rke2',
      k8sVersion: { kind: 'list', items: ['1.32.3', '1.33'] },
      arch: 'arm64',
      twoNode: true,
      updateKernel: true,
      httpProxy: 'http://proxy.example.com:3128',
      httpsProxy: 'http://user:p%40ss@proxy.example.com:3128',
      noProxy: 'localhost,127.0.0.1,10.0.0.0/8,.svc.cluster.local',
      proxyCaCerts: [CERT_1, CERT_2],
      signingPublicKey: PUBLIC_KEY,
      buildArgs: [
        ['FIPS_ENABLED', 'false'],
        ['CIS_HARDENING', 'true'],
        ['PE_VERSION', 'v4.9.38'],
      ],
      secrets: [['UBUNTU_PRO_KEY', 'C0ffee123']],
      earthly: {
        version: 'v0.8.16',
        distribution: 'earthly',
        downloadUrl: 'https://mirror.example.com/earthly/{version}/{asset}',
        sha256: 'ab'.repeat(32),
        args: ['--no-cache', '--cache-from', 'ghcr.io/acme/cache'],
        config: [],
        buildkitImage: 'ghcr.io/acme/buildkitd:v0.8.16',
        buildkitHost: undefined,
        remoteCache: 'ghcr.io/acme/cache:canvos',
      },
      push: false,
      skipExisting: true,
      registryAuth: { username: 'bot', password: 'hunter2' },
      diskCheck: 'error',
      dryRun: true,
    } satisfies Inputs);
    // Files went through the seam, with relative paths resolved against the workspace.
    expect(ctx.reads).toEqual([
      '/ws/canvos/Earthfile',
      '/ws/certs/proxy-ca.pem',
      '/keys/signing.pub',
    ]);
  });

  it('reads exactly the inputs action.yml declares', () => {
    const action = parseYaml(
      readFileSync(new URL('../../../../action.yml', import.meta.url), 'utf8'),
    ) as {
      inputs: Record<string, unknown>;
    };
    const asked = new Set<string>();
    parseInputs((name) => {
      asked.add(name);
      return (REQUIRED as Record<string, string>)[name] ?? '';
    }, fakeContext());
    expect([...asked].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it.each([
    ['X64', 'amd64'],
    ['ARM64', 'arm64'],
    [undefined, 'amd64'],
    ['', 'amd64'],
  ] as const)('RUNNER_ARCH %s gives arch %s', (runnerArch, arch) => {
    expect(parse({}, fakeContext({ runnerArch })).arch).toBe(arch);
    expect(parseArch('', runnerArch)).toBe(arch);
  });

  it('an explicit arch wins over the runner', () => {
    expect(parse({ arch: 'arm64' }, fakeContext({ runnerArch: 'X64' })).arch).toBe('arm64');
    expect(parseArch('amd64', 'ARM64')).toBe('amd64');
  });

  it('expands owner/name against the server URL', () => {
    expect(parseRepository('acme/CanvOS', 'https://github.com')).toBe(
      'https://github.com/acme/CanvOS.git',
    );
    expect(parseRepository('my-org/can.vos_fork', 'https://ghe.example.com//')).toBe(
      'https://ghe.example.com/my-org/can.vos_fork.git',
    );
    expect(parseRepository('', 'https://ghe.example.com')).toBe(DEFAULT_CANVOS_REPOSITORY);
    expect(parseRepository('https://gitlab.example.com/a/b/canvos.git', 'https://github.com')).toBe(
      'https://gitlab.example.com/a/b/canvos.git',
    );
    expect(parseRepository('file:///srv/git/CanvOS', 'https://github.com')).toBe(
      'file:///srv/git/CanvOS',
    );
  });

  // BUG (src/inputs.ts:211-212): `owner/name.git` matches the owner/name pattern and gets a
  // second `.git` appended: https://github.com/acme/CanvOS.git.git, which no server has.
  it('owner/name.git does not get a second .git', () => {
    expect(parseRepository('acme/CanvOS.git', 'https://github.com')).toBe(
      'https://github.com/acme/CanvOS.git',
    );
  });

  it('accepts PEM certificates inline, with CRLF line ends, without reading files', () => {
    const ctx = fakeContext();
    const crlf = `${CERT_1}\r\n${CERT_2}\r\n`.replace(/\n/g, '\r\n');
    expect(parse({ 'proxy-ca-certs': crlf }, ctx).proxyCaCerts).toEqual([CERT_1, CERT_2]);
    expect(ctx.reads).toEqual([]);
  });

  it('reads several certificate files, one path a line', () => {
    const ctx = fakeContext({ files: { '/ws/a.pem': `${CERT_1}\n`, '/etc/ssl/b.pem': CERT_2 } });
    expect(parse({ 'proxy-ca-certs': 'a.pem\n  /etc/ssl/b.pem  \n' }, ctx).proxyCaCerts).toEqual([
      CERT_1,
      CERT_2,
    ]);
    expect(ctx.reads).toEqual(['/ws/a.pem', '/etc/ssl/b.pem']);
  });

  it('accepts an inline PEM public key', () => {
    expect(parse({ 'signing-public-key': `\n${PUBLIC_KEY}\n` }).signingPublicKey).toBe(PUBLIC_KEY);
  });

  it('accepts rhel and sles with a BASE_IMAGE build arg', () => {
    const inputs = parse({
      'os-distribution': 'rhel',
      'os-version': '8.10',
      'build-args': 'BASE_IMAGE=registry.example.com/rhel:8.10',
    });
    expect([inputs.osDistribution, inputs.osVersion]).toEqual(['rhel', '8.10']);
    expect(
      parse({ 'os-distribution': 'sles', 'build-args': ' BASE_IMAGE=x/sles:15' }).osDistribution,
    ).toBe('sles');
  });

  it('keeps k8s-version keywords and de-duplicates lists', () => {
    expect(parseK8sVersion('all')).toEqual({ kind: 'all' });
    expect(parseK8sVersion(' latest\n')).toEqual({ kind: 'latest' });
    expect(parseK8sVersion('1.32.3,1.32.3, 1.31\n\n1.30.14')).toEqual({
      kind: 'list',
      items: ['1.32.3', '1.31', '1.30.14'],
    });
    expect(splitList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c']);
  });

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

  it('keeps build-arg values verbatim, = and all', () => {
    expect(parseBuildArgs('BASE_IMAGE=a/b:c\nEXTRA=x=y\nEMPTY=\nSPACED=two words')).toEqual([
      ['BASE_IMAGE', 'a/b:c'],
      ['EXTRA', 'x=y'],
      ['EMPTY', ''],
      ['SPACED', 'two words'],
    ]);
  });
});

describe('parseInputs: invalid inputs', () => {
  const longTag = 'a'.repeat(101);
  const cases: [label: string, values: Record<string, string>, input: string, rule: string][] = [
    // image-registry
    [
      'registry with a scheme',
      { 'image-registry': 'https://ghcr.io/acme' },
      'image-registry',
      'must not have a scheme',
    ],
    [
      'underscore in the host',
      { 'image-registry': 'my_registry.example.com/acme' },
      'image-registry',
      'must not contain an underscore',
    ],
    [
      'upper-case path',
      { 'image-registry': 'ghcr.io/Acme' },
      'image-registry',
      'is not a valid repository path',
    ],
    [
      'no host',
      { 'image-registry': 'acme' },
      'image-registry',
      'does not start with a registry host',
    ],
    [
      'no host, with a path',
      { 'image-registry': 'acme/edge' },
      'image-registry',
      'does not start with a registry host',
    ],
    [
      'trailing slash',
      { 'image-registry': 'ghcr.io/acme/' },
      'image-registry',
      'must not end with /',
    ],
    [
      'port with letters',
      { 'image-registry': 'registry.example.com:50a0/acme' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'empty port',
      { 'image-registry': 'localhost:/acme' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'two ports',
      { 'image-registry': 'localhost:5000:5001' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'host label ending in -',
      { 'image-registry': 'registry-.example.com' },
      'image-registry',
      'is not a valid hostname',
    ],
    ['empty registry', { 'image-registry': '' }, 'image-registry', 'is required'],
    [
      'registry with a newline',
      { 'image-registry': 'ghcr.io/acme\nevil.example.com' },
      'image-registry',
      'must be a single line',
    ],
    [
      'upper-case image-repo',
      { 'image-repo': 'Ubuntu' },
      'image-repo',
      'is not a valid repository path',
    ],
    // custom-tag
    ['custom-tag with /', { 'custom-tag': 'feature/x' }, 'custom-tag', 'has a /'],
    ['custom-tag with +', { 'custom-tag': '1.0.0+build.5' }, 'custom-tag', 'has a +'],
    [
      'custom-tag that is a git ref',
      { 'custom-tag': 'refs/tags/v1' },
      'custom-tag',
      'is a git ref',
    ],
    [
      'custom-tag with spaces',
      { 'custom-tag': 'my tag' },
      'custom-tag',
      'may only hold letters, digits',
    ],
    [
      'custom-tag of 101 characters',
      { 'custom-tag': longTag },
      'custom-tag',
      'is longer than 100 characters',
    ],
    [
      'custom-tag with a newline',
      { 'custom-tag': 'demo\nIMAGE_REGISTRY=evil.example.com' },
      'custom-tag',
      'must be a single line',
    ],
    // k8s-version
    ['empty k8s-version', { 'k8s-version': '' }, 'k8s-version', 'is required'],
    ['k8s-version of commas only', { 'k8s-version': ' , \n' }, 'k8s-version', 'is required'],
    [
      'k8s-version with +k3s1',
      { 'k8s-version': '1.32.3+k3s1' },
      'k8s-version',
      'write plain x.y.z',
    ],
    [
      'k8s-version all with another',
      { 'k8s-version': 'all,1.32' },
      'k8s-version',
      'all cannot be combined',
    ],
    [
      'k8s-version latest with another',
      { 'k8s-version': '1.32.3\nlatest' },
      'k8s-version',
      'latest cannot be combined',
    ],
    ['k8s-version with v', { 'k8s-version': 'v1.32' }, 'k8s-version', 'is not a version'],
    [
      'k8s-version line injection',
      { 'k8s-version': '1.32.3\nIMAGE_REGISTRY=evil' },
      'k8s-version',
      'is not a version',
    ],
    // OS
    ['Ubuntu 21.04', { 'os-version': '21.04' }, 'os-version', 'not an Ubuntu version'],
    ['os-version not a version', { 'os-version': 'jammy' }, 'os-version', 'is not a version'],
    [
      'rhel without BASE_IMAGE',
      { 'os-distribution': 'rhel', 'os-version': '9.4' },
      'os-distribution',
      'needs a BASE_IMAGE',
    ],
    [
      'sles with BASE_IMAGE commented out',
      { 'os-distribution': 'sles', 'build-args': '# BASE_IMAGE=x' },
      'os-distribution',
      'needs a BASE_IMAGE',
    ],
    ['unknown OS', { 'os-distribution': 'debian' }, 'os-distribution', 'is not one of'],
    [
      'unknown k8s distribution',
      { 'k8s-distribution': 'k0s' },
      'k8s-distribution',
      'is not one of',
    ],
    // arch and booleans
    ['arch x86', { arch: 'x86' }, 'arch', 'is not one of amd64, arm64'],
    ['push yes', { push: 'yes' }, 'push', 'is not a boolean'],
    ['two-node 1', { 'two-node': '1' }, 'two-node', 'is not a boolean'],
    ['dry-run on', { 'dry-run': 'on' }, 'dry-run', 'is not a boolean'],
    [
      'canvos-prerelease yes',
      { 'canvos-prerelease': 'yes' },
      'canvos-prerelease',
      'is not a boolean',
    ],
    ['disk-check maybe', { 'disk-check': 'maybe' }, 'disk-check', 'is not one of warn, error, off'],
    // build-args
    [
      'lower-case build-arg key',
      { 'build-args': 'base_image=x' },
      'build-args',
      'must be an upper-case identifier',
    ],
    [
      'build-arg with its own input',
      { 'build-args': 'IMAGE_REGISTRY=' },
      'build-args',
      'IMAGE_REGISTRY has its own input: use image-registry',
    ],
    [
      'build-arg K8S_VERSION',
      { 'build-args': 'K8S_VERSION=1.32.3' },
      'build-args',
      'use k8s-version',
    ],
    ['build-arg UBUNTU_PRO_KEY', { 'build-args': 'UBUNTU_PRO_KEY=x' }, 'build-args', 'use secrets'],
    [
      'duplicate build-arg',
      { 'build-args': 'FOO=1\nBAR=2\nFOO=3' },
      'build-args',
      'FOO is given twice',
    ],
    ["build-arg value with '", { 'build-args': "FOO=it's" }, 'build-args', "must not contain '"],
    ['build-arg line without =', { 'build-args': 'JUSTAWORD' }, 'build-args', 'is not KEY=VALUE'],
    [
      'CR injection in a build-arg',
      { 'build-args': 'FOO=a\rIMAGE_REGISTRY=evil.example.com' },
      'build-args',
      'control characters',
    ],
    [
      'newline injection in build-args',
      { 'build-args': 'FOO=bar\nIMAGE_REGISTRY=evil.example.com' },
      'build-args',
      'has its own input',
    ],
    ['NUL in a build-arg', { 'build-args': 'FOO=a\u0000b' }, 'build-args', 'control characters'],
    [
      'escape sequence in a build-arg',
      { 'build-args': 'FOO=\u001b[31mred' },
      'build-args',
      'control characters',
    ],
    [
      'vertical tab in a build-arg',
      { 'build-args': 'FOO=a\u000bb' },
      'build-args',
      'control characters',
    ],
    // secrets
    [
      'secret with an empty value',
      { secrets: 'UBUNTU_PRO_KEY=' },
      'secrets',
      'UBUNTU_PRO_KEY has an empty value',
    ],
    [
      'secret with a lower-case key',
      { secrets: 'token=abc' },
      'secrets',
      'must be an upper-case identifier',
    ],
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
      'is not a BuildKit address Earthly accepts',
    ],
    // util/containerutil/shell_shared.go parseAndValidateURL (earthly/earthly v0.8.15, EarthBuild
    // v0.8.18): tcp (with a port), docker-container and podman-container only.
    [
      'buildkit-host unix socket',
      { 'buildkit-host': 'unix:///run/buildkit/buildkitd.sock' },
      'buildkit-host',
      'is not a BuildKit address Earthly accepts: tcp://host:port, docker-container://name or podman-container://name',
    ],
    [
      'buildkit-host tcp without a port',
      { 'buildkit-host': 'tcp://buildkit.internal' },
      'buildkit-host',
      'is not a BuildKit address Earthly accepts',
    ],
    [
      'buildkit-host kube-pod',
      { 'buildkit-host': 'kube-pod://buildkitd-0' },
      'buildkit-host',
      'is not a BuildKit address Earthly accepts',
    ],
    [
      'buildkit-image with a space',
      { 'buildkit-image': 'earthly/buildkitd v0.8.15' },
      'buildkit-image',
      'is not an image reference',
    ],
    [
      'remote-cache upper-case path',
      { 'remote-cache': 'ghcr.io/Acme/cache' },
      'remote-cache',
      'is not an image reference',
    ],
    // proxies
    [
      'proxy ftp://',
      { 'http-proxy': 'ftp://proxy.example.com:21' },
      'http-proxy',
      'scheme ftp: is not supported',
    ],
    [
      'proxy not a URL',
      { 'https-proxy': 'proxy.example.com:3128' },
      'https-proxy',
      'is not a URL such as http://proxy.example.com:3128',
    ],
    [
      'proxy with a space in the host',
      { 'https-proxy': 'http://proxy example.com:3128' },
      'https-proxy',
      'is not a URL',
    ],
    [
      'proxy with a space in the path',
      { 'http-proxy': 'http://proxy.example.com:3128/a b' },
      'http-proxy',
      'must not contain spaces',
    ],
    [
      'proxy with $(id)',
      { 'http-proxy': 'http://proxy.example.com:3128/$(id)' },
      'http-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'proxy with $(id) in the host',
      { 'https-proxy': 'http://$(id).example.com:3128' },
      'https-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'proxy with a backtick',
      { 'http-proxy': 'http://proxy.example.com:3128/`id`' },
      'http-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'no-proxy with a space',
      { 'no-proxy': 'localhost, example.com' },
      'no-proxy',
      'comma-separated list',
    ],
    // registry credentials
    [
      'username without password',
      { 'registry-username': 'bot' },
      'registry-password',
      'is required when registry-username is set',
    ],
    [
      'password without username',
      { 'registry-password': 'hunter2' },
      'registry-username',
      'is required when registry-password is set',
    ],
    [
      'bare ghcr.io (GHCR packages live under an owner)',
      { 'image-registry': 'ghcr.io' },
      'image-registry',
      '"ghcr.io" needs an owner: write ghcr.io/<owner>',
    ],
    // CanvOS source
    [
      'canvos-version v4.8.a',
      { 'canvos-version': 'v4.8.a' },
      'canvos-version',
      'is not a tag, a semver range or latest',
    ],
    [
      'canvos-version banana',
      { 'canvos-version': 'banana' },
      'canvos-version',
      'is not a tag, a semver range or latest',
    ],
    [
      'canvos-repository ftp://x',
      { 'canvos-repository': 'ftp://x' },
      'canvos-repository',
      'scheme ftp: is not supported',
    ],
    [
      'canvos-repository with a password',
      { 'canvos-repository': 'https://bot:s3cr3t-token@github.com/acme/CanvOS.git' },
      'canvos-repository',
      'must not contain credentials',
    ],
    [
      'canvos-repository not a URL',
      { 'canvos-repository': 'not a url' },
      'canvos-repository',
      'is not a git URL or owner/name',
    ],
    ['canvos-path missing', { 'canvos-path': 'nowhere' }, 'canvos-path', 'is not a directory'],
  ];

  it.each(cases)('%s', (_label, values, input, rule) => {
    const error = inputError(() => parse(values));
    expect(error.input).toBe(input);
    expect(error.rule).toContain(rule);
    expect(error.message).toBe(`${input}: ${error.rule}`);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  it('a runner of another architecture needs an explicit arch', () => {
    const error = inputError(() => parse({}, fakeContext({ runnerArch: 'X86' })));
    expect([error.input, error.rule]).toEqual([
      'arch',
      'the runner is X86; set arch to amd64 or arm64',
    ]);
  });

  it('never echoes a password or proxy credentials in the message', () => {
    const repo = inputError(() =>
      parse({ 'canvos-repository': 'https://bot:s3cr3t-token@github.com/a/b.git' }),
    );
    expect(repo.message).toBe('canvos-repository: must not contain credentials: use github-token');
    const proxy = inputError(() =>
      parse({ 'https-proxy': 'http://user:pa$$word@proxy.example.com:3128' }),
    );
    expect(proxy.message).toBe('https-proxy: must not contain spaces, quotes, $ or \\');
    const secret = inputError(() => parse({ secrets: 'lower=s3cr3t' }));
    expect(secret.message).not.toContain('s3cr3t');
  });

  it('shortens a long value in the message', () => {
    const error = inputError(() => parse({ 'canvos-version': `banana${'x'.repeat(200)}` }));
    expect(error.message).toBe(
      `canvos-version: "banana${'x'.repeat(71)}..." is not a tag, a semver range or latest (examples: v4.9.38, ~4.9, latest)`,
    );
  });

  it('a missing proxy-ca-certs file is an InputError naming proxy-ca-certs', () => {
    const ctx = fakeContext({ files: { '/ws/ok.pem': CERT_1 } });
    const error = inputError(() => parse({ 'proxy-ca-certs': 'ok.pem\nmissing.pem' }, ctx));
    expect([error.input, error.rule]).toEqual(['proxy-ca-certs', 'cannot read file "missing.pem"']);
    expect(ctx.reads).toEqual(['/ws/ok.pem', '/ws/missing.pem']);
  });

  it('a proxy-ca-certs file without a certificate is an InputError', () => {
    const ctx = fakeContext({ files: { '/ws/empty.pem': 'not a certificate\n' } });
    const error = inputError(() => parse({ 'proxy-ca-certs': 'empty.pem' }, ctx));
    expect([error.input, error.rule]).toEqual([
      'proxy-ca-certs',
      'holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    ]);
  });

  it('signing-public-key must be a public key, from text or a readable file', () => {
    const notKey = inputError(() => parse({ 'signing-public-key': CERT_1 }));
    expect([notKey.input, notKey.rule]).toEqual([
      'signing-public-key',
      'is not a PEM public key (-----BEGIN PUBLIC KEY-----)',
    ]);
    const missing = inputError(() => parse({ 'signing-public-key': 'keys/missing.pub' }));
    expect([missing.input, missing.rule]).toEqual([
      'signing-public-key',
      'cannot read file "keys/missing.pub"',
    ]);
  });

  it('canvos-path must hold an Earthfile', () => {
    const ctx = fakeContext({ dirs: ['/ws/empty'] });
    const error = inputError(() => parse({ 'canvos-path': 'empty' }, ctx));
    expect([error.input, error.rule]).toEqual([
      'canvos-path',
      '"empty" has no Earthfile: is it a CanvOS checkout?',
    ]);
  });
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

describe('a multi-line registry-password', () => {
  // Google Artifact Registry's `_json_key` login takes a whole service-account key file; docker
  // login reads it from stdin (docker/cli cli/command/registry/login.go --password-stdin).
  it('is accepted, and masked whole and line by line (the runner masks per log line)', () => {
    const key = '{\n  "type": "service_account",\n  "private_key_id": "0123456789abcdef"\n}';
    const inputs = parse({ 'registry-username': '_json_key', 'registry-password': key });
    expect(inputs.registryAuth).toEqual({ username: '_json_key', password: key });
    const masked = secretValues(inputs);
    expect(masked).toContain(key);
    expect(masked).toContain('"private_key_id": "0123456789abcdef"');
    expect(masked).not.toContain('{');
    expect(masked).not.toContain('}');
  });
});

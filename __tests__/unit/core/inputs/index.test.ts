import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseInputs, parseRepository, secretValues } from '../../../../src/core/inputs/index.js';
import { DEFAULT_CANVOS_REPOSITORY, type Inputs } from '../../../../src/core/inputs/types.js';
import {
  CA_PEM,
  CERT_1,
  CERT_2,
  PUBLIC_KEY,
  REQUIRED_INPUTS,
  fakeContext,
  inputError,
  itRejects,
  parse,
} from '../../support.js';

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
      summary: true,
      notices: [],
    } satisfies Inputs);
    expect(DEFAULT_CANVOS_REPOSITORY).toBe('https://github.com/spectrocloud/CanvOS.git');
  });

  it('parses a full valid set into the expected object', () => {
    const ctx = fakeContext({
      files: {
        '/ws/certs/proxy-ca.pem': CA_PEM,
        '/ws/keys/signing.pub': `${PUBLIC_KEY}\n`,
        '/ws/canvos/Earthfile': 'VERSION 0.6\n',
      },
      dirs: ['/ws/canvos'],
      runnerArch: 'X64',
      serverUrl: 'https://ghe.example.com/',
    });
    const inputs = parse(
      {
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
        'signing-public-key': '/ws/keys/signing.pub',
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
      },
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
      summary: true,
      notices: [],
    } satisfies Inputs);
    // Files went through the seam, with relative paths resolved against the workspace.
    expect(ctx.reads).toEqual([
      '/ws/canvos/Earthfile',
      '/ws/certs/proxy-ca.pem',
      '/ws/keys/signing.pub',
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
      return (REQUIRED_INPUTS as Record<string, string>)[name] ?? '';
    }, fakeContext());
    expect([...asked].sort()).toEqual(Object.keys(action.inputs).sort());
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
});

describe('parseInputs: invalid inputs', () => {
  itRejects([
    // buildkit-host: util/containerutil/shell_shared.go parseAndValidateURL (earthly/earthly
    // v0.8.15, EarthBuild v0.8.18): tcp (with a port), docker-container and podman-container only.
    [
      'buildkit-host http',
      { 'buildkit-host': 'http://buildkit:8372' },
      'buildkit-host',
      'is not a BuildKit address Earthly accepts',
    ],
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
  ]);

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

  it('canvos-path must hold an Earthfile', () => {
    const ctx = fakeContext({ dirs: ['/ws/empty'] });
    const error = inputError(() => parse({ 'canvos-path': 'empty' }, ctx));
    expect([error.input, error.rule]).toEqual([
      'canvos-path',
      '"empty" has no Earthfile: is it a CanvOS checkout?',
    ]);
  });
});

describe('parseInputs: file inputs and fixes it suggests', () => {
  it('reads file inputs only inside the workspace and RUNNER_TEMP, links resolved', () => {
    const ctx = fakeContext({ files: { '/etc/ssl/b.pem': CERT_2, '/ws/key.pub': PUBLIC_KEY } });
    for (const [input, value] of [
      ['proxy-ca-certs', '/etc/ssl/b.pem'],
      ['proxy-ca-certs', '../etc/ssl/b.pem'],
      ['signing-public-key', '/ws/../etc/ssl/b.pem'],
      ['canvos-path', '/'],
    ]) {
      expect(inputError(() => parse({ [input]: value }, ctx)).message).toBe(
        `${input}: ${JSON.stringify(value)} is outside the workspace and RUNNER_TEMP`,
      );
    }
    const linked = { ...ctx, realPath: (path: string) => path.replace('/ws/key.pub', '/etc/key') };
    expect(inputError(() => parse({ 'signing-public-key': 'key.pub' }, linked)).message).toBe(
      'signing-public-key: "key.pub" is outside the workspace and RUNNER_TEMP',
    );
    expect(ctx.reads).toEqual([]);
  });
  it('refuses a signing key file that holds a private key, or more than one key', () => {
    const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const ctx = fakeContext({
      files: {
        '/ws/both.pem': `${PUBLIC_KEY}\n${privateKey}`,
        '/ws/two.pem': `${PUBLIC_KEY}\n${PUBLIC_KEY}`,
      },
    });
    expect(inputError(() => parse({ 'signing-public-key': 'both.pem' }, ctx)).message).toBe(
      'signing-public-key: holds a private key: give the public key only',
    );
    expect(inputError(() => parse({ 'signing-public-key': privateKey }, ctx)).message).toBe(
      'signing-public-key: holds a private key: give the public key only',
    );
    expect(inputError(() => parse({ 'signing-public-key': 'two.pem' }, ctx)).message).toBe(
      'signing-public-key: must hold exactly one PEM public key',
    );
  });
  it('suggests the exact fix: the registry without its scheme, a tag with - for what a tag cannot hold', () => {
    const message = (values: Record<string, string>) => inputError(() => parse(values)).message;
    expect(message({ 'image-registry': 'https://ghcr.io/acme' })).toBe(
      'image-registry: "https://ghcr.io/acme" must not have a scheme: write ghcr.io/acme',
    );
    expect(message({ 'image-registry': 'http://localhost:5000/' })).toMatch(
      /must not have a scheme: write localhost:5000$/,
    );
    expect(message({ 'custom-tag': 'my tag' })).toBe(
      'custom-tag: "my tag" may only hold letters, digits, _ . - (e.g. my-tag)',
    );
    expect(message({ 'custom-tag': 'release/1.2' })).toMatch(/\(e\.g\. release-1\.2\)$/);
    expect(message({ 'custom-tag': 'v1.2.0+build.5' })).toMatch(/\(e\.g\. v1\.2\.0-build\.5\)$/);
  });
});

describe('parseInputs: mixed-case owners', () => {
  it('lowercases the path of image-registry and image-repo with a notice, never the host', () => {
    const parsed = parse({
      'image-registry': 'Registry.Example.com:5000/Acme/Edge',
      'image-repo': 'Ubuntu',
    });
    expect(parsed.imageRegistry).toBe('Registry.Example.com:5000/acme/edge');
    expect(parsed.imageRepo).toBe('ubuntu');
    expect(parsed.notices).toEqual([
      'image-registry: "Registry.Example.com:5000/Acme/Edge" has uppercase letters, which a Docker repository path cannot hold: using "Registry.Example.com:5000/acme/edge"',
      'image-repo: "Ubuntu" has uppercase letters, which a Docker repository path cannot hold: using "ubuntu"',
    ]);
  });

  it('says nothing when the path is already lowercase', () => {
    expect(parse({ 'image-registry': 'ghcr.io/acme' }).notices).toEqual([]);
  });
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

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configKeyMatches,
  credentialsFromDockerConfig,
  dockerHoldsCredentials,
  requireStoredCredentials,
} from '../../../src/docker/config.js';
import { fakeCommand, useSandbox, writeDockerConfig } from '../support.js';
// No stray ~/.docker/config.json from the machine running the tests.
const sandbox = useSandbox('docker-config-test-', (dir) => ({
  DOCKER_CONFIG: path.join(dir, 'no-docker-config'),
}));

describe('configKeyMatches', () => {
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

describe('credentialsFromDockerConfig', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('reads auths under the bare host or a URL key', async () => {
    const dir = writeDockerConfig(sandbox.dir, {
      auths: {
        'ghcr.io': { auth: b64('octo:ghp_x:with:colons') },
        'https://registry.example.com/v1/': { auth: b64('u:p') },
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'quay.io': { username: 'qu', password: 'qp' },
        'empty.example': {},
      },
    });
    const expected = {
      'ghcr.io': { username: 'octo', password: 'ghp_x:with:colons' },
      'registry.example.com': { username: 'u', password: 'p' },
      'docker.io': { username: 'hubuser', password: 'hubpass' },
      'quay.io': { username: 'qu', password: 'qp' },
      'empty.example': undefined,
      'other.example': undefined,
    };
    for (const [host, credentials] of Object.entries(expected))
      await expect(credentialsFromDockerConfig(host, dir), host).resolves.toEqual(credentials);
  });

  it('is undefined without a config, or with a broken one', async () => {
    await expect(
      credentialsFromDockerConfig('ghcr.io', path.join(sandbox.dir, 'absent')),
    ).resolves.toBeUndefined();
    const dir = path.join(sandbox.dir, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{not json');
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toBeUndefined();
  });

  it('asks a credential helper, passing the host on stdin', async () => {
    const stdinLog = path.join(sandbox.dir, 'helper-stdin');
    fakeCommand(
      sandbox.dir,
      'docker-credential-fake',
      `[ "$1" = get ] || exit 3\nread -r server\nprintf '%s' "$server" > '${stdinLog}'\n` +
        `[ "$server" = ghcr.io ] || { echo "credentials not found in native keychain"; exit 1; }\n` +
        `echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret"}'`,
    );
    const dir = writeDockerConfig(sandbox.dir, {
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
      sandbox.dir,
      'docker-credential-store',
      `read -r server\n[ "$server" = "https://index.docker.io/v1/" ] || exit 1\n` +
        `echo '{"Username":"hub","Secret":"hubsecret"}'`,
    );
    const dir = writeDockerConfig(sandbox.dir, {
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
    const dir = writeDockerConfig(sandbox.dir, {
      credHelpers: { 'ghcr.io': 'not-installed-anywhere' },
    });
    await expect(credentialsFromDockerConfig('ghcr.io', dir)).resolves.toBeUndefined();
    const sneaky = writeDockerConfig(sandbox.dir, { credHelpers: { 'ghcr.io': '../../bin/sh' } });
    await expect(credentialsFromDockerConfig('ghcr.io', sneaky)).resolves.toBeUndefined();
  });
});

// The push preflight reads Docker's config as docker/cli does (cli/config/configfile/file.go
// GetCredentialsStore, cli/config/credentials/native_store.go and file_store.go): a helper named
// for the host in credHelpers, else credsStore, is the only store asked (`docker-credential-<name>
// get`, server on stdin); without a helper, an auths entry. Helpers here are real executables.
describe('the push preflight', () => {
  let preflightSandbox: string;
  let savedPath: string | undefined;
  beforeEach(() => {
    preflightSandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-test-'));
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(preflightSandbox, { recursive: true, force: true });
  });

  const b64 = (s: string) => Buffer.from(s).toString('base64');

  function configDir(config: object): string {
    const dir = fs.mkdtempSync(path.join(preflightSandbox, 'config-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  }

  /** A docker-credential-<name> that knows `hosts` (the docker-credential-helpers protocol). */
  function helper(name: string, hosts: string[], username = 'octo'): void {
    const bin = path.join(preflightSandbox, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const known = hosts.map((host) => `"${host}"`).join('|');
    fs.writeFileSync(
      path.join(bin, `docker-credential-${name}`),
      `#!/bin/sh\n[ "$1" = get ] || exit 3\nread -r server\ncase "$server" in\n` +
        `  ${known}) printf '{"ServerURL":"%s","Username":"${username}","Secret":"s3cr3t"}' "$server" ;;\n` +
        `  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
  }

  describe('dockerHoldsCredentials', () => {
    it('finds an auths entry: auth, username and password, or an identity token', async () => {
      const dir = configDir({
        auths: {
          'ghcr.io': { auth: b64('octo:ghp_x') },
          'https://registry.example.com/v1/': { username: 'u', password: 'p' },
          'quay.io': { identitytoken: 'refresh-token' },
          'https://index.docker.io/v1/': { auth: b64('hub:pass') },
          'empty.example.com': {},
        },
      });
      for (const host of ['ghcr.io', 'registry.example.com', 'quay.io', 'docker.io'])
        await expect(dockerHoldsCredentials(host, dir)).resolves.toBe(true);
      for (const host of ['empty.example.com', 'other.example.com', 'localhost:5000'])
        await expect(dockerHoldsCredentials(host, dir)).resolves.toBe(false);
    });

    it('is false without a config file or with a broken one', async () => {
      await expect(
        dockerHoldsCredentials('ghcr.io', path.join(preflightSandbox, 'absent')),
      ).resolves.toBe(false);
      const dir = path.join(preflightSandbox, 'broken');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'config.json'), '{not json');
      await expect(dockerHoldsCredentials('ghcr.io', dir)).resolves.toBe(false);
    });

    it('asks the credsStore helper, and only it: an auths entry does not count beside a helper', async () => {
      helper('store', ['ghcr.io']);
      const dir = configDir({ credsStore: 'store', auths: { 'quay.io': { auth: b64('a:b') } } });
      await expect(dockerHoldsCredentials('ghcr.io', dir)).resolves.toBe(true);
      // docker login with a credsStore leaves an empty auths entry; the helper holds the secret.
      await expect(dockerHoldsCredentials('quay.io', dir)).resolves.toBe(false);
    });

    it('prefers the host’s credHelpers entry over credsStore', async () => {
      helper('ecr', ['123.dkr.ecr.eu-west-1.amazonaws.com']);
      helper('store', ['ghcr.io']);
      const dir = configDir({
        credsStore: 'store',
        credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr' },
      });
      await expect(
        dockerHoldsCredentials('123.dkr.ecr.eu-west-1.amazonaws.com', dir),
      ).resolves.toBe(true);
      await expect(dockerHoldsCredentials('ghcr.io', dir)).resolves.toBe(true);
    });

    it('an identity token from a helper counts; a helper that cannot run does not', async () => {
      helper('tokens', ['ghcr.io'], '<token>');
      await expect(
        dockerHoldsCredentials('ghcr.io', configDir({ credsStore: 'tokens' })),
      ).resolves.toBe(true);
      await expect(
        dockerHoldsCredentials('ghcr.io', configDir({ credsStore: 'absent' })),
      ).resolves.toBe(false);
    });
  });

  describe('requireStoredCredentials', () => {
    it('names both ways in when Docker holds nothing for the host', async () => {
      const dir = configDir({ auths: { 'ghcr.io': { auth: b64('octo:x') } } });
      await expect(requireStoredCredentials('ghcr.io', dir)).resolves.toBeUndefined();
      await expect(requireStoredCredentials('registry.example.com', dir)).rejects.toThrow(
        `push: Docker holds no credentials for registry.example.com (${path.join(dir, 'config.json')}), ` +
          'so the push would fail after the whole build: set registry-username and registry-password, ' +
          'or log in with docker/login-action in a step before this one',
      );
    });
  });
});

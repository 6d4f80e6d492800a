import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKeyMatches, credentialsFromDockerConfig } from '../../../src/docker/config.js';
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

// The push preflight reads Docker's config as docker/cli does (cli/config/configfile/file.go
// GetCredentialsStore, cli/config/credentials/native_store.go and file_store.go): a helper named
// for the host in credHelpers, else credsStore, is the only store asked (`docker-credential-<name>
// get`, server on stdin); without a helper, an auths entry. Helpers here are real executables.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerHoldsCredentials, requireStoredCredentials } from '../../../src/docker/config.js';

let sandbox: string;
let savedPath: string | undefined;
beforeEach(() => {
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-test-'));
  savedPath = process.env.PATH;
});
afterEach(() => {
  process.env.PATH = savedPath;
  fs.rmSync(sandbox, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function configDir(config: object): string {
  const dir = fs.mkdtempSync(path.join(sandbox, 'config-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** A docker-credential-<name> that knows `hosts` (the docker-credential-helpers protocol). */
function helper(name: string, hosts: string[], username = 'octo'): void {
  const bin = path.join(sandbox, 'bin');
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
    await expect(dockerHoldsCredentials('ghcr.io', path.join(sandbox, 'absent'))).resolves.toBe(
      false,
    );
    const dir = path.join(sandbox, 'broken');
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
    await expect(dockerHoldsCredentials('123.dkr.ecr.eu-west-1.amazonaws.com', dir)).resolves.toBe(
      true,
    );
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

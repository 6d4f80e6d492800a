// lookupDigest and lookupPlatforms against the harness's real registry (distribution 2.8), with its
// proxy showing the auth schemes and quirks of other registries: anonymous pulls, Bearer tokens
// from a realm (distribution docs/content/spec/auth/token.md), identity tokens traded as refresh
// tokens (spec/auth/oauth.md), HEAD without Docker-Content-Digest, and manifest GETs redirected to
// a blob store on another origin.
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromDockerConfig } from '../../../src/docker/config.js';
import { MANIFEST_MEDIA_TYPES } from '../../../src/registry/client.js';
import { lookupDigest, lookupPlatforms } from '../../../src/registry/lookup.js';
import { freePort } from '../../harness/net.js';
import { startRegistry } from '../../harness/registry.js';
import { forThisFile } from '../../harness/suite.js';
import { fakeCommand, rejection, useSandbox, writeDockerConfig } from '../support.js';

const registry = forThisFile(
  () => startRegistry({ username: 'robot', password: 'pa55-w0rd-secret' }),
  (r) => r.stop(),
);
const sandbox = useSandbox('registry-test-', (dir) => ({
  // No stray ~/.docker/config.json from the machine running the tests.
  DOCKER_CONFIG: path.join(dir, 'no-docker-config'),
}));
beforeEach(() => {
  registry.configure();
  registry.clearRequests();
});

const fast = { retryDelayMs: 1 };
const credentials = () => ({ username: registry.username, password: registry.password });
const ref = (tag: string) => `${registry.host}/acme/ubuntu:${tag}`;
const requests = () =>
  registry.requests.map(({ method, path, scheme, status }) => ({ method, path, scheme, status }));

describe('lookupDigest', () => {
  it('returns Docker-Content-Digest from an anonymous HEAD, asking for every manifest type', async () => {
    registry.configure({ auth: 'anonymous' });
    const digest = await registry.pushManifest('acme/ubuntu', 'k3s-1.32.3-v4.9.38');
    await expect(lookupDigest(ref('k3s-1.32.3-v4.9.38'), fast)).resolves.toBe(digest);
    expect(registry.requests).toHaveLength(1);
    expect(registry.requests[0].method).toBe('HEAD');
    expect(registry.requests[0].path).toBe('/v2/acme/ubuntu/manifests/k3s-1.32.3-v4.9.38');
    for (const type of MANIFEST_MEDIA_TYPES) expect(registry.requests[0].accept).toContain(type);
  });

  it('returns undefined for a tag the registry does not have', async () => {
    registry.configure({ auth: 'anonymous' });
    await registry.pushManifest('acme/ubuntu', 'a');
    await expect(lookupDigest(ref('b'), fast)).resolves.toBeUndefined();
  });

  it('answers a Basic challenge with the given credentials', async () => {
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), { ...fast, credentials: credentials() })).resolves.toBe(
      digest,
    );
    expect(registry.requests.map((r) => [r.scheme, r.username, r.status])).toEqual([
      [undefined, undefined, 401],
      ['basic', 'robot', 200],
    ]);
  });

  it('reports refused Basic credentials without showing them', async () => {
    await registry.pushManifest('acme/ubuntu', 't');
    const error = await rejection(
      lookupDigest(ref('t'), { ...fast, credentials: { username: 'robot', password: 'wrong-pw' } }),
    );
    expect(error.message).toMatch(/Registry 127\.0\.0\.1:\d+ answered HTTP 401/);
    expect(error.message).not.toContain('wrong-pw');
    expect(error.message).not.toContain(Buffer.from('robot:wrong-pw').toString('base64'));
  });

  it('says when a Basic challenge finds no credentials', async () => {
    await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), fast)).rejects.toThrow(/needs credentials/);
  });

  it('follows a Bearer challenge to the token endpoint with Basic credentials', async () => {
    registry.configure({ auth: 'token' });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), { ...fast, credentials: credentials() })).resolves.toBe(
      digest,
    );
    expect(registry.requests.map((r) => [r.method, r.path, r.query, r.scheme, r.status])).toEqual([
      ['HEAD', '/v2/acme/ubuntu/manifests/t', '', undefined, 401],
      [
        'GET',
        '/token',
        'service=harness-registry&scope=repository%3Aacme%2Fubuntu%3Apull',
        'basic',
        200,
      ],
      ['HEAD', '/v2/acme/ubuntu/manifests/t', '', 'bearer', 200],
    ]);
    expect(registry.requests[1].username).toBe('robot');
  });

  it('gets an anonymous Bearer token (access_token) when there are no credentials', async () => {
    registry.configure({ auth: 'token', tokenField: 'access_token' });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), fast)).resolves.toBe(digest);
    expect(registry.requests[1].authorization).toBe(false);
  });

  it('reports a refused token request without showing the password', async () => {
    registry.configure({ auth: 'token' });
    await registry.pushManifest('acme/ubuntu', 't');
    const error = await rejection(
      lookupDigest(ref('t'), { ...fast, credentials: { username: 'robot', password: 'nope-pw' } }),
    );
    expect(error.message).toMatch(
      /token request to 127\.0\.0\.1:\d+ failed with HTTP 401: the credentials were refused/,
    );
    expect(error.message).not.toContain('nope-pw');
  });

  it('retries 503 twice, then returns the digest', async () => {
    registry.configure({ auth: 'anonymous' });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    registry.failNext({ count: 2, status: 503 });
    await expect(lookupDigest(ref('t'), fast)).resolves.toBe(digest);
    expect(requests().map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('gives up on a persistent 500 with a clear error', async () => {
    registry.configure({ auth: 'anonymous' });
    await registry.pushManifest('acme/ubuntu', 't');
    // Exactly three: a fourth try would succeed, so only giving up after three passes.
    registry.failNext({ count: 3, status: 500 });
    await expect(lookupDigest(ref('t'), fast)).rejects.toThrow(
      new RegExp(
        `^Registry ${registry.host} answered HTTP 500 for HEAD /v2/acme/ubuntu/manifests/t \\(3 attempts\\)$`,
      ),
    );
    expect(requests().map((r) => r.status)).toEqual([500, 500, 500]);
  });

  it('honours retries', async () => {
    registry.failNext({ count: 5, status: 502 });
    await expect(lookupDigest(ref('t'), { ...fast, retries: 5 })).rejects.toThrow(
      /HTTP 502 .*\(5 attempts\)/,
    );
    expect(registry.requests).toHaveLength(5);
  });

  it('names the registry when it cannot be reached', async () => {
    const port = await freePort();
    await expect(lookupDigest(`127.0.0.1:${port}/acme/ubuntu:t`, fast)).rejects.toThrow(
      new RegExp(
        `^Could not reach registry 127.0.0.1:${port} for HEAD .*: ECONNREFUSED \\(3 attempts\\)$`,
      ),
    );
  });

  it('hashes the manifest when HEAD has no Docker-Content-Digest', async () => {
    registry.configure({ auth: 'anonymous', omitDigestOnHead: true });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), fast)).resolves.toBe(digest);
    expect(registry.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('does not carry the Authorization header across a redirect to another origin', async () => {
    registry.configure({ omitDigestOnHead: true, redirectManifestGets: true });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    await expect(lookupDigest(ref('t'), { ...fast, credentials: credentials() })).resolves.toBe(
      digest,
    );
    const atBlobStore = registry.requests.filter((r) => r.blobStore);
    expect(atBlobStore.map((r) => [r.method, r.path, r.authorization, r.status])).toEqual([
      ['GET', '/v2/acme/ubuntu/manifests/t', false, 200],
    ]);
    // The registry itself got the credentials, and sent the authorised GET on.
    expect(requests()).toContainEqual({
      method: 'GET',
      path: '/v2/acme/ubuntu/manifests/t',
      scheme: 'basic',
      status: 307,
    });
  });

  it('takes credentials from the Docker config when none are given', async () => {
    registry.configure({ auth: 'token' });
    const digest = await registry.pushManifest('acme/ubuntu', 't');
    const dir = writeDockerConfig(sandbox.dir, {
      auths: {
        [`https://${registry.host}`]: {
          auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64'),
        },
      },
    });
    await expect(lookupDigest(ref('t'), { ...fast, dockerConfigDir: dir })).resolves.toBe(digest);
    expect([registry.requests[1].scheme, registry.requests[1].username]).toEqual([
      'basic',
      'robot',
    ]);

    registry.clearRequests();
    process.env.DOCKER_CONFIG = dir;
    await expect(lookupDigest(ref('t'), fast)).resolves.toBe(digest);
    expect([registry.requests[1].scheme, registry.requests[1].username]).toEqual([
      'basic',
      'robot',
    ]);
  });
});

describe('identity tokens (az acr login)', () => {
  // docker/cli stores an identity token as auths[host].identitytoken (cli/config/types/authconfig.go),
  // or as the Secret of user "<token>" in a credential helper (cli/config/credentials/native_store.go).
  it('reads identitytoken from config.json and trades it as a refresh token for a bearer', async () => {
    registry.configure({ auth: 'token', tokenField: 'access_token' });
    const digest = await registry.pushManifest('acme/ubuntu', 'acr');
    const dir = writeDockerConfig(sandbox.dir, {
      auths: { [registry.host]: { auth: '', identitytoken: registry.identityToken } },
    });
    await expect(lookupDigest(ref('acr'), { ...fast, dockerConfigDir: dir })).resolves.toBe(digest);
    expect(requests()).toEqual([
      { method: 'HEAD', path: '/v2/acme/ubuntu/manifests/acr', scheme: undefined, status: 401 },
      { method: 'POST', path: '/token', scheme: undefined, status: 200 },
      { method: 'HEAD', path: '/v2/acme/ubuntu/manifests/acr', scheme: 'bearer', status: 200 },
    ]);
    // distribution docs/content/spec/auth/oauth.md: the refresh-token grant, as a form.
    expect(registry.requests[1].form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: registry.identityToken,
      client_id: 'canvos-provider-images-action',
      service: 'harness-registry',
      scope: 'repository:acme/ubuntu:pull',
    });
  });

  it('names a refused identity token without echoing it', async () => {
    registry.configure({ auth: 'token' });
    await registry.pushManifest('acme/ubuntu', 'acr');
    const dir = writeDockerConfig(sandbox.dir, {
      auths: { [registry.host]: { identitytoken: 'expired-refresh-token' } },
    });
    const error = await rejection(lookupDigest(ref('acr'), { ...fast, dockerConfigDir: dir }));
    expect(error.message).toMatch(
      /token request to .* failed with HTTP 401: the credentials were refused/,
    );
    expect(error.message).not.toContain('expired-refresh-token');
  });

  it('takes a credential helper’s "<token>" answer as an identity token', async () => {
    fakeCommand(
      sandbox.dir,
      'docker-credential-acr',
      `[ "$1" = get ] || exit 3\nread -r server\necho '{"ServerURL":"x","Username":"<token>","Secret":"refresh-secret-456"}'`,
    );
    const dir = writeDockerConfig(sandbox.dir, { credHelpers: { 'acme.azurecr.io': 'acr' } });
    await expect(credentialsFromDockerConfig('acme.azurecr.io', dir)).resolves.toEqual({
      identityToken: 'refresh-secret-456',
    });
  });
});

describe('lookupPlatforms', () => {
  it('lists an index’s platforms, with an anonymous Bearer token as Artifact Registry gives', async () => {
    registry.configure({ auth: 'token' });
    await registry.pushImage('mirror/buildkitd', 'v0.8.15', ['linux/amd64', 'linux/arm64']);
    await expect(
      lookupPlatforms(`${registry.host}/mirror/buildkitd:v0.8.15`, fast),
    ).resolves.toEqual(['linux/amd64', 'linux/arm64']);
    expect(requests()).toEqual([
      {
        method: 'GET',
        path: '/v2/mirror/buildkitd/manifests/v0.8.15',
        scheme: undefined,
        status: 401,
      },
      {
        method: 'GET',
        path: '/token',
        scheme: undefined,
        status: 200,
      },
      {
        method: 'GET',
        path: '/v2/mirror/buildkitd/manifests/v0.8.15',
        scheme: 'bearer',
        status: 200,
      },
    ]);
  });

  it('reads a single image’s platform from its config blob', async () => {
    registry.configure({ auth: 'anonymous' });
    await registry.pushImage('mirror/buildkitd', 'single', ['linux/arm64'], { list: false });
    await expect(
      lookupPlatforms(`${registry.host}/mirror/buildkitd:single`, fast),
    ).resolves.toEqual(['linux/arm64']);
    expect(
      requests().map((r) => `${r.method} ${r.path.replace(/sha256:\w+/, 'sha256:…')}`),
    ).toEqual([
      'GET /v2/mirror/buildkitd/manifests/single',
      'GET /v2/mirror/buildkitd/blobs/sha256:…',
    ]);
  });

  it('is undefined for an image the registry does not have, and names a refusal', async () => {
    registry.configure({ auth: 'anonymous' });
    await expect(lookupPlatforms(ref('nothing'), fast)).resolves.toBeUndefined();
    registry.configure({ auth: 'htpasswd' });
    expect((await rejection(lookupPlatforms(ref('private'), fast))).message).toBe(
      `Registry ${registry.host} needs credentials (a user and password) to read acme/ubuntu, and none were given or found in the Docker config`,
    );
  });
});

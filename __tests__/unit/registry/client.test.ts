// RegistryClient, the conversation lookupDigest and lookupPlatforms hold with a registry, against
// the harness's real registry (distribution 2.8) and its proxy: a 401 answered once from its
// challenge (distribution docs/content/spec/api.md and spec/auth/token.md), 404 as "not there",
// and every other status an error that names the registry and never a credential.
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseImageRef } from '../../../src/core/image-ref.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { startRegistry } from '../../harness/registry.js';
import { forThisFile } from '../../harness/suite.js';
import { rejection, useSandbox } from '../support.js';

const registry = forThisFile(
  () => startRegistry({ username: 'robot', password: 'cl1ent-secret' }),
  (r) => r.stop(),
);
useSandbox('registry-client-test-', (dir) => ({
  DOCKER_CONFIG: path.join(dir, 'no-docker-config'),
}));
beforeEach(() => {
  registry.configure();
  registry.clearRequests();
});

const client = (credentials?: { username: string; password: string }) =>
  new RegistryClient(parseImageRef(`${registry.host}/acme/buildkitd:v1`), {
    credentials,
    retryDelayMs: 1,
  });
const seen = () => registry.requests.map((r) => [r.method, r.scheme, r.status]);

describe('RegistryClient', () => {
  it('answers a 401 once: refused credentials end in an error, not a loop', async () => {
    await registry.pushManifest('acme/buildkitd', 'v1');
    const wrong = client({ username: 'robot', password: 'wrong' });
    const response = await wrong.request('GET', 'manifests/v1');
    expect(response.status).toBe(401);
    await response.body?.cancel();
    expect(seen()).toEqual([
      ['GET', undefined, 401],
      ['GET', 'basic', 401],
    ]);
    const error = await rejection(wrong.read('manifests/v1', 'acme/buildkitd:v1'));
    expect(error.message).toBe(
      `Registry ${registry.host} answered HTTP 401 for GET acme/buildkitd:v1 (the credentials were refused or lack pull access, or the repository does not exist yet)`,
    );
    expect(error.message).not.toContain('wrong');
  });

  it('reads bytes, through a redirect to a blob store, and 404 as not there', async () => {
    registry.configure({ redirectManifestGets: true });
    await registry.pushManifest('acme/buildkitd', 'v1');
    const ok = client({ username: 'robot', password: 'cl1ent-secret' });
    const body = await ok.read('manifests/v1', 'acme/buildkitd:v1');
    expect(JSON.parse(body?.toString('utf8') ?? '{}')).toMatchObject({ schemaVersion: 2 });
    expect(registry.requests.filter((r) => r.blobStore).map((r) => r.authorization)).toEqual([
      false,
    ]);
    await expect(ok.read('manifests/v2', 'acme/buildkitd:v2')).resolves.toBeUndefined();
  });

  it('retries a 503 and then takes the answer', async () => {
    registry.configure({ auth: 'anonymous' });
    await registry.pushManifest('acme/buildkitd', 'v1');
    registry.failNext({ count: 1, status: 503 });
    const response = await client().request('HEAD', 'manifests/v1');
    expect(response.status).toBe(200);
    expect(seen()).toEqual([
      ['HEAD', undefined, 503],
      ['HEAD', undefined, 200],
    ]);
  });
});

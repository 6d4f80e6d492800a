// What exists before and after the build, asked of the harness's real registry and Docker engine.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageResults } from '../../../src/core/report.js';
import { ActionError } from '../../../src/errors.js';
import { existingImages, verifyImages } from '../../../src/registry/check.js';
import { useDockerAndRegistry } from '../../harness/suite.js';
import {
  captureStdout,
  checkoutV4_10,
  inputs,
  makePlan,
  rejection,
  useSandbox,
} from '../support.js';

const env = useDockerAndRegistry();
useSandbox('check-test-', (dir) => ({
  DOCKER_HOST: env.engine.host,
  DOCKER_CONFIG: join(dir, 'docker-config'),
}));

/** Two images under a repository of this test's own, read with the registry's credentials. */
function plan(repo: string, push = true) {
  const { registry } = env;
  return makePlan(
    inputs({
      imageRegistry: `${registry.host}/${repo}`,
      k8sVersion: { kind: 'list', items: ['1.35.2', '1.35.3'] },
      push,
      registryAuth: { username: registry.username, password: registry.password },
    }),
    checkoutV4_10(),
  );
}
/** Pushes the image `ref` names (host/repo:tag) to the registry; its digest. */
const push = (ref: string) => {
  const [, repo, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(ref)!;
  return env.registry.pushManifest(repo, tag);
};

describe('existingImages', () => {
  it('finds the planned images already published, and only those', async () => {
    captureStdout();
    const p = plan('existing');
    const digest = await push(p.images[1].ref);
    const present = await existingImages(p);
    expect([...present]).toEqual([[p.images[1].ref, digest]]);
  });

  it('an image it cannot look up is built, with a warning', async () => {
    const printed = captureStdout();
    const p = plan('refused');
    p.registry.credentials = { username: 'robot', password: 'wrong' };
    await expect(existingImages(p)).resolves.toEqual(new Map());
    expect(printed.filter((l) => l.startsWith('::warning::Could not tell whether'))).toHaveLength(
      2,
    );
  });
});

describe('verifyImages', () => {
  it('records the registry digest of each pushed image, skipping the ones that existed', async () => {
    captureStdout();
    const p = plan('verified');
    const existed = await push(p.images[0].ref);
    const images = imageResults(p, new Map([[p.images[0].ref, existed]]));
    const built = await push(p.images[1].ref);
    await verifyImages(p, images);
    expect(images.map((i) => [i.status, i.digest, i.pushed])).toEqual([
      ['skipped', existed, false],
      ['pushed', built, true],
    ]);
  });

  it('an image missing after the build fails the step, naming it', async () => {
    captureStdout();
    const p = plan('missing');
    const error = await rejection(verifyImages(p, imageResults(p, new Map())));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toBe(
      `Earthly succeeded but these images could not be confirmed in the registry: ${p.images.map((i) => `${i.ref} (not found in the registry)`).join('; ')}`,
    );
  });

  it('a lookup that fails names the image and the reason, and the other digests are still kept', async () => {
    captureStdout();
    const p = plan('half-confirmed');
    const built = await push(p.images[0].ref);
    const images = imageResults(p, new Map());
    // The second lookup answers 401: the registry refuses the (now wrong) credentials.
    const real = p.registry.credentials;
    let lookups = 0;
    Object.defineProperty(p.registry, 'credentials', {
      get: () => (++lookups > 1 ? { username: 'robot', password: 'wrong' } : real),
    });
    const error = await rejection(verifyImages(p, images));
    expect(error.message).toMatch(
      new RegExp(
        `^Earthly succeeded but these images could not be confirmed in the registry: ${p.images[1].ref.replace(/[.]/g, '\\.')} \\(Registry .* answered HTTP 401`,
      ),
    );
    expect(error.message).not.toContain(p.images[0].ref);
    expect(images[0].digest).toBe(built);
  });

  it('without push, looks in the local Docker instead', async () => {
    captureStdout();
    const p = plan('local', false);
    const error = await rejection(verifyImages(p, imageResults(p, new Map())));
    expect(error.message).toMatch(
      /^Earthly succeeded but these images could not be confirmed in the local Docker: .*\(not found in the local Docker\)$/,
    );
    expect(env.registry.requests.filter((r) => r.path.includes('/local/'))).toEqual([]);
  });
});

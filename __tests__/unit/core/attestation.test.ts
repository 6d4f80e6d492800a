import { describe, expect, it } from 'vitest';
import { attestationSubjects, pushedDigests, subjectName } from '../../../src/core/attestation.js';
import { type ImageResult, imageResults } from '../../../src/core/report.js';
import { checkoutV4_10, inputs, makePlan } from '../support.js';

const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;

/** Three planned images, as verifyImages leaves them: pushed now, already there, not found. */
function results(imageRegistry = 'ghcr.io/acme'): ImageResult[] {
  const plan = makePlan(
    inputs({
      imageRegistry,
      k8sVersion: { kind: 'list', items: ['1.32.3', '1.32.13', '1.33.10'] },
    }),
    checkoutV4_10(),
  );
  const [pushed, skipped, planned] = imageResults(
    plan,
    new Map([[plan.images[1].ref, DIGEST('b')]]),
  );
  return [{ ...pushed, digest: DIGEST('a'), pushed: true, status: 'pushed' }, skipped, planned];
}

describe('attestationSubjects', () => {
  it('names each image this run pushed without its tag, with its digest; skips the rest', () => {
    expect(attestationSubjects(results())).toEqual([
      { name: 'ghcr.io/acme/ubuntu', digest: DIGEST('a') },
    ]);
  });

  it('nothing pushed (a dry run, a re-run where every image exists, push: false): []', () => {
    const [, skipped, planned] = results();
    const built: ImageResult = { ...planned, imageId: DIGEST('c'), status: 'built' };
    expect(attestationSubjects([skipped, planned, built])).toEqual([]);
    expect(pushedDigests([skipped, planned, built])).toEqual([]);
  });

  // actions/attest-build-provenance README (v3.2.0), "Container Image": a fully qualified name,
  // no tag, and "index.docker.io" as the registry part for Docker Hub.
  it.each([
    ['docker.io', 'index.docker.io/acme/ubuntu'],
    ['index.docker.io', 'index.docker.io/acme/ubuntu'],
    ['registry-1.docker.io', 'index.docker.io/acme/ubuntu'],
    ['localhost:5000', 'localhost:5000/acme/ubuntu'],
  ])('registry %s is named %s', (host, name) => {
    expect(subjectName({ registry: host, repository: 'acme/ubuntu' })).toBe(name);
    expect(attestationSubjects(results(`${host}/acme`))[0].name).toBe(name);
  });
});

describe('pushedDigests', () => {
  it('is ref@digest of each image this run pushed, for cosign sign', () => {
    const [pushed] = results();
    expect(pushedDigests(results())).toEqual([`${pushed.ref}@${DIGEST('a')}`]);
    expect(pushed.ref).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo');
  });
});

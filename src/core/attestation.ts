/**
 * What supply-chain steps after this one need: the images this run pushed, as subjects for
 * actions/attest-build-provenance and as `ref@digest` for `cosign sign`. Images that were already
 * in the registry (skip-existing) are left out, so a re-run attests and signs nothing twice.
 */
import { DOCKER_HUB_ALIASES } from './image-ref.js';
import type { ImageResult } from './report.js';

export interface AttestationSubject {
  /** The fully qualified image name without a tag (attest-build-provenance's `subject-name`). */
  name: string;
  digest: string; // sha256:…
}

type Pushed = ImageResult & { digest: string };

function pushedNow(images: ImageResult[]): Pushed[] {
  return images.filter((image): image is Pushed => image.pushed && !!image.digest);
}

/**
 * attest-build-provenance pushes the attestation to `subject-name`'s registry, and asks for
 * Docker Hub to be named `index.docker.io` (its README, "Container Image").
 */
export function subjectName(image: Pick<ImageResult, 'registry' | 'repository'>): string {
  const host = DOCKER_HUB_ALIASES.includes(image.registry) ? 'index.docker.io' : image.registry;
  return `${host}/${image.repository}`;
}

export function attestationSubjects(images: ImageResult[]): AttestationSubject[] {
  return pushedNow(images).map((image) => ({ name: subjectName(image), digest: image.digest }));
}

/** `ref@digest`: cosign signs the digest (go-containerregistry drops the tag of `name:tag@digest`). */
export function pushedDigests(images: ImageResult[]): string[] {
  return pushedNow(images).map((image) => `${image.ref}@${image.digest}`);
}

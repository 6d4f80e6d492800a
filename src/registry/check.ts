/** What the registry (or the local Docker) says about the planned images, before and after the build. */
import * as core from '@actions/core';
import { type ImageResult, existingLine } from '../core/report.js';
import type { Plan } from '../core/plan.js';
import { lookupLocalImage } from '../docker/cli.js';
import { ActionError, errorMessage } from '../errors.js';
import { lookupDigest } from './lookup.js';

/** The planned images already published (ref → digest): a re-run skips them. */
export async function existingImages(plan: Plan): Promise<Map<string, string>> {
  const present = new Map<string, string>();
  for (const image of plan.images) {
    // A lookup that fails (e.g. a package that does not exist yet answers 401) means: build it.
    const digest = await lookupDigest(image.ref, {
      credentials: plan.registry.credentials,
      ca: plan.registry.ca,
    }).catch((error) => {
      core.warning(
        `Could not tell whether ${image.ref} exists (${errorMessage(error)}): building it`,
      );
      return undefined;
    });
    if (!digest) continue;
    present.set(image.ref, digest);
    core.info(`${image.ref} already exists (${digest}): skipping`);
  }
  core.info(existingLine(plan.images.length, present.size));
  return present;
}

/**
 * Confirms each built image where it should be — the registry after a push, the local Docker
 * otherwise — and records its digest or image id. Every image is looked up, even after one fails,
 * so the digests found still reach the outputs; the error then names each image not confirmed
 * and why.
 */
export async function verifyImages(plan: Plan, images: ImageResult[]): Promise<void> {
  const where = plan.push ? 'in the registry' : 'in the local Docker';
  const unconfirmed: string[] = [];
  for (const image of images) {
    if (image.skipped) continue;
    try {
      await confirm(plan, image);
    } catch (error) {
      unconfirmed.push(`${image.ref} (${errorMessage(error)})`);
      continue;
    }
    const found = image.digest ?? image.imageId;
    if (!found) unconfirmed.push(`${image.ref} (not found ${where})`);
    else core.info(`${image.ref}${image.digest ? '@' : ' image id '}${found}`);
  }
  if (unconfirmed.length) {
    throw new ActionError(
      `Earthly succeeded but these images could not be confirmed ${where}: ${unconfirmed.join('; ')}`,
    );
  }
}

async function confirm(plan: Plan, image: ImageResult): Promise<void> {
  if (plan.push) {
    image.status = 'pushed';
    image.digest = await lookupDigest(image.ref, {
      credentials: plan.registry.credentials,
      ca: plan.registry.ca,
    });
    image.pushed = image.digest !== undefined;
  } else {
    image.status = 'built';
    image.imageId = await lookupLocalImage(image.ref);
  }
}

import semver from 'semver';
import { InputError } from '../errors.js';
import type { K8sVersionRequest } from './inputs/types.js';

function byVersion(a: string, b: string): number {
  return semver.compare(semver.coerce(a) ?? '0.0.0', semver.coerce(b) ?? '0.0.0');
}

function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The newest patch of each minor, ascending: a ready-made matrix. */
export function newestPatches(available: string[]): string[] {
  const newest = new Map<string, string>();
  for (const version of [...available].sort(byVersion)) newest.set(minorOf(version), version);
  return [...newest.values()];
}

/**
 * Turns the request into the exact versions to build, all of them listed for the distribution
 * at this CanvOS tag; anything else is an error that shows what is listed.
 */
export function selectK8sVersions(
  request: K8sVersionRequest,
  available: string[],
  where: { distribution: string; tag: string },
): string[] {
  const sorted = [...available].sort(byVersion);
  if (sorted.length === 0) {
    throw new InputError(
      'k8s-distribution',
      `CanvOS ${where.tag} lists no Kubernetes versions for ${where.distribution} in k8s_version.json`,
    );
  }
  if (request.kind === 'all') return sorted;
  if (request.kind === 'latest') return [sorted[sorted.length - 1]];
  const chosen = new Set<string>();
  for (const item of request.items) {
    const isMinor = item.split('.').length === 2;
    const match = isMinor
      ? sorted.filter((version) => minorOf(version) === item).pop()
      : sorted.find((version) => version === item);
    if (!match) {
      const listed = isMinor ? newestPatches(sorted).map(minorOf) : sorted;
      // The runner turns an unquoted YAML `1.30` into the number 1.3, then the string "1.3".
      if (isMinor && listed.includes(`${item}0`)) {
        throw new InputError(
          'k8s-version',
          `${item} is not listed for ${where.distribution} at CanvOS ${where.tag}, but ${item}0 is: YAML reads an unquoted ${item}0 as the number ${item}; quote it ('${item}0')`,
        );
      }
      throw new InputError(
        'k8s-version',
        `${item} is not listed for ${where.distribution} at CanvOS ${where.tag}; listed: ${listed.join(', ')}`,
      );
    }
    chosen.add(match);
  }
  return [...chosen].sort(byVersion);
}

const GiB = 1024 ** 3;
/**
 * A provider image is 4-5 GB, but most of it is the base every Kubernetes version shares (OS,
 * kernel, Kairos): BuildKit builds and stores those layers once per run, and Docker stores a layer
 * once however many images hold it. So: the shared base once, plus each version's own layers, plus
 * BuildKit's working cache. Estimates, rounded up.
 */
export const BASE_LAYERS_BYTES = 4 * GiB;
export const K8S_LAYERS_BYTES = 1 * GiB;
export const BUILD_CACHE_BYTES = 3 * GiB;

export function bytesNeeded(imageCount: number): number {
  if (imageCount === 0) return 0;
  return BUILD_CACHE_BYTES + BASE_LAYERS_BYTES + imageCount * K8S_LAYERS_BYTES;
}

export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** A sentence for the log when space is short, or undefined when there is enough. */
export function diskAdvice(
  path: string,
  freeBytes: number,
  imageCount: number,
): string | undefined {
  const needed = bytesNeeded(imageCount);
  if (freeBytes >= needed) return undefined;
  return (
    `Only ${formatGiB(freeBytes)} free at ${path}; ${imageCount} provider image(s) need about ${formatGiB(needed)}. ` +
    'Free space first (for example remove /usr/share/dotnet, /usr/local/lib/android and /opt/ghc on hosted runners), ' +
    'build fewer Kubernetes versions per job with a matrix, use a larger runner, or use a remote buildkit-host.'
  );
}

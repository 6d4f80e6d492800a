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

/** With `exported` (push: false), the images are also written into the local Docker: their layers twice. */
export function bytesNeeded(imageCount: number, exported = false): number {
  if (imageCount === 0) return 0;
  const images = BASE_LAYERS_BYTES + imageCount * K8S_LAYERS_BYTES;
  return BUILD_CACHE_BYTES + (exported ? 2 : 1) * images;
}

export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** A sentence for the log when space is short, or undefined when there is enough. */
export function diskAdvice(
  path: string,
  freeBytes: number,
  imageCount: number,
  exported = false,
): string | undefined {
  const needed = bytesNeeded(imageCount, exported);
  if (freeBytes >= needed) return undefined;
  return (
    `Only ${formatGiB(freeBytes)} free at ${path}; ${imageCount} provider image(s) need about ${formatGiB(needed)}. ` +
    'Free space first (for example remove /usr/share/dotnet, /usr/local/lib/android and /opt/ghc on hosted runners), ' +
    'build fewer Kubernetes versions per job with a matrix, use a larger runner, or use a remote buildkit-host.'
  );
}

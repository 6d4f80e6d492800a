const GiB = 1024 ** 3;
/** A provider image takes 4-5 GB; the first also brings BuildKit's base layers and cache. */
export const IMAGE_SIZE_BYTES = 5 * GiB;
export const BASE_CACHE_BYTES = 3 * GiB;

/** With `exported` (push: false), each image is also written into the local Docker: twice the room. */
export function bytesNeeded(imageCount: number, exported = false): number {
  const perImage = exported ? 2 * IMAGE_SIZE_BYTES : IMAGE_SIZE_BYTES;
  return imageCount === 0 ? 0 : BASE_CACHE_BYTES + imageCount * perImage;
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

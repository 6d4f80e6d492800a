/**
 * What a manifest says about the platforms an image runs on: pure reading of the OCI image spec
 * (image-index.md, manifest.md, config.md) and Docker's manifest list v2, schema 2.
 */

/** A content digest, `algorithm:encoded` (OCI image spec, descriptor.md). */
export const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/;

/** An index lists its platforms; a single-platform manifest names the config that holds its own. */
export type ManifestPlatforms = { platforms: string[] } | { configDigest: string };

/** `os/architecture[/variant]`, as Docker prints platforms. */
function platformName(platform: unknown): string | undefined {
  const { os, architecture, variant } = (platform ?? {}) as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return [os, architecture, ...(typeof variant === 'string' && variant ? [variant] : [])].join('/');
}

/**
 * The platforms of an index (`manifests[].platform`), or the config digest of a single image.
 * Entries without a platform, and buildx's attestation entries (`unknown/unknown`), run nowhere.
 */
export function manifestPlatforms(body: string): ManifestPlatforms {
  const manifest = (parseJson(body, 'manifest') ?? {}) as {
    manifests?: { platform?: unknown }[];
    config?: { digest?: unknown };
  };
  if (Array.isArray(manifest.manifests)) {
    const platforms = manifest.manifests
      .map((entry) => platformName(entry?.platform))
      .filter((name): name is string => name !== undefined && name !== 'unknown/unknown');
    return { platforms: [...new Set(platforms)] };
  }
  const digest = manifest.config?.digest;
  if (typeof digest === 'string' && DIGEST.test(digest)) return { configDigest: digest };
  throw new Error('the manifest has neither a platform list nor a config');
}

/** The platform in an image config (its `os`, `architecture` and `variant` fields). */
export function configPlatform(body: string): string {
  const name = platformName(parseJson(body, 'image config'));
  if (!name) throw new Error('the image config names no os and architecture');
  return name;
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`the registry's ${what} is not JSON`);
  }
}

// Reading platforms from manifests: the OCI image spec (image-index.md: `manifests[].platform`
// with `os`, `architecture`, `variant`; config.md: the same fields in the image config) and
// Docker's manifest list v2, schema 2. Buildx adds attestation entries whose platform is
// `unknown/unknown` (docker/buildx docs, attestation storage); they run nowhere.
import { describe, expect, it } from 'vitest';
import { configPlatform, manifestPlatforms } from '../../../src/registry/manifest.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('manifestPlatforms', () => {
  it('lists an index’s platforms, with variants, without attestations or repeats', () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest, platform: { os: 'linux', architecture: 'amd64' } },
        { digest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { digest, platform: { os: 'unknown', architecture: 'unknown' } },
        { digest, platform: { os: 'linux', architecture: 'amd64' } },
        { digest },
      ],
    };
    expect(manifestPlatforms(JSON.stringify(index))).toEqual({
      platforms: ['linux/amd64', 'linux/arm64/v8'],
    });
  });

  it('an empty list has no platform', () => {
    expect(manifestPlatforms('{"schemaVersion":2,"manifests":[]}')).toEqual({ platforms: [] });
  });

  it('names the config of a single-platform manifest', () => {
    const manifest = { schemaVersion: 2, config: { digest, size: 2 }, layers: [] };
    expect(manifestPlatforms(JSON.stringify(manifest))).toEqual({ configDigest: digest });
  });

  it('refuses what is neither, or not JSON, without echoing it', () => {
    expect(() => manifestPlatforms('{"config":{"digest":"../../etc"}}')).toThrow(
      'the manifest has neither a platform list nor a config',
    );
    expect(() => manifestPlatforms('null')).toThrow('neither');
    expect(() => manifestPlatforms('<html>secret</html>')).toThrow(
      "the registry's manifest is not JSON",
    );
  });
});

describe('configPlatform', () => {
  it('reads os, architecture and variant', () => {
    expect(configPlatform('{"os":"linux","architecture":"arm64","variant":"v8"}')).toBe(
      'linux/arm64/v8',
    );
    expect(configPlatform('{"os":"linux","architecture":"amd64","rootfs":{}}')).toBe('linux/amd64');
  });

  it('refuses a config without them', () => {
    expect(() => configPlatform('{}')).toThrow('the image config names no os and architecture');
    expect(() => configPlatform('nope')).toThrow("the registry's image config is not JSON");
  });
});

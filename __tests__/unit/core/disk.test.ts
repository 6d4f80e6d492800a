import { describe, expect, it } from 'vitest';
import {
  BASE_LAYERS_BYTES,
  BUILD_CACHE_BYTES,
  K8S_LAYERS_BYTES,
  bytesNeeded,
  diskAdvice,
  formatGiB,
} from '../../../src/core/disk.js';

const GiB = 1024 ** 3;

describe('bytesNeeded', () => {
  it('is nothing for no image; the shared base layers and the cache once, plus each version', () => {
    expect([BUILD_CACHE_BYTES, BASE_LAYERS_BYTES, K8S_LAYERS_BYTES]).toEqual([
      3 * GiB,
      4 * GiB,
      GiB,
    ]);
    expect(bytesNeeded(0)).toBe(0);
    expect(bytesNeeded(1)).toBe(8 * GiB); // one 4-5 GB image and its build cache
    expect(bytesNeeded(3)).toBe(10 * GiB); // not 3 × 5 GB: the base is counted once
    expect(bytesNeeded(57)).toBe(64 * GiB);
  });
});

describe('formatGiB', () => {
  it('shows one decimal', () => {
    expect(formatGiB(0)).toBe('0.0 GiB');
    expect(formatGiB(14.25 * GiB)).toBe('14.3 GiB');
  });
});

describe('diskAdvice', () => {
  it('says nothing when there is enough, or exactly enough', () => {
    expect(diskAdvice('/var/lib/docker', 100 * GiB, 3)).toBeUndefined();
    expect(diskAdvice('/var/lib/docker', 10 * GiB, 3)).toBeUndefined();
    expect(diskAdvice('/var/lib/docker', 0, 0)).toBeUndefined();
  });

  it('gives the numbers and what to do when short', () => {
    expect(diskAdvice('/var/lib/docker', 10 * GiB - 1, 3)).toBe(
      'Only 10.0 GiB free at /var/lib/docker; 3 provider image(s) need about 10.0 GiB. ' +
        'Free space first (for example remove /usr/share/dotnet, /usr/local/lib/android and /opt/ghc on hosted runners), ' +
        'build fewer Kubernetes versions per job with a matrix, use a larger runner, or use a remote buildkit-host.',
    );
    expect(diskAdvice('/mnt/docker', 6.5 * GiB, 1)).toMatch(
      /^Only 6\.5 GiB free at \/mnt\/docker; 1 provider image\(s\) need about 8\.0 GiB\. /,
    );
  });
});

describe('push: false', () => {
  it('counts the export into the local Docker: every image layer twice, the cache once', () => {
    // 3 GiB of BuildKit cache, then (4 GiB shared base + 1 GiB per version) in BuildKit and in Docker.
    expect(bytesNeeded(2, true)).toBe(3 * 1024 ** 3 + 2 * (4 + 2) * 1024 ** 3);
    expect(bytesNeeded(2, true)).toBeGreaterThan(bytesNeeded(2));
  });
});

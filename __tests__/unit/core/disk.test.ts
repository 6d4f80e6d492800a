import { describe, expect, it } from 'vitest';
import {
  BASE_CACHE_BYTES,
  IMAGE_SIZE_BYTES,
  bytesNeeded,
  diskAdvice,
  formatGiB,
} from '../../../src/core/disk.js';

const GiB = 1024 ** 3;

describe('bytesNeeded', () => {
  it('is nothing for no image, and 3 GiB of cache plus 5 GiB an image otherwise', () => {
    expect(IMAGE_SIZE_BYTES).toBe(5 * GiB);
    expect(BASE_CACHE_BYTES).toBe(3 * GiB);
    expect(bytesNeeded(0)).toBe(0);
    expect(bytesNeeded(1)).toBe(8 * GiB);
    expect(bytesNeeded(3)).toBe(18 * GiB);
    expect(bytesNeeded(57)).toBe(288 * GiB);
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
    expect(diskAdvice('/var/lib/docker', 18 * GiB, 3)).toBeUndefined();
    expect(diskAdvice('/var/lib/docker', 0, 0)).toBeUndefined();
  });

  it('gives the numbers and what to do when short', () => {
    expect(diskAdvice('/var/lib/docker', 18 * GiB - 1, 3)).toBe(
      'Only 18.0 GiB free at /var/lib/docker; 3 provider image(s) need about 18.0 GiB. ' +
        'Free space first (for example remove /usr/share/dotnet, /usr/local/lib/android and /opt/ghc on hosted runners), ' +
        'build fewer Kubernetes versions per job with a matrix, use a larger runner, or use a remote buildkit-host.',
    );
    expect(diskAdvice('/mnt/docker', 6.5 * GiB, 1)).toMatch(
      /^Only 6\.5 GiB free at \/mnt\/docker; 1 provider image\(s\) need about 8\.0 GiB\. /,
    );
  });
});

describe('push: false', () => {
  it('counts the export into the local Docker: each image twice', () => {
    expect(bytesNeeded(2, true)).toBe(3 * 1024 ** 3 + 2 * 10 * 1024 ** 3);
    expect(bytesNeeded(2, true)).toBeGreaterThan(bytesNeeded(2));
  });
});

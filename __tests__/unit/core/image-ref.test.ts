import { describe, expect, it } from 'vitest';
import { parseImageRef, registryHost } from '../../../src/core/image-ref.js';

describe('registryHost', () => {
  it('is the host[:port] of image-registry, the same host the planned refs name', () => {
    for (const [value, host] of [
      ['ghcr.io/acme', 'ghcr.io'],
      ['ghcr.io', 'ghcr.io'],
      ['localhost:5000/edge/team', 'localhost:5000'],
      ['docker.io/acme', 'docker.io'],
    ]) {
      expect(registryHost(value)).toBe(host);
      expect(registryHost(value)).toBe(parseImageRef(`${value}/ubuntu:k3s-1.32.3`).registry);
    }
  });
});

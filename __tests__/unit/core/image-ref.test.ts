import { describe, expect, it } from 'vitest';
import {
  type ImageRef,
  hostnameOf,
  isLoopbackHost,
  parseImageRef,
  registryHost,
} from '../../../src/core/image-ref.js';
describe('parseImageRef', () => {
  it.each<[string, ImageRef]>([
    [
      'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.38',
      { registry: 'ghcr.io', repository: 'acme/ubuntu', tag: 'k3s-1.32.3-v4.9.38' },
    ],
    [
      'ttl.sh/ubuntu:k3s-1.32.3-v4.9.38-demo',
      { registry: 'ttl.sh', repository: 'ubuntu', tag: 'k3s-1.32.3-v4.9.38-demo' },
    ],
    [
      'localhost:5000/ubuntu:latest',
      { registry: 'localhost:5000', repository: 'ubuntu', tag: 'latest' },
    ],
    ['localhost/ubuntu:1', { registry: 'localhost', repository: 'ubuntu', tag: '1' }],
    [
      '127.0.0.1:5000/a/b/c:T_1.x',
      { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 'T_1.x' },
    ],
    ['[::1]:5000/edge/ubuntu:v1', { registry: '[::1]:5000', repository: 'edge/ubuntu', tag: 'v1' }],
    [
      'us-docker.pkg.dev/palette-images/third-party/edge/ubuntu:k3s-1.30.5-v4.5.11',
      {
        registry: 'us-docker.pkg.dev',
        repository: 'palette-images/third-party/edge/ubuntu',
        tag: 'k3s-1.30.5-v4.5.11',
      },
    ],
    ['docker.io/acme/ubuntu:1', { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' }],
    [
      'index.docker.io/acme/ubuntu:1',
      { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' },
    ],
    ['acme/ubuntu:1', { registry: 'docker.io', repository: 'acme/ubuntu', tag: '1' }],
    ['ubuntu:22.04', { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04' }],
    [
      'Registry.Example.COM/a__b/c-d.e:1',
      { registry: 'registry.example.com', repository: 'a__b/c-d.e', tag: '1' },
    ],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it.each([
    ['ghcr.io/acme/ubuntu', /no tag/],
    ['localhost:5000/ubuntu', /no tag/],
    ['ghcr.io/acme/ubuntu:', /invalid tag/],
    ['ghcr.io/acme/ubuntu:+k3s1', /invalid tag/],
    [`ghcr.io/acme/ubuntu:${'a'.repeat(129)}`, /invalid tag/],
    ['ghcr.io/Acme/ubuntu:1', /invalid repository/],
    ['ghcr.io/acme//ubuntu:1', /invalid repository/],
    ['ghcr.io/:1', /invalid repository/],
    ['bad_host.example/acme/ubuntu:1', /invalid registry host/],
    ['ghcr.io/acme/ubuntu@sha256:abc', /digest/],
    ['https://ghcr.io/acme/ubuntu:1', /host\[:port\]\/path:tag/],
    ['', /empty/],
  ])('rejects %j', (ref, message) => {
    expect(() => parseImageRef(ref)).toThrow(message);
  });
});

describe('hosts', () => {
  it.each([
    ['localhost:5000', 'localhost', true],
    ['[::1]:5000', '::1', true],
    ['::1', '::1', true],
    ['127.1.2.3', '127.1.2.3', true],
    ['LOCALHOST', 'LOCALHOST', true],
    ['ghcr.io', 'ghcr.io', false],
    ['128.0.0.1:5000', '128.0.0.1', false],
    ['localhost.example.com', 'localhost.example.com', false],
  ])('%s: hostname %s, loopback %s', (host, name, loopback) => {
    expect(hostnameOf(host)).toBe(name);
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

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

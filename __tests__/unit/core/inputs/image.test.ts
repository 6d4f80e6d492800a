import { describe } from 'vitest';
import { itRejects } from '../../support.js';

describe('image inputs: invalid inputs', () => {
  const longTag = 'a'.repeat(101);
  itRejects([
    // image-registry
    [
      'registry with a scheme',
      { 'image-registry': 'https://ghcr.io/acme' },
      'image-registry',
      'must not have a scheme',
    ],
    [
      'underscore in the host',
      { 'image-registry': 'my_registry.example.com/acme' },
      'image-registry',
      'must not contain an underscore',
    ],
    [
      'a path component starting with -',
      { 'image-registry': 'ghcr.io/-acme' },
      'image-registry',
      'is not a valid repository path',
    ],
    [
      'no host',
      { 'image-registry': 'acme' },
      'image-registry',
      'does not start with a registry host',
    ],
    [
      'no host, with a path',
      { 'image-registry': 'acme/edge' },
      'image-registry',
      'does not start with a registry host',
    ],
    [
      'trailing slash',
      { 'image-registry': 'ghcr.io/acme/' },
      'image-registry',
      'must not end with /',
    ],
    [
      'port with letters',
      { 'image-registry': 'registry.example.com:50a0/acme' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'empty port',
      { 'image-registry': 'localhost:/acme' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'two ports',
      { 'image-registry': 'localhost:5000:5001' },
      'image-registry',
      'has an invalid port',
    ],
    [
      'host label ending in -',
      { 'image-registry': 'registry-.example.com' },
      'image-registry',
      'is not a valid hostname',
    ],
    ['empty registry', { 'image-registry': '' }, 'image-registry', 'is required'],
    [
      'registry with a newline',
      { 'image-registry': 'ghcr.io/acme\nevil.example.com' },
      'image-registry',
      'must be a single line',
    ],
    [
      'image-repo with a space',
      { 'image-repo': 'my ubuntu' },
      'image-repo',
      'is not a valid repository path',
    ],
    // custom-tag
    ['custom-tag with /', { 'custom-tag': 'feature/x' }, 'custom-tag', 'has a /'],
    ['custom-tag with +', { 'custom-tag': '1.0.0+build.5' }, 'custom-tag', 'has a +'],
    [
      'custom-tag that is a git ref',
      { 'custom-tag': 'refs/tags/v1' },
      'custom-tag',
      'is a git ref',
    ],
    [
      'custom-tag with spaces',
      { 'custom-tag': 'my tag' },
      'custom-tag',
      'may only hold letters, digits',
    ],
    [
      'custom-tag of 101 characters',
      { 'custom-tag': longTag },
      'custom-tag',
      'is longer than 100 characters',
    ],
    [
      'custom-tag with a newline',
      { 'custom-tag': 'demo\nIMAGE_REGISTRY=evil.example.com' },
      'custom-tag',
      'must be a single line',
    ],
    [
      'buildkit-image with a space',
      { 'buildkit-image': 'earthly/buildkitd v0.8.15' },
      'buildkit-image',
      'is not an image reference',
    ],
    [
      'remote-cache upper-case path',
      { 'remote-cache': 'ghcr.io/Acme/cache' },
      'remote-cache',
      'is not an image reference',
    ],
  ]);
});

import { describe, expect, it } from 'vitest';
import { TransientStatus, describeFailure, registryBaseUrl } from '../../../src/registry/http.js';

describe('registryBaseUrl', () => {
  it.each([
    ['ghcr.io', 'https://ghcr.io'],
    ['registry.example.com:8443', 'https://registry.example.com:8443'],
    ['docker.io', 'https://registry-1.docker.io'],
    ['localhost:5000', 'http://localhost:5000'],
    ['localhost', 'http://localhost'],
    ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['127.1.2.3', 'http://127.1.2.3'],
    ['[::1]:5000', 'http://[::1]:5000'],
    ['localhost.example.com', 'https://localhost.example.com'],
    ['128.0.0.1:5000', 'https://128.0.0.1:5000'],
  ])('registryBaseUrl(%s) = %s', (host, url) => {
    expect(registryBaseUrl(host)).toBe(url);
  });
});

describe('describeFailure', () => {
  it.each([
    [new TransientStatus(503), 'HTTP 503'],
    [Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'no answer within 30s'],
    [new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'ECONNREFUSED'],
    [new TypeError('fetch failed', { cause: new Error('other side closed') }), 'other side closed'],
    [new Error('plain'), 'plain'],
    ['a string', 'a string'],
  ])('%s → %s', (error, reason) => {
    expect(describeFailure(error)).toBe(reason);
  });
});

import { describe, expect, it } from 'vitest';
import { basicAuthorization, parseWwwAuthenticate } from '../../../src/registry/auth.js';

describe('parseWwwAuthenticate', () => {
  it('parses WWW-Authenticate challenges', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/ubuntu:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://ghcr.io/token',
          service: 'ghcr.io',
          scope: 'repository:acme/ubuntu:pull,push',
        },
      },
    ]);
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(
      parseWwwAuthenticate('Basic realm="a \\"quoted\\" b", Bearer realm=https://x/t, service=x'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" b' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 'x' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});

describe('basicAuthorization', () => {
  it('is Basic with base64 of user:password, colons in the password kept', () => {
    const header = basicAuthorization({ username: 'robot', password: 'p:a:ss' });
    expect(header).toBe(`Basic ${Buffer.from('robot:p:a:ss').toString('base64')}`);
  });
});

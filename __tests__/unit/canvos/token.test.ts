import { describe, expect, it } from 'vitest';
import { gitTokenCredentials } from '../../../src/canvos/token.js';

describe('gitTokenCredentials', () => {
  // actions/checkout sends the token the same way (src/git-auth-helper.ts: `x-access-token:${token}`
  // in base64 behind `AUTHORIZATION: basic`).
  it('is base64 of x-access-token:<token>', () => {
    const encoded = gitTokenCredentials('ghs_abc123');
    expect(encoded).toBe(Buffer.from('x-access-token:ghs_abc123').toString('base64'));
    expect(Buffer.from(encoded, 'base64').toString()).toBe('x-access-token:ghs_abc123');
  });
});

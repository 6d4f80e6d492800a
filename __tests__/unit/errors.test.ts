import { describe, expect, it } from 'vitest';
import { ActionError, InputError, errorMessage } from '../../src/errors.js';

describe('errors', () => {
  it('an InputError names the input and the rule in one line', () => {
    const error = new InputError('custom-tag', 'must not contain /');
    expect([error.name, error.input, error.rule, error.message]).toEqual([
      'InputError',
      'custom-tag',
      'must not contain /',
      'custom-tag: must not contain /',
    ]);
    expect(error).toBeInstanceOf(Error);
  });

  it('an ActionError keeps its message as it is', () => {
    const error = new ActionError('docker login to ghcr.io failed');
    expect([error.name, error.message]).toEqual(['ActionError', 'docker login to ghcr.io failed']);
  });

  it('errorMessage reads an Error’s message, and anything else as text', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});

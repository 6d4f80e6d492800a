import { describe, expect, it } from 'vitest';
import { splitList } from '../../../../src/core/inputs/values.js';
import { itRejects } from '../../support.js';

describe('splitList', () => {
  it('splits on commas and newlines, dropping blanks', () => {
    expect(splitList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c']);
  });
});

describe('boolean and one-of inputs: invalid inputs', () => {
  itRejects([
    [
      'unknown k8s distribution',
      { 'k8s-distribution': 'k0s' },
      'k8s-distribution',
      'is not one of',
    ],
    ['push yes', { push: 'yes' }, 'push', 'is not a boolean'],
    ['two-node 1', { 'two-node': '1' }, 'two-node', 'is not a boolean'],
    ['dry-run on', { 'dry-run': 'on' }, 'dry-run', 'is not a boolean'],
    [
      'canvos-prerelease yes',
      { 'canvos-prerelease': 'yes' },
      'canvos-prerelease',
      'is not a boolean',
    ],
    ['disk-check maybe', { 'disk-check': 'maybe' }, 'disk-check', 'is not one of warn, error, off'],
  ]);
});

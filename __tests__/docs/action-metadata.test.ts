// action.yml is ready for the GitHub Marketplace, whose publish form checks what CI otherwise
// would not: a description under 125 characters, a branding colour and icon it accepts.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readActionYml } from './readme.js';

const action = readActionYml();
const raw = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  branding?: { icon?: string; color?: string };
  author?: string;
};

// The colours GitHub accepts for `branding.color`.
const COLORS = [
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark',
];

describe('action.yml for the Marketplace', () => {
  it('has a name and a description under 125 characters', () => {
    expect(action.name.trim().length).toBeGreaterThan(0);
    expect(action.description.trim().length).toBeGreaterThan(20);
    expect(action.description.length).toBeLessThan(125);
  });

  it('has branding with an accepted colour and a Feather icon name', () => {
    expect(COLORS).toContain(raw.branding?.color);
    expect(raw.branding?.icon).toMatch(/^[a-z0-9-]+$/);
    expect(raw.author?.trim()).toBeTruthy();
  });

  it('describes every input and output, and runs on node24 with a post step', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(spec.description?.trim().length, `input ${name}`).toBeGreaterThan(10);
    }
    for (const [name, spec] of Object.entries(action.outputs)) {
      expect(spec.description?.trim().length, `output ${name}`).toBeGreaterThan(10);
    }
    expect(action.runs).toMatchObject({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
    });
  });
});

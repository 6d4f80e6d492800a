import { describe, expect, it } from 'vitest';
import { Phases } from '../../src/phases.js';
import { captureStdout } from './support.js';

describe('Phases', () => {
  it('runs each phase in a log group and times it', async () => {
    const printed = captureStdout();
    const phases = new Phases();
    await expect(
      phases.run('Plan', async () => {
        await new Promise((r) => setTimeout(r, 20));
        return 'plan';
      }),
    ).resolves.toBe('plan');
    await expect(phases.run('Report', () => 3)).resolves.toBe(3);
    expect(printed).toEqual(['::group::Plan', '::endgroup::', '::group::Report', '::endgroup::']);
    expect(phases.timings.map((t) => t.phase)).toEqual(['Plan', 'Report']);
    expect(phases.timings[0].ms).toBeGreaterThanOrEqual(15);
  });

  it('times a failed phase too, and closes its group', async () => {
    const printed = captureStdout();
    const phases = new Phases();
    await expect(
      phases.run('Build', () => Promise.reject(new Error('earthly exited 1'))),
    ).rejects.toThrow('earthly exited 1');
    expect(printed).toEqual(['::group::Build', '::endgroup::']);
    expect(phases.timings.map((t) => t.phase)).toEqual(['Build']);
  });
});

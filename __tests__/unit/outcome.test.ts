// The failure report through the real @actions/core command files (GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY), as a runner reads them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageResult } from '../../src/core/report.js';
import { Outcome } from '../../src/outcome.js';
import { parseCommandFile } from '../harness/runner.js';
import { checkoutV4_10, inputs, makePlan } from './support.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
// One directory for the file: @actions/core remembers the summary file's path once it has written.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outcome-test-'));
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) {
    process.env[name] = path.join(dir, name);
    fs.writeFileSync(process.env[name], '');
  }
});
afterEach(() => {
  process.env = saved;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const written = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

describe('Outcome.failed', () => {
  it('after a push whose verification failed: every output it can, and the summary without secrets', async () => {
    const outcome = new Outcome();
    outcome.plan = makePlan(
      inputs({ k8sVersion: { kind: 'list', items: ['1.32.3', '1.33.1'] } }),
      checkoutV4_10(),
    );
    const [first, second] = outcome.plan.images;
    outcome.images = [
      { ...first, digest: DIGEST, pushed: true, skipped: false, status: 'pushed' },
      { ...second, pushed: false, skipped: false, status: 'pushed' },
    ] satisfies ImageResult[];
    outcome.secrets = ['hunter2'];
    await outcome.phases
      .quiet('Verify', () => {
        throw new Error(
          `Earthly succeeded but these images could not be confirmed in the registry: ${second.ref} (token hunter2)`,
        );
      })
      .catch((error: unknown) => outcome.failed(error));

    const outputs = parseCommandFile(written('GITHUB_OUTPUT'));
    expect(outputs.images).toBe(`${first.ref}\n${second.ref}`);
    expect(outputs.digest).toBe(DIGEST);
    expect(outputs.digests).toBe(`${first.ref}@${DIGEST}`);
    const summary = written('GITHUB_STEP_SUMMARY');
    expect(summary).toContain('**Verify** failed:');
    expect(summary).toContain(`confirmed in the registry: ${second.ref} (token ***)`);
    expect(summary).not.toContain('hunter2');
  });

  it('before the plan: no outputs, a summary naming the phase; summary: false writes nothing', async () => {
    const outcome = new Outcome();
    await outcome.phases
      .quiet('Inputs', () => {
        throw new Error('k8s-version: is required');
      })
      .catch((error: unknown) => outcome.failed(error));
    expect(written('GITHUB_OUTPUT')).toBe('');
    expect(written('GITHUB_STEP_SUMMARY')).toContain('**Inputs** failed:');

    fs.writeFileSync(path.join(dir, 'GITHUB_STEP_SUMMARY'), '');
    const quiet = new Outcome();
    quiet.summary = false;
    await quiet.failed(new Error('boom'));
    expect(written('GITHUB_STEP_SUMMARY')).toBe('');
  });
});

// The main step's entry point, imported as the runner runs dist/index.js (the post step has its
// own, post-entry.ts). A failure is one ::error:: line and exit code 1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { State } from '../../src/state.js';
import { inputEnvName } from '../harness/index.js';
import { captureStdout, useSandbox } from './support.js';

const sandbox = useSandbox('entry-test-', (dir) => ({
  RUNNER_TEMP: dir,
  GITHUB_WORKSPACE: dir,
  GITHUB_STATE: join(dir, 'state'),
  GITHUB_OUTPUT: join(dir, 'output'),
  [`STATE_${State.tempDir}`]: undefined,
}));
afterEach(() => {
  process.exitCode = undefined; // setFailed's, not the test run's
});

/** Runs the entry point once, as a fresh process would; what it printed. */
async function entry(inputs: Record<string, string> = {}): Promise<string[]> {
  for (const [name, value] of Object.entries(inputs)) process.env[inputEnvName(name)] = value;
  writeFileSync(join(sandbox.dir, 'state'), '');
  const printed = captureStdout();
  vi.resetModules();
  await import('../../src/index.js');
  return printed;
}
const commands = (printed: string[], kind: string) =>
  printed.filter((line) => line.startsWith(`::${kind}::`));

describe('the entry point', () => {
  it('reports bad input as one error line and fails the step', async () => {
    const printed = await entry({
      'image-registry': 'https://ghcr.io/acme',
      'k8s-version': '1.32.3',
    });
    expect(commands(printed, 'error')).toEqual([
      '::error::image-registry: "https://ghcr.io/acme" must not have a scheme: write ghcr.io/acme',
    ]);
    expect(commands(printed, 'debug')).toEqual([]);
    expect(process.exitCode).toBe(1);
  });

  it('keeps the stack of an unexpected failure in the debug log', async () => {
    const notAFolder = join(sandbox.dir, 'file');
    writeFileSync(notAFolder, '');
    process.env.RUNNER_TEMP = notAFolder;
    const printed = await entry({
      'image-registry': 'ghcr.io/acme',
      'k8s-version': '1.32.3',
      'dry-run': 'true',
    });
    expect(commands(printed, 'error')).toEqual([expect.stringMatching(/^::error::ENOTDIR/)]);
    expect(commands(printed, 'debug').join('\n')).toMatch(/ENOTDIR[\s\S]*at /);
    expect(process.exitCode).toBe(1);
  });
});

// Running Earthly as a child process, with a small script standing in for the binary: it records
// how it was started, prints, and exits as told.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { earthlyPlan } from '../../../src/core/earthly-plan.js';
import type { EarthlyInstallation } from '../../../src/earthly/install.js';
import { runBuild, runEarthly } from '../../../src/earthly/run.js';
import { ActionError } from '../../../src/errors.js';
import { captureStdout, checkoutV4_10, inputs, rejection, useSandbox } from '../support.js';

const sandbox = useSandbox('earthly-run-test-', () => ({
  INPUT_REGISTRY_PASSWORD: 'not-for-earthly',
}));

/** An `earthly` that records its argv, cwd and secret, prints `lines` and exits with `code`. */
function fakeEarthly(lines: string[], code = 0): EarthlyInstallation {
  const binary = join(sandbox.dir, 'earthly');
  const record = join(sandbox.dir, 'record.json');
  writeFileSync(
    binary,
    [
      '#!/usr/bin/env node',
      'const fs = require("node:fs");',
      `fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), secret: process.env.UBUNTU_PRO_KEY, input: process.env.INPUT_REGISTRY_PASSWORD }));`,
      `for (const line of ${JSON.stringify(lines)}) console.error(line);`,
      `process.exit(${code});`,
    ].join('\n'),
  );
  chmodSync(binary, 0o755);
  return {
    dir: sandbox.dir,
    binary,
    command: 'earthly',
    version: 'v0.8.15',
    cacheHit: false,
    sha256: '',
  };
}
const recorded = () =>
  JSON.parse(readFileSync(join(sandbox.dir, 'record.json'), 'utf8')) as {
    argv: string[];
    cwd: string;
    secret?: string;
    input?: string;
  };

const plan = () =>
  earthlyPlan(
    inputs({
      secrets: [['UBUNTU_PRO_KEY', 's3cr3t-key']],
      httpsProxy: 'http://user:pr0xy-pw@proxy.example.com:3128',
    }),
    checkoutV4_10().files,
    'v4.10.0',
    { runnerArch: 'amd64', tempDir: sandbox.dir, checkoutPath: sandbox.dir },
  );

describe('runBuild', () => {
  it('writes the config, runs the planned command in the checkout, secrets in its environment', async () => {
    const printed = captureStdout();
    const earthly = plan();
    await runBuild(earthly, fakeEarthly(['building']), sandbox.dir);
    expect(readFileSync(earthly.configPath, 'utf8')).toBe(earthly.config);
    expect(recorded()).toEqual({ argv: earthly.args, cwd: sandbox.dir, secret: 's3cr3t-key' });
    // Secrets and proxy credentials are off the command line, so it is shown as it is.
    expect(printed).toContain(`[command] earthly ${earthly.args.join(' ')}`);
    expect(printed.join('\n')).not.toMatch(/s3cr3t-key|pr0xy-pw/);
    expect(printed).toContain('building');
  });

  it('a failed build is an ActionError with its exit code, a hint and the last lines', async () => {
    captureStdout();
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const error = await rejection(runBuild(plan(), fakeEarthly(lines, 7), sandbox.dir));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(/^Earthly failed with exit code 7: BuildKit crashed/);
    expect(error.message.endsWith(lines.slice(-8).join('\n'))).toBe(true);
  });
});

describe('runEarthly', () => {
  it('says when Earthly cannot be started', async () => {
    const missing = join(sandbox.dir, 'no-earthly');
    await expect(runEarthly(missing, [], { cwd: sandbox.dir, env: {} })).rejects.toThrow(
      new ActionError(`Could not start Earthly (${missing}): spawn ${missing} ENOENT`),
    );
  });

  it('passes a cancelled job’s SIGTERM on to Earthly, and stops listening afterwards', async () => {
    const printed = captureStdout();
    const binary = join(sandbox.dir, 'slow');
    writeFileSync(binary, '#!/bin/sh\necho started\nexec sleep 30\n');
    chmodSync(binary, 0o755);
    const listeners = process.listenerCount('SIGTERM');
    const running = runEarthly(binary, [], { cwd: sandbox.dir, env: { PATH: process.env.PATH! } });
    await new Promise((r) => setTimeout(r, 300));
    expect(process.listenerCount('SIGTERM')).toBe(listeners + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(running).resolves.toEqual({ exitCode: 2, tail: ['started'] });
    expect(printed).toContain('::warning::Received SIGTERM: stopping Earthly');
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });

  // earthly/earthly cmd/earthly/main.go: the first SIGINT/SIGTERM cancels and cleans up; a second
  // one forces an exit with code 9, leaving BuildKit mid-step. The runner may send SIGINT and then
  // SIGTERM: Earthly must hear one of them, not both.
  it('forwards the first signal only', async () => {
    captureStdout();
    const log = join(sandbox.dir, 'signals');
    const binary = join(sandbox.dir, 'earthly-traps');
    writeFileSync(
      binary,
      [
        '#!/bin/sh',
        `trap 'echo INT >> ${log}; sleep 0.5; exit 2' INT`,
        `trap 'echo TERM >> ${log}; sleep 0.5; exit 2' TERM`,
        `echo ready >> ${log}`,
        'while :; do sleep 0.05; done',
        '',
      ].join('\n'),
    );
    chmodSync(binary, 0o755);
    const running = runEarthly(binary, [], {
      cwd: sandbox.dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    const started = Date.now();
    while (!readFileSync(log, { flag: 'a+' }).toString().includes('ready')) {
      if (Date.now() - started > 5000) throw new Error('the stand-in did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.emit('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.emit('SIGTERM');
    const result = await running;
    expect(result.exitCode).toBe(2);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['ready', 'INT']);
  });
});

import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEarthly } from '../../../src/earthly/run.js';

describe('runEarthly', () => {
  // earthly/earthly cmd/earthly/main.go: the first SIGINT/SIGTERM cancels and cleans up; a second
  // one forces an exit with code 9, leaving BuildKit mid-step. The runner may send SIGINT and then
  // SIGTERM: Earthly must hear one of them, not both.
  it('forwards the first signal only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-earthly-'));
    const log = join(dir, 'signals');
    const binary = join(dir, 'earthly');
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
    const running = runEarthly(binary, [], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
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

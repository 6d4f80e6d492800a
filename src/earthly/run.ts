/** Runs Earthly as a child process, streaming its output to the log. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import type { EarthlyPlan } from '../core/earthly-plan.js';
import { ActionError } from '../errors.js';
import { childEnv } from '../runner.js';
import { type RunResult, earthlyFailure } from './command.js';
import type { EarthlyInstallation } from './install.js';

/**
 * Runs the planned Earthly command in the checkout: its config written first, the secrets in its
 * environment (never on the command line, so the command can be shown as it is).
 */
export async function runBuild(
  earthly: EarthlyPlan,
  installation: EarthlyInstallation,
  checkoutPath: string,
): Promise<void> {
  await writeFile(earthly.configPath, earthly.config);
  core.info(`[command] ${installation.command} ${earthly.args.join(' ')}`);
  const env = { ...childEnv(), ...Object.fromEntries(earthly.secretEnv) };
  const result = await runEarthly(installation.binary, earthly.args, { cwd: checkoutPath, env });
  if (result.exitCode !== 0) throw earthlyFailure(result);
}

/** Keeps the last lines of a stream, for the error message. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly size: number) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((line) => line.trim() !== ''));
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
  }
  get(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial].slice(-this.size) : [...this.lines];
  }
}

/**
 * Runs Earthly with an argument array (no shell), streaming its output to the log. A SIGINT or
 * SIGTERM to the action (a cancelled job) is passed on, so BuildKit stops and the post step can clean up.
 */
export function runEarthly(
  binary: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const tail = new Tail(20);
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One signal only: Earthly cleans up on the first and forces an exit (code 9, BuildKit left
    // mid-step) on a second (cmd/earthly/main.go), and the runner may follow SIGINT with SIGTERM.
    let forwarded = false;
    const forward = (signal: NodeJS.Signals) => () => {
      if (forwarded) return core.info(`Received ${signal}: Earthly is already stopping`);
      forwarded = true;
      core.warning(`Received ${signal}: stopping Earthly`);
      child.kill(signal);
    };
    const handlers = { SIGINT: forward('SIGINT'), SIGTERM: forward('SIGTERM') };
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);
    const relay = (target: NodeJS.WriteStream) => (data: Buffer) => {
      const text = data.toString();
      tail.push(text);
      target.write(text);
    };
    child.stdout.on('data', relay(process.stdout));
    child.stderr.on('data', relay(process.stdout)); // Earthly logs to stderr; the runner shows stdout in order
    child.on('error', (error) => {
      cleanup();
      reject(new ActionError(`Could not start Earthly (${binary}): ${error.message}`));
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolve({ exitCode: code ?? (signal ? 2 : 1), tail: tail.get() });
    });
    function cleanup() {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    }
  });
}

/**
 * The runner's environment, in one place: the only module that reads `process.env` or the step's
 * inputs. Everything else is handed the values it needs.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { Arch, RunnerContext } from './core/inputs/types.js';

const DEFAULT_SERVER_URL = 'https://github.com';

/** One input, as the runner passed it (`INPUT_<NAME>`); empty when not set. */
export function readInput(name: string): string {
  return core.getInput(name);
}

/**
 * The runner's architecture in the runner's own words (`X64`, `ARM64`, ...): RUNNER_ARCH, or the
 * machine's when it runs outside Actions. It decides the default image arch and the Earthly binary.
 */
export function runnerArch(): string {
  return process.env.RUNNER_ARCH || (process.arch === 'arm64' ? 'ARM64' : 'X64');
}

/** The runner's arch as Docker and Earthly name it: what the Earthly binary must be built for. */
export function machineArch(): Arch {
  return runnerArch() === 'ARM64' ? 'arm64' : 'amd64';
}

/** The GitHub server of the workflow: the only host a github-token may be sent to. */
export function serverUrl(): string {
  return process.env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL;
}

/** What input parsing needs to know about the runner. */
export function runnerContext(): RunnerContext {
  return {
    runnerArch: runnerArch(),
    serverUrl: serverUrl(),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: runnerTemp(),
    realPath: (path: string) => realpathSync(path),
    readFile: (path: string) => readFileSync(path, 'utf8'),
    isDirectory: (path: string) => existsSync(path) && statSync(path).isDirectory(),
  };
}

/** Where the action may keep temporary files for this job. */
export function runnerTemp(): string {
  return process.env.RUNNER_TEMP || tmpdir();
}

/** The runner's tool cache root (set on every runner; tool-cache reads it too). */
export function toolCacheRoot(): string {
  const root = process.env.RUNNER_TOOL_CACHE;
  if (!root) throw new Error('RUNNER_TOOL_CACHE is not set: is this running in GitHub Actions?');
  return root;
}

/** The Docker CLI's config directory, as `docker login` and credential helpers use it. */
export function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || join(homedir(), '.docker');
}

export function setOutputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
}

/** Adds to the job summary, when the runner collects one for this step. */
export async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

/**
 * The environment child processes start from: the runner's, without the step's inputs and saved
 * state (INPUT_*, STATE_*), which are the action's own business and may hold secrets.
 */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('STATE_'))
      env[key] = value;
  }
  return env;
}

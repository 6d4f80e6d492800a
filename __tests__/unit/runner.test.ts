// The runner's environment as @actions/core and the runner define it (actions/toolkit
// packages/core/src/core.ts: INPUT_<NAME> upper-cased with spaces as _, trimmed; outputs and the
// summary go to the files named by GITHUB_OUTPUT and GITHUB_STEP_SUMMARY).
import * as fs from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  childEnv,
  dockerConfigDir,
  machineArch,
  readInput,
  runnerArch,
  runnerContext,
  runnerTemp,
  serverUrl,
  setOutputs,
  toolCacheRoot,
  writeSummary,
} from '../../src/runner.js';
import { inputEnvName, parseCommandFile } from '../harness/runner.js';
import { useSandbox } from './support.js';

const UNSET = {
  RUNNER_ARCH: undefined,
  GITHUB_SERVER_URL: undefined,
  GITHUB_WORKSPACE: undefined,
  RUNNER_TEMP: undefined,
  RUNNER_TOOL_CACHE: undefined,
  DOCKER_CONFIG: undefined,
  GITHUB_OUTPUT: undefined,
  GITHUB_STEP_SUMMARY: undefined,
};
const sandbox = useSandbox('runner-test-', () => UNSET);

describe('inputs', () => {
  it('reads INPUT_<NAME>, trimmed, and empty when it is not set', () => {
    process.env[inputEnvName('image-registry')] = '  ghcr.io/acme \n';
    expect(readInput('image-registry')).toBe('ghcr.io/acme');
    expect(readInput('custom-tag')).toBe('');
  });
});

describe('the runner', () => {
  it('takes its arch from RUNNER_ARCH, else from the machine', () => {
    expect(runnerArch()).toBe(process.arch === 'arm64' ? 'ARM64' : 'X64');
    process.env.RUNNER_ARCH = 'ARM64';
    expect([runnerArch(), machineArch()]).toEqual(['ARM64', 'arm64']);
    process.env.RUNNER_ARCH = 'X64';
    expect([runnerArch(), machineArch()]).toEqual(['X64', 'amd64']);
  });

  it('knows its GitHub server, github.com by default', () => {
    expect(serverUrl()).toBe('https://github.com');
    process.env.GITHUB_SERVER_URL = 'https://ghe.example.com';
    expect(serverUrl()).toBe('https://ghe.example.com');
  });

  it('hands input parsing the workspace and a real file system', () => {
    process.env.GITHUB_WORKSPACE = sandbox.dir;
    process.env.RUNNER_ARCH = 'ARM64';
    fs.writeFileSync(path.join(sandbox.dir, 'a.pem'), 'pem');
    const ctx = runnerContext();
    expect([ctx.workspace, ctx.runnerArch, ctx.serverUrl]).toEqual([
      sandbox.dir,
      'ARM64',
      'https://github.com',
    ]);
    expect(ctx.readFile(path.join(sandbox.dir, 'a.pem'))).toBe('pem');
    expect(() => ctx.readFile(path.join(sandbox.dir, 'absent'))).toThrow(/ENOENT/);
    expect(ctx.isDirectory(sandbox.dir)).toBe(true);
    expect(ctx.isDirectory(path.join(sandbox.dir, 'a.pem'))).toBe(false);
    expect(ctx.isDirectory(path.join(sandbox.dir, 'absent'))).toBe(false);
    delete process.env.GITHUB_WORKSPACE;
    expect(runnerContext().workspace).toBe(process.cwd());
  });

  it('names its temporary folder, tool cache and Docker config folder', () => {
    expect(runnerTemp()).toBe(tmpdir());
    expect(dockerConfigDir()).toBe(path.join(homedir(), '.docker'));
    expect(() => toolCacheRoot()).toThrow(/RUNNER_TOOL_CACHE is not set/);
    Object.assign(process.env, {
      RUNNER_TEMP: '/runner/_temp',
      RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
      DOCKER_CONFIG: '/home/runner/.docker-ci',
    });
    expect([runnerTemp(), toolCacheRoot(), dockerConfigDir()]).toEqual([
      '/runner/_temp',
      '/opt/hostedtoolcache',
      '/home/runner/.docker-ci',
    ]);
  });

  it('gives child processes its environment without the inputs and the saved state', () => {
    Object.assign(process.env, {
      INPUT_REGISTRY_PASSWORD: 's3cret',
      STATE_registry_host: 'ghcr.io',
      MY_VAR: 'kept',
    });
    const env = childEnv();
    expect(env.MY_VAR).toBe('kept');
    expect(env.PATH).toBe(process.env.PATH);
    expect(Object.keys(env).filter((key) => /^(INPUT|STATE)_/.test(key))).toEqual([]);
  });
});

describe('outputs and the summary', () => {
  it('writes outputs to GITHUB_OUTPUT, multi-line values included', () => {
    const file = path.join(sandbox.dir, 'output');
    fs.writeFileSync(file, '');
    process.env.GITHUB_OUTPUT = file;
    setOutputs({ 'image-refs': 'a\nb', 'dry-run': 'true' });
    expect(parseCommandFile(fs.readFileSync(file, 'utf8'))).toEqual({
      'image-refs': 'a\nb',
      'dry-run': 'true',
    });
  });

  it('appends to the job summary only when the runner collects one', async () => {
    await expect(writeSummary('# nowhere')).resolves.toBeUndefined();
    const file = path.join(sandbox.dir, 'summary.md');
    fs.writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    await writeSummary('# CanvOS provider images\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('# CanvOS provider images\n');
  });
});

// The main step in-process, as the runner starts it: inputs as INPUT_* (actions/toolkit
// packages/core/src/core.ts getInput), outputs, saved state and the summary in the files
// GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY name. Dry runs need only the git server.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { run } from '../../src/main.js';
import { State } from '../../src/state.js';
import { inputEnvName, parseCommandFile, withDefaults } from '../harness/index.js';
import { useCanvosGit } from '../harness/suite.js';
import { captureStdout, rejection, useSandbox } from './support.js';

const server = useCanvosGit();
const COMMAND_FILES = {
  GITHUB_OUTPUT: 'output',
  GITHUB_STATE: 'state',
  GITHUB_STEP_SUMMARY: 'summary.md',
};
const sandbox = useSandbox('main-test-', (dir) => ({
  ...Object.fromEntries(
    Object.entries(COMMAND_FILES).map(([name, file]) => [name, join(dir, file)]),
  ),
  RUNNER_TEMP: dir,
  RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
  RUNNER_ARCH: 'X64',
  GITHUB_WORKSPACE: dir,
  GITHUB_SERVER_URL: undefined,
  HOME: dir,
  GIT_CONFIG_NOSYSTEM: '1',
}));

/** Sets the step's inputs (with action.yml's defaults) and empty command files, then runs it. */
async function runMain(inputs: Record<string, string>): Promise<string[]> {
  for (const [name, value] of Object.entries(withDefaults(inputs)))
    process.env[inputEnvName(name)] = value;
  for (const file of Object.values(COMMAND_FILES)) writeFileSync(join(sandbox.dir, file), '');
  const printed = captureStdout();
  await run();
  return printed;
}
const commandFile = (name: keyof typeof COMMAND_FILES) =>
  readFileSync(join(sandbox.dir, COMMAND_FILES[name]), 'utf8');

describe('run', () => {
  it('a dry run clones, plans, writes the build files and reports, and installs nothing', async () => {
    const printed = await runMain({
      'canvos-repository': server.canvos.url,
      'canvos-version': '~4.9',
      'image-registry': 'ghcr.io/acme',
      'k8s-version': '1.32.3',
      'custom-tag': 'demo',
      'dry-run': 'true',
    });
    const outputs = parseCommandFile(commandFile('GITHUB_OUTPUT'));
    expect(outputs).toMatchObject({
      'canvos-version': 'v4.9.40',
      'canvos-commit': server.canvos.tags['v4.9.40'].commit,
      'pe-version': 'v4.9.40',
      'earthly-version': 'v0.8.15',
      image: 'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.40-demo',
    });
    expect(readFileSync(join(outputs['canvos-path'], '.arg'), 'utf8')).toContain('CUSTOM_TAG=demo');
    const state = parseCommandFile(commandFile('GITHUB_STATE'));
    expect(state[State.registryHost]).toBe(''); // claimed empty before anything else
    expect(outputs['canvos-path'].startsWith(state[State.tempDir])).toBe(true);
    expect(commandFile('GITHUB_STEP_SUMMARY')).toContain(
      'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.40-demo',
    );
    expect(printed).toContain('Dry run: nothing installed, built or pushed');
    expect(existsSync(join(sandbox.dir, 'tool-cache'))).toBe(false);
  });

  it('bad input stops before anything is touched: no clone, no temporary folder', async () => {
    const requestsBefore = server.git.requests.length;
    const error = await rejection(
      runMain({ 'canvos-repository': server.canvos.url, 'image-registry': 'https://ghcr.io/acme' }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/^image-registry: /);
    expect(server.git.requests.length).toBe(requestsBefore);
    expect(readdirSync(sandbox.dir).filter((name) => name.startsWith('canvos-action-'))).toEqual(
      [],
    );
    // Every state name claimed empty, nothing recorded: the post step has nothing to undo.
    expect(parseCommandFile(commandFile('GITHUB_STATE'))).toEqual(
      Object.fromEntries(Object.values(State).map((name) => [name, ''])),
    );
  });
});

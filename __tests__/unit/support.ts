import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { parseInputs } from '../../src/core/inputs/index.js';
import {
  DEFAULT_CANVOS_REPOSITORY,
  type Inputs,
  type RunnerContext,
} from '../../src/core/inputs/types.js';
import {
  type CanvosCheckout,
  type PlanContext,
  makePlan as makePlanIn,
} from '../../src/core/plan.js';
import { InputError } from '../../src/errors.js';

/** Runs fn and returns the error of `type` it throws; anything else fails the test. */
export function thrown<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/** Runs fn and returns the InputError it throws; anything else fails the test. */
export const inputError = (fn: () => unknown): InputError => thrown(InputError, fn);

/** The error a promise rejects with; a promise that resolves fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

// --- A scratch folder and environment per test -----------------------------------------------

/**
 * A fresh temporary folder for each test (`dir`), with `env(dir)` set in process.env for the test
 * and process.env put back after it. Test files run in their own processes, so this is safe.
 */
export function useSandbox(
  prefix: string,
  env: (dir: string) => Record<string, string | undefined> = () => ({}),
): { readonly dir: string } {
  let dir = '';
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
    dir = mkdtempSync(join(tmpdir(), prefix));
    for (const [key, value] of Object.entries(env(dir))) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterEach(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
  };
}

/** A runner's tool cache and temporary folder in `dir`, for useSandbox. */
export function toolCacheEnv(dir: string): Record<string, string | undefined> {
  const env = { RUNNER_TOOL_CACHE: join(dir, 'toolcache'), RUNNER_TEMP: join(dir, 'temp') };
  for (const folder of Object.values(env)) mkdirSync(folder);
  return { ...env, GITHUB_PATH: undefined }; // core.addPath then only edits process.env.PATH
}

/** Writes `config` as config.json in a folder of `dir`; that folder is a DOCKER_CONFIG. */
export function writeDockerConfig(dir: string, config: object): string {
  const configDir = join(dir, 'docker-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
  return configDir;
}

/** Puts an executable shell script named `name` (in `dir`/bin) first on PATH. */
export function fakeCommand(dir: string, name: string, script: string): void {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
}

/**
 * Captures what the action prints (its log and workflow commands such as ::warning::) until the
 * test ends; the returned array fills as lines are written.
 */
export function captureStdout(): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return true;
  });
  restores.push(() => spy.mockRestore());
  return lines;
}
const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

// --- Parsing the inputs ----------------------------------------------------------------------

/**
 * The designed seam: a RunnerContext over an in-memory file system. Paths are absolute, as
 * parseInputs makes them; anything not in `files` is unreadable.
 */
export function fakeContext(
  options: {
    files?: Record<string, string>;
    dirs?: string[];
    runnerArch?: string;
    serverUrl?: string;
  } = {},
): RunnerContext & { reads: string[] } {
  const files = options.files ?? {};
  const reads: string[] = [];
  return {
    reads,
    runnerArch: 'runnerArch' in options ? options.runnerArch : 'X64',
    serverUrl: options.serverUrl ?? 'https://github.com',
    workspace: '/ws',
    runnerTemp: '/runner/temp',
    realPath: (path: string) => path.replace(/\/[^/]+\/\.\.(?=\/|$)/g, ''),
    readFile(path: string) {
      reads.push(path);
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return files[path];
    },
    isDirectory: (path: string) => (options.dirs ?? []).includes(path),
  };
}

export const REQUIRED_INPUTS = { 'image-registry': 'ghcr.io/acme', 'k8s-version': '1.32.3' };

/** parseInputs over the required inputs plus `values`. */
export function parse(values: Record<string, string>, ctx: RunnerContext = fakeContext()): Inputs {
  const all: Record<string, string> = { ...REQUIRED_INPUTS, ...values };
  return parseInputs((name) => all[name] ?? '', ctx);
}

export type InvalidInput = [
  label: string,
  values: Record<string, string>,
  input: string,
  rule: string,
];

/** One test per case: parseInputs refuses `values` with one line naming `input` and its rule. */
export function itRejects(cases: InvalidInput[]): void {
  it.each(cases)('%s', (_label, values, input, rule) => {
    const error = inputError(() => parse(values));
    expect(error.input).toBe(input);
    expect(error.rule).toContain(rule);
    expect(error.message).toBe(`${input}: ${error.rule}`);
    expect(error.message).not.toMatch(/[\r\n]/);
  });
}

// --- A plan's ingredients, shared by the core's tests ------------------------------------

export const PLAN_CONTEXT: PlanContext = {
  runnerArch: 'amd64',
  tempDir: '/tmp/canvos-action-test',
};
/** makePlan on an amd64 runner with a fixed temporary folder. */
export const makePlan = (i: Inputs, checkout: CanvosCheckout) =>
  makePlanIn(i, checkout, PLAN_CONTEXT);

export const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

export const K8S_V4_10 = fixture('k8s_version.v4.10.0-rc.10.json'); // identical to v4.10.0's
export const K8S_V4_4_12 = fixture('k8s_version.v4.4.12.json');
export const CA_PEM = fixture('proxy-ca-certs.pem'); // two self-signed test CA certificates
export const [CERT_1, CERT_2] = CA_PEM.match(
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
)!;
export const PUBLIC_KEY = (
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string
).trim();
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** A checkout like CanvOS v4.10.0: its Earthfile says PE_VERSION=v4.9.21 and copies certs/. */
export function checkoutV4_10(files: Partial<CanvosCheckout['files']> = {}): CanvosCheckout {
  return {
    tag: 'v4.10.0',
    commit: COMMIT,
    path: '/tmp/canvos',
    files: {
      earthfile: `${fixture('Earthfile.v4.10.0.head.txt')}\nbase-image:\n    COPY --if-exists certs/ /etc/ssl/certs/\n`,
      earthlySh: fixture('earthly.sh.v4.10.0.excerpt.txt'),
      k8sVersionJson: K8S_V4_10,
      ...files,
    },
  };
}

/** A checkout like CanvOS v4.4.12: one sc.crt named by PROXY_CERT_PATH, Earthly v0.8.5. */
export function checkoutV4_4_12(): CanvosCheckout {
  return {
    tag: 'v4.4.12',
    commit: COMMIT,
    path: '/tmp/canvos',
    files: {
      earthfile: fixture('Earthfile.v4.4.12.head.txt'),
      earthlySh: fixture('earthly.sh.v4.4.12.excerpt.txt'),
      k8sVersionJson: K8S_V4_4_12,
    },
  };
}

/** Inputs as parsed from a typical workflow: ghcr.io/acme, k3s 1.32.3, custom tag demo. */
export function inputs(
  overrides: Partial<Inputs> = {},
  earthly: Partial<Inputs['earthly']> = {},
): Inputs {
  const base: Inputs = {
    canvos: { version: 'latest', prerelease: false, repository: DEFAULT_CANVOS_REPOSITORY },
    imageRegistry: 'ghcr.io/acme',
    customTag: 'demo',
    osDistribution: 'ubuntu',
    osVersion: '22.04',
    k8sDistribution: 'k3s',
    k8sVersion: { kind: 'list', items: ['1.32.3'] },
    arch: 'amd64',
    twoNode: false,
    updateKernel: false,
    proxyCaCerts: [],
    buildArgs: [],
    secrets: [],
    earthly: { version: 'auto', distribution: 'earthly', args: [], config: [] },
    push: true,
    skipExisting: false,
    diskCheck: 'warn',
    dryRun: false,
    summary: true,
    notices: [],
  };
  return { ...base, ...overrides, earthly: { ...base.earthly, ...earthly } };
}

// Shared by the reliability suite: a harness with git/docker argv shims, runs that keep what the
// main step left for inspection before the post step cleans it, and readers for everything a run
// shows or writes.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inject } from 'vitest';
import {
  type ActionResult,
  type Harness,
  type HarnessOptions,
  type RunActionOptions,
  DEFAULT_ENTRY,
  buildInputs as harnessBuildInputs,
  runAction,
  startHarness,
} from '../harness/index.js';
import {
  SHIM_LOG_VAR,
  type ShimCall,
  type Shims,
  makeShims,
  readShimLog,
} from '../harness/shims.js';
import { forThisFile } from '../harness/suite.js';

export interface Suite {
  h: Harness;
  shims: Shims;
  /** Where injected commands would leave their marker files. */
  markerDir: string;
}

/** The suite for this test file: started before its tests, stopped after them. */
export function useSuite(opts: HarnessOptions = {}): Suite {
  return forThisFile(
    async () => {
      const h = await startHarness({ dockerHost: inject('dockerHost') || undefined, ...opts });
      const shims = makeShims(join(h.workDir, 'shims'), ['git', 'docker']);
      const markerDir = join(h.workDir, 'markers');
      mkdirSync(markerDir, { recursive: true });
      return { h, shims, markerDir };
    },
    (s) => s.h.stop(),
  );
}

/** Inputs for a real build of one image, pushed with a docker login (override what a case needs). */
export function buildInputs(
  h: Harness,
  extra: Record<string, string> = {},
): Record<string, string> {
  return harnessBuildInputs(h, { 'k8s-version': '1.32.3', ...extra });
}

/** The environment of one step: the harness's, shims first on PATH, their log in `shimLog`. */
export function stepEnv(
  s: Suite,
  shimLog: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  mkdirSync(shimLog, { recursive: true });
  return {
    ...s.h.env(),
    PATH: `${s.shims.dir}:${process.env.PATH}`,
    [SHIM_LOG_VAR]: shimLog,
    ...extra,
  };
}

export interface Step {
  result: ActionResult;
  /** git and docker as the step ran them. */
  calls: ShimCall[];
}

export interface Job {
  workDir: string;
  main: Step;
  /** Set by post(). */
  post?: Step;
  /** Runs the post step (again), with the state the main step saved unless `state` is given. */
  runPost(opts?: Partial<RunActionOptions>): Promise<Step>;
}

/**
 * Runs the main step only; what it left behind (checkout, .arg, temporary files, Docker config)
 * can be inspected before `job.runPost()` cleans up.
 */
export async function runMain(
  s: Suite,
  opts: Omit<RunActionOptions, 'workDir' | 'step' | 'env'> & {
    name?: string;
    workDir?: string;
    env?: Record<string, string | undefined>;
  },
): Promise<Job> {
  const { name, env = {}, ...rest } = opts;
  const workDir = rest.workDir ?? s.h.jobDir(name ?? 'job');
  const mainLog = join(workDir, 'shim-log', 'main');
  const result = await runAction({ ...rest, workDir, step: 'main', env: stepEnv(s, mainLog, env) });
  const job: Job = {
    workDir,
    main: { result, calls: readShimLog(mainLog) },
    async runPost(postOpts = {}) {
      const postLog = join(workDir, 'shim-log', `post-${Date.now()}-${Math.random()}`);
      const postResult = await runAction({
        inputs: rest.inputs,
        ...postOpts,
        workDir,
        step: 'post',
        env: stepEnv(s, postLog, { ...env, ...(postOpts.env ?? {}) }),
      });
      job.post = { result: postResult, calls: readShimLog(postLog) };
      return job.post;
    },
  };
  return job;
}

/** What the runner shows of a step: its output without the ::add-mask:: lines it consumes. */
export function shown(result: ActionResult): string {
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return `${stdout}\n${result.stderr}`;
}

/** `::error::` lines as the runner would count them (one per annotation). */
export function errorLines(result: ActionResult): string[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** A Node stack frame (`    at fn (file:1:2)`) anywhere in the step's output. */
export function hasStackTrace(result: ActionResult): boolean {
  return /^\s+at .+(?::\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m.test(
    `${result.stdout}\n${result.stderr}`,
  );
}

/** Every regular file under `dir` (recursively; links are not followed), as paths. */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isDirectory()) out.push(...walkFiles(path));
    else if (stat.isFile()) out.push(path);
  }
  return out;
}

/** Files under `root`, as `relative path → text` (large files are skipped). */
export function readTree(
  root: string,
  skip: (rel: string) => boolean = () => false,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of walkFiles(root)) {
    const rel = relative(root, file);
    if (skip(rel) || lstatSync(file).size > 8 * 1024 * 1024) continue;
    out[rel] = readFileSync(file, 'latin1');
  }
  return out;
}

/**
 * `.arg` read by its own grammar, not by the code that wrote it: `KEY=bare` (no quote, `$`,
 * backtick, backslash, `#` or space) or `KEY='literal'`. Anything else throws.
 */
export function parseArgFile(text: string): [string, string][] {
  const entries: [string, string][] = [];
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('.arg does not end with a newline');
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(?:([^'"`$\\#\s]*)|'([^']*)')$/.exec(line);
    if (!m)
      throw new Error(`.arg line is neither KEY=bare nor KEY='literal': ${JSON.stringify(line)}`);
    entries.push([m[1], m[2] ?? m[3]]);
  }
  return entries;
}

/**
 * The variables `.arg` defines when bash sources it (as CanvOS's earthly.sh does), run in `cwd`:
 * what `env` shows after sourcing that it did not show before.
 */
export function sourceInBash(argFile: string, cwd: string): Record<string, string> {
  const out = execFileSync(
    'bash',
    [
      '-c',
      'env -0; printf "\\0--sourced--\\0"; set -a; . "$1" >/dev/null 2>&1; env -0',
      'source-arg',
      argFile,
    ],
    { cwd, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' },
  );
  const [before, after] = out
    .split('\0--sourced--\0')
    .map((text) => new Set(text.split('\0').filter(Boolean)));
  const vars: Record<string, string> = {};
  for (const pair of after) {
    if (before.has(pair)) continue;
    const eq = pair.indexOf('=');
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  for (const name of ['_', 'SHLVL']) delete vars[name]; // bash's own bookkeeping
  return vars;
}

/** The checkout the main step wrote into (its `canvos-path` output, or `<temp-dir>/canvos`). */
export function checkoutOf(result: ActionResult): string | undefined {
  if (result.outputs['canvos-path']) return result.outputs['canvos-path'];
  const temp = result.state['temp-dir'];
  return temp && existsSync(join(temp, 'canvos')) ? join(temp, 'canvos') : undefined;
}

/** Pids of processes whose environment holds `NAME=value` (and whose command line matches). */
export function pidsWithEnv(
  name: string,
  value: string,
  cmdline: (argv: string[]) => boolean,
): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!env.includes(`${name}=${value}`)) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').filter(Boolean);
      if (cmdline(argv)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The variable that tells one step's processes apart from every other step's. */
export const STEP_TAG = 'RELIABILITY_STEP_TAG';

/**
 * Cancels a step the way the runner does, once Earthly is really running: when the step prints
 * its Earthly command, wait for the Earthly process to appear, give it a moment to settle into
 * its work, then send `signal` to the step's node process. Pass the returned `env` and `onData`
 * to runMain(); `sent()` tells whether the signal went out, `earthlyEnv()` what Earthly's
 * environment held.
 */
export function cancelDuringBuild(signal: NodeJS.Signals, settleMs = 700) {
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  let text = '';
  let state: 'waiting' | 'polling' | 'sent' | 'failed' = 'waiting';
  let earthlyEnv: string[] = [];
  const isAction = (argv: string[]) => argv.includes(DEFAULT_ENTRY);
  const isEarthly = (argv: string[]) => argv.some((a) => /\/tool-cache\/.*\/earth(ly)?$/.test(a));
  const poll = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const [earthly] = pidsWithEnv(STEP_TAG, tag, isEarthly);
      if (earthly) {
        await new Promise((r) => setTimeout(r, settleMs));
        earthlyEnv = readFileSync(`/proc/${earthly}/environ`, 'utf8').split('\0').filter(Boolean);
        for (const pid of pidsWithEnv(STEP_TAG, tag, isAction)) process.kill(pid, signal);
        state = 'sent';
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    state = 'failed';
  };
  return {
    env: { [STEP_TAG]: tag },
    onData: (_stream: 'stdout' | 'stderr', data: Buffer): void => {
      if (state !== 'waiting') return;
      text += data.toString();
      if (!/^\[command\]\s*\S*earth(?:ly)?\s.*\+build-provider-images/m.test(text)) return;
      state = 'polling';
      poll().catch(() => (state = 'failed')); // e.g. the process exited first: sent() says so
    },
    sent: () => state === 'sent',
    /** The environment Earthly ran with (`NAME=value` entries), read just before the signal. */
    earthlyEnv: () => earthlyEnv,
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inPool<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

// Child-process helpers shared by the harness: bounded `exec`, and tracking of long-lived
// children so that nothing outlives the test run, even when a test forgets to call stop().
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Killed with SIGKILL after this long (default 60 s): a hung tool must not hang the suite. */
  timeoutMs?: number;
  /** Throw when the exit code is not 0 (default true). */
  check?: boolean;
}

/** Runs a command to completion and collects its output. */
export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const { check = true, timeoutMs = 60_000 } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'pipe' });
    track(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (check && code !== 0) {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(
          new Error(`${cmd} ${args.join(' ')} failed (${why}):\n${result.stderr || result.stdout}`),
        );
      } else {
        resolve(result);
      }
    });
    // A child that exits before reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

interface Tracked {
  child: ChildProcess;
  signal: NodeJS.Signals;
  group: boolean;
}

const live = new Set<Tracked>();
let exitHookInstalled = false;

/**
 * Remembers a child so a process 'exit' handler can signal it if it is still running.
 * `group` kills the whole process group (for children spawned with `detached: true`).
 */
export function track<T extends ChildProcess>(
  child: T,
  opts: { signal?: NodeJS.Signals; group?: boolean } = {},
): T {
  const entry: Tracked = { child, signal: opts.signal ?? 'SIGKILL', group: opts.group ?? false };
  live.add(entry);
  child.once('exit', () => live.delete(entry));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous: sending a signal is all we can do here.
    process.once('exit', () => {
      for (const { child: c, signal, group } of live) signalChild(c, signal, group);
    });
  }
  return child;
}

/** Forget a child (e.g. a daemon that should deliberately outlive this process). */
export function untrack(child: ChildProcess): void {
  for (const entry of live) if (entry.child === child) live.delete(entry);
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(group ? -child.pid : child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Spawns a long-lived child and tracks it. */
export function spawnTracked(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { killSignal?: NodeJS.Signals } = {},
): ChildProcess {
  const { killSignal, ...spawnOpts } = opts;
  const child = spawn(cmd, args, spawnOpts);
  return track(child, { signal: killSignal, group: Boolean(spawnOpts.detached) });
}

/** Signals a child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  opts: { signal?: NodeJS.Signals; graceMs?: number; group?: boolean } = {},
): Promise<void> {
  const { signal = 'SIGTERM', graceMs = 5_000, group = false } = opts;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalChild(child, signal, group);
  if (await withTimeout(exited, graceMs)) return;
  signalChild(child, 'SIGKILL', group);
  await withTimeout(exited, 5_000);
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
export async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    what: string;
    onTimeout?: () => Promise<string> | string;
  },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = opts.onTimeout ? await opts.onTimeout() : '';
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${last}${detail}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

// An isolated Docker engine for the harness: its own data root, exec root and socket, no bridge
// and no iptables, so it can run beside any other dockerd on the machine without touching it.
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { BLACKHOLE_PROXY_ENV } from './net.js';
import { exec, spawnTracked, stopChild, untrack, waitFor } from './processes.js';

export interface Dockerd {
  /** `unix:///…/d.sock`, for DOCKER_HOST or `docker -H`. */
  host: string;
  /** True when this process started the daemon (false when an existing one was reused). */
  started: boolean;
  /**
   * Releases this user of the daemon. startDockerd(): stops it. ensureDockerd(): stops it only
   * when no other live process still holds a lease on it (and `keep` was not asked for).
   */
  stop(): Promise<void>;
}

export interface StartDockerdOptions {
  /** Leave the daemon running when this process exits (so a later run can reuse it). */
  keep?: boolean;
  timeoutMs?: number;
  /** Remove the data root when stopping (default true). */
  removeData?: boolean;
}

/** Default home of the daemon `ensureDockerd()` starts or reuses. */
export const DEFAULT_DOCKERD_DIR = '/tmp/canvos-harness-docker';

/**
 * The docker CLI to use. /usr/bin/docker (Debian's 20.10, matching the daemon) first: a newer CLI
 * elsewhere on PATH may be missing plugins or speak an API version the daemon rejects.
 */
export function dockerCli(): string {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/** True when a daemon answers on `host`. */
export async function dockerAnswers(host: string, timeoutMs = 5_000): Promise<boolean> {
  const r = await exec(dockerCli(), ['-H', host, 'version', '--format', '{{.Server.Version}}'], {
    check: false,
    timeoutMs,
  }).catch(() => undefined);
  return r?.code === 0 && r.stdout.trim() !== '';
}

// Unix socket paths are limited to ~108 bytes, and containerd puts its own sockets under the exec
// root, so both live in a short directory when baseDir is long.
function shortDir(baseDir: string): string {
  if (baseDir.length <= 60) return baseDir;
  return mkdtempSync('/tmp/hd-');
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Never signal a recycled pid that now belongs to something else.
function isDockerd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a dockerd whose whole state lives under `baseDir`. */
export async function startDockerd(
  baseDir: string,
  opts: StartDockerdOptions = {},
): Promise<Dockerd> {
  const { keep = false, timeoutMs = 60_000, removeData = true } = opts;
  mkdirSync(baseDir, { recursive: true });
  const runDir = shortDir(baseDir);
  const socket = join(runDir, 'd.sock');
  const execRoot = join(runDir, 'x');
  const dataRoot = join(baseDir, 'data');
  const pidfile = join(baseDir, 'dockerd.pid');
  const logFile = join(baseDir, 'dockerd.log');
  const host = `unix://${socket}`;

  const logFd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    // detached: own process group, so a terminal Ctrl-C reaches us first and we stop it in order.
    child = spawnTracked(
      'dockerd',
      [
        `--data-root=${dataRoot}`,
        `--exec-root=${execRoot}`,
        `--pidfile=${pidfile}`,
        `--host=${host}`,
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
      ],
      {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        killSignal: 'SIGTERM',
        // Pulls from anywhere but loopback fail at once instead of leaving the machine: an image
        // a test forgot to seed must not be fetched from Docker Hub or a real mirror.
        env: { ...process.env, ...BLACKHOLE_PROXY_ENV },
      },
    );
  } finally {
    closeSync(logFd);
  }
  if (keep) {
    untrack(child);
    child.unref();
  }

  const stop = async (): Promise<void> => {
    const containerdPid = readPid(join(execRoot, 'containerd', 'containerd.pid'));
    await stopChild(child, { signal: 'SIGTERM', graceMs: 20_000 });
    // dockerd normally stops its containerd; make sure of it if dockerd had to be killed.
    if (containerdPid !== undefined && pidAlive(containerdPid)) {
      process.kill(containerdPid, 'SIGKILL');
    }
    rmSync(socket, { force: true });
    rmSync(execRoot, { recursive: true, force: true });
    if (removeData) rmSync(dataRoot, { recursive: true, force: true, maxRetries: 3 });
    if (runDir !== baseDir) rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`dockerd exited early (code ${child.exitCode ?? child.signalCode})`);
        }
        return dockerAnswers(host);
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `dockerd on ${host}`,
        onTimeout: () => `\n--- ${logFile} (tail) ---\n${tail(logFile)}`,
      },
    );
  } catch (e) {
    await stop();
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(
      message.includes(logFile)
        ? message
        : `${message}\n--- ${logFile} (tail) ---\n${tail(logFile)}`,
      { cause: e },
    );
  }
  return { host, started: true, stop };
}

// --- Shared daemon: several test runs / scripts may use the one under DEFAULT_DOCKERD_DIR at once.
// Each holds a lease file named after its pid; the last live holder to leave stops the daemon.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Serialises check-then-start between processes with an O_EXCL lock file. */
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readPid(file);
      const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      // A lock whose holder died (or that was never completed) is stale.
      if ((holder !== undefined && !pidAlive(holder)) || (holder === undefined && age > 10_000)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${file} (held by ${holder})`, { cause: e });
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Leases of live processes (stale ones are removed). */
function liveLeases(leaseDir: string): string[] {
  const live: string[] = [];
  for (const name of existsSync(leaseDir) ? readdirSync(leaseDir) : []) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) live.push(name);
    else rmSync(join(leaseDir, name), { force: true });
  }
  return live;
}

/** Synchronously signals the daemon recorded in baseDir (for 'exit' handlers and reusers). */
function signalRecordedDaemon(baseDir: string, signal: NodeJS.Signals): number | undefined {
  const pid = readPid(join(baseDir, 'dockerd.pid'));
  if (pid === undefined || !pidAlive(pid) || !isDockerd(pid)) return undefined;
  process.kill(pid, signal);
  return pid;
}

async function stopRecordedDaemon(baseDir: string): Promise<void> {
  const containerdPid = readPid(join(baseDir, 'x', 'containerd', 'containerd.pid'));
  const pid = signalRecordedDaemon(baseDir, 'SIGTERM');
  if (pid !== undefined) {
    await waitFor(() => !pidAlive(pid), {
      timeoutMs: 20_000,
      what: `dockerd ${pid} to exit`,
    }).catch(() => process.kill(pid, 'SIGKILL'));
  }
  if (containerdPid !== undefined && pidAlive(containerdPid)) {
    process.kill(containerdPid, 'SIGKILL');
  }
  rmSync(join(baseDir, 'd.sock'), { force: true });
  rmSync(join(baseDir, 'x'), { recursive: true, force: true });
  rmSync(join(baseDir, 'data'), { recursive: true, force: true, maxRetries: 3 });
}

/**
 * The Docker engine the harness uses: `HARNESS_DOCKER_HOST` when it answers, else the shared
 * daemon under `baseDir` (started if needed, reused if another run already has it up).
 */
export async function ensureDockerd(
  opts: StartDockerdOptions & { baseDir?: string } = {},
): Promise<Dockerd> {
  const fromEnv = process.env.HARNESS_DOCKER_HOST;
  if (fromEnv && (await dockerAnswers(fromEnv))) {
    return { host: fromEnv, started: false, stop: async () => {} };
  }
  const baseDir = opts.baseDir ?? DEFAULT_DOCKERD_DIR;
  const leaseDir = join(baseDir, 'leases');
  mkdirSync(leaseDir, { recursive: true });
  const lockFile = join(baseDir, 'lock');
  const host = `unix://${join(baseDir, 'd.sock')}`;
  const lease = join(
    leaseDir,
    `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );

  const started = await withLock(lockFile, async () => {
    let startedHere = false;
    if (!(existsSync(join(baseDir, 'd.sock')) && (await dockerAnswers(host)))) {
      // A daemon from an earlier run that no longer answers holds the pidfile; clear it away.
      await stopRecordedDaemon(baseDir);
      // keep: the daemon is shared, so its lifetime follows the leases, not this process.
      await startDockerd(baseDir, { ...opts, keep: true });
      startedHere = true;
    }
    writeFileSync(lease, String(process.pid));
    return startedHere;
  });

  // If this process exits without stop(), give the lease back (and stop the daemon if last).
  const onExit = (): void => {
    rmSync(lease, { force: true });
    if (!opts.keep && liveLeases(leaseDir).length === 0) signalRecordedDaemon(baseDir, 'SIGTERM');
  };
  process.once('exit', onExit);

  let released = false;
  return {
    host,
    started,
    async stop() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      await withLock(lockFile, async () => {
        rmSync(lease, { force: true });
        if (!opts.keep && liveLeases(leaseDir).length === 0) await stopRecordedDaemon(baseDir);
      });
    },
  };
}

/** Local image refs (`repo:tag`) in the engine at `host`, optionally only those under `prefix`. */
export async function listImages(host: string, prefix = ''): Promise<string[]> {
  const { stdout } = await exec(dockerCli(), [
    '-H',
    host,
    'images',
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((ref) => ref !== '' && !ref.endsWith(':<none>') && ref.startsWith(prefix));
}

/** Removes local images (missing ones are ignored). */
export async function removeImages(host: string, refs: string[]): Promise<void> {
  if (refs.length === 0) return;
  await exec(dockerCli(), ['-H', host, 'rmi', '--force', ...refs], { check: false });
}

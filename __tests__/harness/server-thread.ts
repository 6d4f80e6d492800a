// Runs the harness's HTTP servers on a worker thread by default. Why: a test that calls
// execFileSync('git', ['clone', …]) or execSync('docker push …') blocks its own event loop, and a
// server on that loop could never answer: the test would deadlock. On a worker thread the servers
// keep serving while the main thread is blocked.
//
// Request records flow back over a MessagePort that the main thread drains synchronously
// (receiveMessageOnPort) whenever a test reads them. Control calls (failNext, setToken, …) go the
// other way and are drained by the worker at the start of every request, so
// `server.failNext(…); execFileSync(…)` is strictly ordered.
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

export interface ServerHooks {
  /** A request record was created or changed; call it before the response is sent. */
  record(rec: object): void;
  /** Called at the start of every request (applies pending control calls). */
  beforeRequest(): void;
}

/** A server implementation, independent of the thread it runs on. */
export interface ServerCore<Info, Control extends object> {
  info: Info;
  control: Control;
  stop(): Promise<void>;
}

export type ServerKind = 'git' | 'registry-proxy' | 'releases';

/** What the public server objects are built on, wherever the server runs. */
export interface ServerTransport<Info, Control extends object, Rec extends object> {
  info: Info;
  /** All records so far (the same array instance every time, updated in place). */
  records(): Rec[];
  clearRecords(): void;
  control<K extends keyof Control>(
    method: K,
    ...args: Control[K] extends (...a: infer A) => void ? A : never
  ): void;
  stop(): Promise<void>;
}

type AnyControl = Record<string, (...args: unknown[]) => void>;

/** Runs a server core on the calling thread (simplest; deadlocks if the caller blocks). */
export async function inProcess<Info, Control extends object, Rec extends object>(
  create: (hooks: ServerHooks) => Promise<ServerCore<Info, Control>>,
): Promise<ServerTransport<Info, Control, Rec>> {
  const records: Rec[] = [];
  const seen = new WeakSet<object>();
  const core = await create({
    record(rec) {
      if (seen.has(rec)) return;
      seen.add(rec);
      records.push(rec as Rec);
    },
    beforeRequest() {},
  });
  return {
    info: core.info,
    records: () => records,
    clearRecords: () => {
      records.length = 0;
    },
    control: (method, ...args) =>
      (core.control as unknown as AnyControl)[method as string](...args),
    stop: () => core.stop(),
  };
}

/** Runs a server core on a worker thread (see server-thread-host.ts for the other side). */
export async function inThread<Info, Control extends object, Rec extends object>(
  kind: ServerKind,
  options: unknown,
): Promise<ServerTransport<Info, Control, Rec>> {
  const events = new MessageChannel();
  const control = new MessageChannel();
  const worker = new Worker(new URL('./server-thread-entry.mjs', import.meta.url), {
    workerData: { kind, options, events: events.port2, control: control.port2 },
    transferList: [events.port2, control.port2],
  });
  const info = await new Promise<Info>((resolve, reject) => {
    const onExit = (code: number): void =>
      reject(new Error(`${kind} server thread exited (${code}) before starting`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: { info?: Info; error?: string }) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (m.error !== undefined) reject(new Error(`${kind} server thread failed: ${m.error}`));
      else resolve(m.info as Info);
    });
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  // A forgotten stop() must not keep the process alive.
  worker.unref();

  const records: Rec[] = [];
  const byId = new Map<number, Rec>();
  let maxId = 0;
  let clearedUpTo = 0;
  const sync = (): void => {
    for (let m = receiveMessageOnPort(events.port1); m; m = receiveMessageOnPort(events.port1)) {
      const { id, rec } = m.message as { id: number; rec: Rec };
      maxId = Math.max(maxId, id);
      if (id <= clearedUpTo) continue;
      const known = byId.get(id);
      if (known) Object.assign(known, rec);
      else {
        byId.set(id, rec);
        records.push(rec);
      }
    }
  };

  let stopped: Promise<void> | undefined;
  return {
    info,
    records: () => {
      sync();
      return records;
    },
    clearRecords: () => {
      sync();
      clearedUpTo = maxId;
      records.length = 0;
      byId.clear();
    },
    control: (method, ...args) => control.port1.postMessage({ method, args }),
    stop: () =>
      (stopped ??= (async () => {
        const done = new Promise<void>((resolve) => {
          worker.once('message', () => resolve());
          worker.once('exit', () => resolve());
        });
        worker.postMessage({ stop: true });
        await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
        await worker.terminate();
        events.port1.close();
        control.port1.close();
      })()),
  };
}

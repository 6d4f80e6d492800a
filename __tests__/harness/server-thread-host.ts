// The worker-thread side of server-thread.ts: builds one server core and wires its hooks to the
// main thread's message ports.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ServerCore, ServerHooks, ServerKind } from './server-thread.js';
import { createGitCore } from './git-server.js';
import { createRegistryProxyCore } from './registry.js';
import { createReleaseCore } from './release-server.js';

interface HostData {
  kind: ServerKind;
  options: Record<string, unknown>;
  events: MessagePort;
  control: MessagePort;
}

type AnyCore = ServerCore<unknown, Record<string, (...args: unknown[]) => void>>;

export async function hostServer({ kind, options, events, control }: HostData): Promise<AnyCore> {
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  let core: AnyCore | undefined;
  const hooks: ServerHooks = {
    record(rec) {
      let id = ids.get(rec);
      if (id === undefined) ids.set(rec, (id = ++nextId));
      events.postMessage({ id, rec });
    },
    beforeRequest() {
      for (let m = receiveMessageOnPort(control); m; m = receiveMessageOnPort(control)) {
        const { method, args } = m.message as { method: string; args: unknown[] };
        core?.control[method](...args);
      }
    },
  };
  switch (kind) {
    case 'git':
      core = (await createGitCore(options as never, hooks)) as unknown as AnyCore;
      break;
    case 'registry-proxy':
      core = (await createRegistryProxyCore(options as never, hooks)) as unknown as AnyCore;
      break;
    case 'releases':
      core = (await createReleaseCore(options, hooks)) as unknown as AnyCore;
      break;
  }
  return core;
}

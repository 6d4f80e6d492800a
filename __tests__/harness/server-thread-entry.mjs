// Worker-thread bootstrap for server-thread.ts. Plain JS because a worker does not inherit
// vitest's TypeScript transform; tsx loads the TypeScript host module instead.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
  const { hostServer } = await tsImport('./server-thread-host.ts', import.meta.url);
  const core = await hostServer(workerData);
  parentPort.on('message', async (message) => {
    if (!message?.stop) return;
    await core.stop().catch(() => {});
    parentPort.postMessage({ stopped: true });
  });
  parentPort.postMessage({ info: core.info });
} catch (e) {
  parentPort.postMessage({ error: e?.stack ?? String(e) });
}

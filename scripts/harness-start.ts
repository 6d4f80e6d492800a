// Starts the whole end-to-end harness for manual exploration and prints how to reach it:
//   npx tsx scripts/harness-start.ts
// Stays up until Ctrl-C (SIGINT) or SIGTERM, then stops everything it started.
import { startHarness, HARNESS_GITHUB_TOKEN } from '../__tests__/harness/index.js';

const harness = await startHarness();
const description = {
  dockerHost: harness.dockerHost,
  workDir: harness.workDir,
  registry: {
    host: harness.registry.host,
    username: harness.registry.username,
    password: harness.registry.password,
  },
  git: {
    baseUrl: harness.git.baseUrl,
    canvos: harness.canvos.url,
    privateCanvos: harness.canvos.privateUrl,
    privateToken: HARNESS_GITHUB_TOKEN,
    tags: harness.canvos.tags,
  },
  releases: {
    baseUrl: harness.releases.baseUrl,
    earthly: harness.releases.downloadUrlTemplate,
    earthbuild: harness.releases.earthbuildDownloadUrlTemplate,
  },
  env: harness.env(),
  try: [
    `git ls-remote --tags ${harness.canvos.url}`,
    `DOCKER_HOST=${harness.dockerHost} /usr/bin/docker images`,
  ],
};
process.stdout.write(JSON.stringify(description, null, 2) + '\n');
process.stderr.write('harness running; Ctrl-C to stop\n');

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('stopping harness…\n');
  harness.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`could not stop everything: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Keep the event loop alive (the servers already do; this makes it explicit).
setInterval(() => {}, 1 << 30);

/**
 * `scripts/dev.sh local [input=value ...]`: runs the bundled action (dist/index.js) as a runner
 * would — main step, then post step — offline, against local stand-ins it starts itself: a smart-HTTP
 * git server holding a CanvOS-shaped repository, an Earthly release server, a registry with
 * htpasswd auth and an isolated Docker engine. Any input can be overridden on the command line.
 */
import {
  type InputValue,
  runJob,
  runnerLog,
  startHarness,
  stepDebug,
} from '../__tests__/harness/index.js';

// As on a runner, `::debug::` lines show only with step debug logging (RUNNER_DEBUG=1 or
// ACTIONS_STEP_DEBUG=true in the environment of `scripts/dev.sh local`).
const debug = stepDebug(process.env);

const harness = await startHarness();
try {
  const inputs: Record<string, InputValue> = {
    'canvos-repository': harness.canvos.url,
    'canvos-version': 'latest',
    'image-registry': `${harness.registry.host}/edge`,
    'k8s-version': '1.32,1.31',
    'custom-tag': 'demo',
    'earthly-download-url': harness.releases.downloadUrlTemplate,
    'registry-username': harness.registry.username,
    'registry-password': harness.registry.password,
  };
  for (const arg of process.argv.slice(2)) {
    const eq = arg.indexOf('=');
    if (eq < 1) throw new Error(`expected input=value, got ${arg}`);
    inputs[arg.slice(0, eq)] = arg.slice(eq + 1);
  }

  const env = harness.env(debug ? { RUNNER_DEBUG: '1' } : {});
  const job = await runJob({ inputs, workDir: harness.jobDir('local'), env });
  process.stdout.write(
    `\n===== main step (exit ${job.main.code}) =====\n${runnerLog(job.main.stdout, debug)}${job.main.stderr}`,
  );
  process.stdout.write(`\n===== outputs =====\n`);
  for (const [name, value] of Object.entries(job.main.outputs)) {
    process.stdout.write(
      `${name}:${value.includes('\n') ? `\n  ${value.replaceAll('\n', '\n  ')}` : ` ${value}`}\n`,
    );
  }
  process.stdout.write(`\n===== job summary =====\n${job.main.summary}`);
  process.stdout.write(
    `\n===== post step (exit ${job.post.code}) =====\n${runnerLog(job.post.stdout, debug)}${job.post.stderr}`,
  );
  process.exitCode = job.main.code === 0 && job.post.code === 0 ? 0 : 1;
} finally {
  await harness.stop();
}

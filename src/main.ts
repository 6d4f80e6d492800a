/** The main step, as its phases: inputs, CanvOS, plan, registry, build files, build, report. */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { cloneCanvos, useCheckout, writeCheckoutFiles } from './canvos/checkout.js';
import { parseInputs, secretValues } from './core/inputs/index.js';
import { DEFAULT_EARTHBUILD_VERSION, earthlyInstall } from './core/earthly-plan.js';
import { makePlan, planBuild } from './core/plan.js';
import { imageResults, outputs, planLines, summaryMarkdown } from './core/report.js';
import { dockerLogin } from './docker/cli.js';
import { checkDisk } from './docker/disk.js';
import { checkEmulation } from './docker/emulation.js';
import { EarthlyDownload } from './earthly/download.js';
import { runBuild } from './earthly/run.js';
import { Phases } from './phases.js';
import { existingImages, verifyImages } from './registry/check.js';
import * as runner from './runner.js';
import { State } from './state.js';

export async function run(): Promise<void> {
  core.saveState(State.isPost, 'true');
  const phases = new Phases();
  const inputs = await phases.run('Inputs', () =>
    parseInputs(runner.readInput, runner.runnerContext()),
  );
  for (const secret of secretValues(inputs)) core.setSecret(secret);
  const tempDir = await mkdtemp(join(runner.runnerTemp(), 'canvos-action-'));
  core.saveState(State.tempDir, tempDir);
  const runnerArch = runner.machineArch();

  const earthly = new EarthlyDownload({
    requested: inputs.earthly.version,
    distribution: inputs.earthly.distribution,
    forkDefault: DEFAULT_EARTHBUILD_VERSION,
    waitForRegistry: inputs.skipExisting && inputs.push,
    never: inputs.dryRun,
    request: (version) => earthlyInstall(inputs, version, runnerArch),
  });
  earthly.startKnownVersion();
  const checkout = await phases.run('CanvOS checkout', () =>
    inputs.canvos.path
      ? useCheckout(inputs.canvos.path)
      : cloneCanvos(inputs.canvos, tempDir, (tag) => earthly.startLikelyPin(tag)),
  );
  const plan = await phases.run('Plan', () => {
    const plan = makePlan(inputs, checkout, { runnerArch, tempDir });
    for (const line of planLines(plan)) core.info(line);
    return plan;
  });
  earthly.startPlanned(plan.earthly.version);

  const { credentials, host } = plan.registry;
  if (!plan.dryRun && credentials) {
    await phases.run('Registry login', async () => {
      await dockerLogin(host, credentials.username, credentials.password);
      core.saveState(State.registryHost, host);
      core.info(`Logged in to ${host} as ${credentials.username}`);
    });
  } else if (!plan.dryRun && plan.push) {
    core.info(
      'No registry-username given: relying on an earlier docker login (e.g. docker/login-action)',
    );
  }
  const present =
    !plan.dryRun && plan.skipExisting
      ? await phases.run('Existing images', () => existingImages(plan))
      : new Map<string, string>();
  const images = imageResults(plan, present);
  const build = planBuild(plan, present);
  await phases.run('Build files', () => writeCheckoutFiles(plan, build.files, tempDir));

  if (plan.dryRun) {
    core.info('Dry run: nothing installed, built or pushed');
  } else if (build.images.length === 0) {
    core.info('Every image already exists: nothing to build');
  } else {
    await phases.run('Emulation', () => checkEmulation(inputs.arch, runnerArch));
    await phases.run('Disk check', () =>
      checkDisk(plan.diskCheck, build.images.length, !plan.push),
    );
    const installation = await phases.run('Install Earthly', () =>
      earthly.installation(plan.earthly.version),
    );
    await phases.ungrouped('Build', () => runBuild(plan.earthly, installation, plan.canvosPath));
    await phases.run('Verify', () => verifyImages(plan, images));
  }

  runner.setOutputs(outputs(plan, images));
  await runner.writeSummary(summaryMarkdown(plan, images, phases.timings));
}

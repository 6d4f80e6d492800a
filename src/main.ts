/** The main step, as its phases: inputs, CanvOS, plan, registry, build files, build, report. */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { cloneCanvos, useCheckout, writeCheckoutFiles } from './canvos/checkout.js';
import { parseInputs, secretValues } from './core/inputs/index.js';
import { DEFAULT_EARTHBUILD_VERSION, earthlyInstall } from './core/earthly-plan.js';
import { makePlan, planBuild } from './core/plan.js';
import { registryHost } from './core/image-ref.js';
import { imageResults, planLines } from './core/report.js';
import { dockerLogin } from './docker/cli.js';
import { requireStoredCredentials } from './docker/config.js';
import { checkDisk } from './docker/disk.js';
import { EarthlyDownload } from './earthly/download.js';
import { runBuild } from './earthly/run.js';
import { Outcome } from './outcome.js';
import { existingImages, verifyImages } from './registry/check.js';
import * as runner from './runner.js';
import { State, claimState } from './state.js';

export async function run(): Promise<void> {
  claimState();
  const outcome = new Outcome();
  try {
    await runPhases(outcome);
    await outcome.succeeded();
  } catch (error) {
    await outcome.failed(error);
    throw error;
  }
}

async function runPhases(outcome: Outcome): Promise<void> {
  const { phases } = outcome;
  const inputs = await phases.quiet('Inputs', () =>
    parseInputs(runner.readInput, runner.runnerContext()),
  );
  outcome.secrets = secretValues(inputs);
  for (const secret of outcome.secrets) core.setSecret(secret);
  outcome.summary = inputs.summary;
  for (const notice of inputs.notices) core.notice(notice);
  if (inputs.push && !inputs.dryRun && !inputs.registryAuth) {
    const host = registryHost(inputs.imageRegistry);
    await phases.run('Registry credentials', () => requireStoredCredentials(host));
  }
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
  outcome.plan = plan;
  earthly.startPlanned(plan.earthly.version);

  const { credentials, host } = plan.registry;
  if (!plan.dryRun && credentials) {
    await phases.run('Registry login', async () => {
      core.saveState(State.registryHost, host); // first: a login cut short may have stored them
      await dockerLogin(host, credentials.username, credentials.password);
      core.info(`Logged in to ${host} as ${credentials.username}`);
    });
  }
  const present =
    !plan.dryRun && plan.skipExisting
      ? await phases.run('Existing images', () => existingImages(plan))
      : new Map<string, string>();
  const images = (outcome.images = imageResults(plan, present));
  const build = planBuild(plan, present);
  await phases.run('Build files', () => writeCheckoutFiles(plan, build.files, tempDir));

  if (plan.dryRun) {
    core.info('Dry run: nothing installed, built or pushed');
  } else if (build.images.length === 0) {
    core.info('Every image already exists: nothing to build');
  } else {
    await phases.run('Disk check', () => checkDisk(plan.diskCheck, build.images.length));
    const installation = await phases.run('Install Earthly', () =>
      earthly.installation(plan.earthly.version),
    );
    await phases.run('Build', () => runBuild(plan.earthly, installation, plan.canvosPath));
    await phases.run('Verify', () => verifyImages(plan, images));
  }
}

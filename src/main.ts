/** The main step, as its phases: inputs, CanvOS, plan, registry, build files, build, report. */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { cloneCanvos, useCheckout, writeCheckoutFiles } from './canvos/checkout.js';
import { parseInputs, secretValues } from './core/inputs/index.js';
import { makePlan, planBuild } from './core/plan.js';
import { registryHost } from './core/image-ref.js';
import { imageResults, planLines } from './core/report.js';
import { Outcome } from './outcome.js';
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
  // A dry run installs, logs in and builds nothing: it does not even load that code.
  const execution = inputs.dryRun ? undefined : await import('./execution.js');
  if (execution && inputs.push && !inputs.registryAuth) {
    const host = registryHost(inputs.imageRegistry);
    await phases.run('Registry credentials', () => execution.requireStoredCredentials(host));
  }
  const tempDir = await mkdtemp(join(runner.runnerTemp(), 'canvos-action-'));
  core.saveState(State.tempDir, tempDir);
  const runnerArch = runner.machineArch();

  const earthly = execution?.startEarthlyDownload(inputs, runnerArch);
  const checkout = await phases.run('CanvOS checkout', () =>
    inputs.canvos.path
      ? useCheckout(inputs.canvos.path)
      : cloneCanvos(inputs.canvos, tempDir, (tag) => earthly?.startLikelyPin(tag), {
          planFilesOnly: inputs.dryRun,
        }),
  );
  const plan = (outcome.plan = await phases.run('Plan', () => {
    const plan = makePlan(inputs, checkout, { runnerArch, tempDir });
    for (const line of planLines(plan)) core.info(line);
    return plan;
  }));
  earthly?.startPlanned(plan.earthly.version);

  const { credentials, host } = plan.registry;
  if (execution && credentials) {
    await phases.run('Registry login', () => {
      core.saveState(State.registryHost, host); // first: a login cut short may have stored them
      return execution.dockerLogin(host, credentials.username, credentials.password);
    });
  }
  const present =
    execution && plan.skipExisting
      ? await phases.run('Existing images', () => execution.existingImages(plan))
      : new Map<string, string>();
  const images = (outcome.images = imageResults(plan, present));
  const build = planBuild(plan, present);
  await phases.run('Build files', () => writeCheckoutFiles(plan, build.files, tempDir));

  if (!execution || !earthly) {
    core.info('Dry run: nothing installed, built or pushed');
  } else if (build.images.length === 0) {
    core.info('Every image already exists: nothing to build');
  } else {
    plan.earthly = await phases.run('BuildKit', () =>
      execution.prepareBuildkit(plan.earthly, inputs.arch, runnerArch, plan.registry.ca),
    );
    await phases.run('Disk check', () =>
      execution.checkDisk(plan.diskCheck, build.images.length, !plan.push),
    );
    const installation = await phases.run('Install Earthly', () =>
      earthly.installation(plan.earthly.version),
    );
    await phases.ungrouped('Build', () =>
      execution.runBuild(plan.earthly, installation, plan.canvosPath),
    );
    await phases.run('Verify', () => execution.verifyImages(plan, images));
  }
}

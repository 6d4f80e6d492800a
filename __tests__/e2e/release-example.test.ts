// The README's release example, run as GitHub would run it against the harness (real registry,
// git server, Earthly release server, Docker engine; the stand-in earthly pushes tiny images):
//   1. the `publish` job's steps run in order: `run:` steps with bash, this action from dist/ with
//      its `with:` evaluated (the registry, CanvOS and Earthly redirected to the harness);
//   2. the job's `outputs:` are evaluated from the action's real outputs;
//   3. the `attest` job's `if:` and matrix are evaluated with @actions/expressions from those job
//      outputs, and each entry's actions/attest-build-provenance `with:` names a pushed image and
//      its digest in the registry;
//   4. the `sign` job's script runs with a recording `cosign` on PATH and signs each pushed digest;
//   5. a re-run of the same tag (skip-existing) pushes nothing, so both jobs are skipped.
// actions/attest-build-provenance and cosign cannot run here (they need GitHub's OIDC token and
// Sigstore); what they are given is checked instead.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type Job,
  type Workflow,
  ACTION_NAME,
  parseWorkflow,
  readReadme,
  yamlBlocks,
} from '../docs/readme.js';
import {
  type Context,
  evaluateMap,
  evaluateValue,
  jobRuns,
  runShell,
} from '../docs/workflow-eval.js';
import { type ActionResult, buildInputs, runJob } from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

// actions/attest-build-provenance action.yml at v3.2.0 (commit 96278af6): its inputs.
const ATTEST_INPUTS = [
  'subject-path',
  'subject-digest',
  'subject-name',
  'subject-checksums',
  'push-to-registry',
  'create-storage-record',
  'show-summary',
  'github-token',
];
const RELEASE_TAG = 'v1.2.0';
const GITHUB = { actor: 'octocat', repository_owner: 'Acme-Edge', ref_name: RELEASE_TAG };

const harness = useHarness();

function findReleaseExample(): Workflow {
  for (const block of yamlBlocks(readReadme())) {
    const workflow = parseWorkflow(block);
    const on = JSON.stringify((workflow.on as Record<string, unknown>)?.push ?? null);
    if (on.includes('"v*"') && workflow.jobs.publish && workflow.jobs.attest) return workflow;
  }
  throw new Error('README has no release example with jobs publish and attest');
}

/** The example's registry, CanvOS and Earthly, redirected to the harness's. */
function redirected(): Record<string, string> {
  const harnessInputs = buildInputs(harness);
  const keys = [
    'canvos-repository',
    'image-registry',
    'earthly-download-url',
    'registry-username',
    'registry-password',
  ];
  return Object.fromEntries(keys.map((key) => [key, harnessInputs[key]]));
}

interface PublishRun {
  main: ActionResult;
  jobOutputs: Record<string, string>;
  printed: string;
}

/** The publish job's steps in order; this action runs against the harness. */
async function runPublish(job: Job, name: string): Promise<PublishRun> {
  const workDir = harness.jobDir(name);
  const context: Context = { github: GITHUB, secrets: { GITHUB_TOKEN: 'ghs_x' }, env: {} };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  let main: ActionResult | undefined;
  let printed = '';
  for (const [index, step] of (job.steps ?? []).entries()) {
    const stepContext = { ...context, steps };
    let outputs: Record<string, string>;
    if (step.run !== undefined) {
      const result = runShell(step, stepContext, join(workDir, `step-${index}`), {
        PATH: process.env.PATH,
        GITHUB_REPOSITORY_OWNER: GITHUB.repository_owner,
      });
      outputs = result.outputs;
      printed += result.stdout;
    } else {
      expect(step.uses).toBe(`${ACTION_NAME}@v1`);
      const run = await runJob({
        inputs: { ...evaluateMap(step.with, stepContext), ...redirected() },
        env: harness.env(),
        workDir: join(workDir, `step-${index}`),
      });
      expect(run.main.errors).toEqual([]);
      expect(run.main.code).toBe(0);
      expect(run.post.code).toBe(0);
      main = run.main;
      outputs = run.main.outputs;
    }
    if (step.id) steps[step.id] = { outputs };
  }
  expect(main, 'the publish job runs this action').toBeDefined();
  return { main: main!, jobOutputs: evaluateMap(job.outputs, { ...context, steps }), printed };
}

describe('README release example: publish, attest, sign; a re-run adds nothing', () => {
  const workflow = findReleaseExample();
  const { publish, attest, sign } = workflow.jobs;
  const versions = ['1.35.3']; // the newest 1.35 at the fixture's v4.9.38
  const repository = () => `${harness.registry.host}/edge/ubuntu`;
  const tagOf = (v: string) => `k3s-${v}-v4.9.38-${RELEASE_TAG}`;
  let first: PublishRun;
  let digests: string[];

  it('publish: pushes the images and sets the new outputs from the real run', async () => {
    first = await runPublish(publish, 'release-example');
    const { main } = first;
    digests = (await Promise.all(
      versions.map((v) => harness.registry.digestOf('edge/ubuntu', tagOf(v))),
    )) as string[];
    expect(digests.every((d) => /^sha256:[a-f0-9]{64}$/.test(d))).toBe(true);
    const refs = versions.map((v) => `${repository()}:${tagOf(v)}`);
    expect(main.outputs.images.split('\n')).toEqual(refs);
    expect(JSON.parse(main.outputs['attestation-subjects'])).toEqual(
      digests.map((digest) => ({ name: repository(), digest })),
    );
    expect(main.outputs['pushed-digests'].split('\n')).toEqual(
      refs.map((ref, i) => `${ref}@${digests[i]}`),
    );

    const pack = parse(main.outputs['pack-values']) as { options: Record<string, string> };
    expect(pack.options).toMatchObject({
      'system.registry': `${harness.registry.host}/edge`,
      'system.repo': 'ubuntu',
      'system.peVersion': 'v4.9.38',
      'system.customTag': RELEASE_TAG,
    });
    expect(first.printed).toContain(main.outputs['pack-values']);
    expect(main.summary).toContain('<summary>Palette pack values (edge-native-byoi)</summary>');
    expect(main.summary).toContain('can pick\n`1.35.3`');

    // No secret in the new outputs or the summary.
    const shown = [
      main.outputs['pack-values'],
      main.outputs['attestation-subjects'],
      main.outputs['pushed-digests'],
      main.summary,
    ].join('\n');
    expect(shown).not.toContain(harness.registry.password);
    expect(shown).not.toContain(harness.registry.username);
  });

  it('attest: the matrix from fromJSON of the job output is one entry per pushed image', () => {
    expect(first, 'publish ran').toBeDefined();
    const needs = { publish: { result: 'success', outputs: first.jobOutputs } };
    expect(jobRuns(attest.if, { needs })).toBe(true);
    const spec = attest.strategy?.matrix as Record<string, unknown>;
    const subjects = evaluateValue(spec.subject, { needs }) as Array<Record<string, string>>;
    expect(subjects).toEqual(digests.map((digest) => ({ name: repository(), digest })));

    const step = attest.steps?.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'));
    expect(step, 'the attest job runs actions/attest-build-provenance').toBeDefined();
    expect(Object.keys(step!.with ?? {}).filter((key) => !ATTEST_INPUTS.includes(key))).toEqual([]);
    for (const [i, subject] of subjects.entries()) {
      const given = evaluateMap(step!.with, { matrix: { subject }, github: GITHUB });
      expect(given).toEqual({
        'subject-name': repository(),
        'subject-digest': digests[i],
        'push-to-registry': 'true',
      });
    }
    const permissions = attest.permissions as Record<string, string>;
    expect(permissions).toMatchObject({
      'id-token': 'write',
      attestations: 'write',
      packages: 'write',
    });
  });

  it('sign: cosign signs each pushed digest, keyless', () => {
    expect(first, 'publish ran').toBeDefined();
    const needs = { publish: { result: 'success', outputs: first.jobOutputs } };
    expect(jobRuns(sign.if, { needs })).toBe(true);
    expect(sign.permissions).toMatchObject({ 'id-token': 'write', packages: 'write' });
    const signed = runSignScript(sign, needs);
    expect(signed).toEqual(
      versions.map((v, i) => `sign --yes ${repository()}:${tagOf(v)}@${digests[i]}`),
    );
  });

  it('a re-run of the same tag pushes nothing, so nothing is attested or signed twice', async () => {
    expect(first, 'publish ran').toBeDefined();
    const again = await runPublish(publish, 'release-example-rerun');
    expect(again.main.outputs.digests).toBe(first.main.outputs.digests);
    expect(again.main.outputs['attestation-subjects']).toBe('[]');
    expect(again.main.outputs['pushed-digests']).toBe('');
    const needs = { publish: { result: 'success', outputs: again.jobOutputs } };
    expect(jobRuns(attest.if, { needs })).toBe(false);
    expect(jobRuns(sign.if, { needs })).toBe(false);
  });
});

/** Runs the sign job's `run:` steps with a `cosign` that records its arguments, one call a line. */
function runSignScript(job: Job, needs: unknown): string[] {
  const dir = harness.jobDir('sign');
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'cosign.log');
  writeFileSync(log, '');
  writeFileSync(join(bin, 'cosign'), `#!/bin/sh\necho "$*" >> '${log}'\n`);
  chmodSync(join(bin, 'cosign'), 0o755);
  const runSteps = (job.steps ?? []).filter((step) => step.run !== undefined);
  expect(runSteps.length).toBeGreaterThan(0);
  for (const [index, step] of runSteps.entries()) {
    runShell(step, { needs, github: GITHUB }, join(dir, `step-${index}`), {
      PATH: `${bin}:${process.env.PATH}`,
    });
  }
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

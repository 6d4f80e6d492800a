// The README's dynamic-matrix example, run as GitHub would run it, against a local git server
// holding a CanvOS-shaped repository:
//   1. the `plan` job's steps run in order (`run:` steps with bash, the action from dist/);
//   2. the job's `outputs:` are evaluated from the steps' outputs;
//   3. the `build` job's `strategy.matrix` is evaluated with the same expression the README uses,
//      `fromJSON(needs.plan.outputs.newest-k8s-patches)`, by @actions/expressions (GitHub's
//      expression language implementation);
//   4. every matrix entry runs the `build` job's action step with its `with:` evaluated the same
//      way (in dry-run, as nothing can be built here), and gets exactly its own image.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANVOS_FIXTURE, k8sVersionsJson, makeCanvosRepo } from '../harness/canvos-fixture.js';
import { type GitServer, startGitServer } from '../harness/git-server.js';
import { HARNESS_GITHUB_TOKEN, runAction } from '../harness/runner.js';
import {
  ACTION_NAME,
  type Job,
  type Step,
  type Workflow,
  parseWorkflow,
  readReadme,
  yamlBlocks,
} from './readme.js';
import { type Context, evaluateMap, evaluateValue, runShell } from './workflow-eval.js';

/** The repository owner as GitHub reports it: mixed case, as many organizations are. */
const OWNER = 'Acme-Edge';
const GITHUB = {
  actor: 'octocat',
  repository_owner: OWNER,
  repository: `${OWNER}/edge-images`,
  ref_name: 'main',
};
const SECRETS = { GITHUB_TOKEN: HARNESS_GITHUB_TOKEN };

function findMatrixExample(): Workflow {
  for (const block of yamlBlocks(readReadme())) {
    const workflow = parseWorkflow(block);
    const build = workflow.jobs?.build;
    if (workflow.jobs?.plan && typeof build?.strategy?.matrix === 'object') {
      if (JSON.stringify(build.strategy.matrix).includes('fromJSON(needs.plan.outputs.'))
        return workflow;
    }
  }
  throw new Error(
    'README has no dynamic-matrix example (jobs plan and build, matrix from fromJSON)',
  );
}

let root: string;
let server: GitServer;
let canvosUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'matrix-example-'));
  const repos = join(root, 'git');
  mkdirSync(join(repos, 'spectrocloud'), { recursive: true });
  await makeCanvosRepo(root, { bareDir: join(repos, 'spectrocloud', 'CanvOS.git') });
  server = await startGitServer(repos);
  canvosUrl = server.url('spectrocloud/CanvOS');
});

afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface StepResult {
  outputs: Record<string, string>;
  outcome: 'success';
  conclusion: 'success';
}

/**
 * Runs a job's steps as the runner would: `run:` with bash (GITHUB_OUTPUT and the default
 * variables), this action with its `with:` evaluated and the action.yml defaults filled in.
 * `override` replaces inputs the test must redirect (the CanvOS repository; dry-run).
 */
async function runJob(
  name: string,
  job: Job,
  context: Context,
  override: Record<string, string>,
): Promise<{ steps: Record<string, StepResult>; actionOutputs: Array<Record<string, string>> }> {
  const steps: Record<string, StepResult> = {};
  const actionOutputs: Array<Record<string, string>> = [];
  const workDir = mkdtempSync(join(root, `${name}-`));
  for (const [index, step] of (job.steps ?? []).entries()) {
    const stepContext = { ...context, steps };
    let outputs: Record<string, string>;
    if (step.run !== undefined) {
      outputs = runShellStep(step, stepContext, join(workDir, `step-${index}`));
    } else if (step.uses?.startsWith(`${ACTION_NAME}@`)) {
      const inputs = { ...evaluateMap(step.with, stepContext), ...override };
      const result = await runAction({
        inputs,
        workDir: join(workDir, `step-${index}`),
        timeoutMs: 120_000,
      });
      const errors = result.errors.join('\n');
      expect(result.code, `${name} / ${step.name ?? step.uses}: ${errors}\n${result.stderr}`).toBe(
        0,
      );
      const post = await runAction({
        inputs,
        workDir: join(workDir, `step-${index}`),
        step: 'post',
      });
      expect(post.code, `${name} post step`).toBe(0);
      outputs = result.outputs;
      actionOutputs.push(outputs);
    } else {
      throw new Error(`${name}: the example uses ${step.uses}, which this test cannot run`);
    }
    if (step.id) steps[step.id] = { outputs, outcome: 'success', conclusion: 'success' };
  }
  return { steps, actionOutputs };
}

function runShellStep(step: Step, context: Context, dir: string): Record<string, string> {
  return runShell(step, context, dir, {
    PATH: process.env.PATH,
    GITHUB_ACTOR: GITHUB.actor,
    GITHUB_REPOSITORY: GITHUB.repository,
    GITHUB_REPOSITORY_OWNER: GITHUB.repository_owner,
    GITHUB_REF_NAME: GITHUB.ref_name,
  }).outputs;
}

/** The newest patch of each minor, computed here independently of the action's code. */
function newestPatches(versions: string[]): string[] {
  const byMinor = new Map<string, string>();
  const key = (v: string) => v.split('.').map(Number);
  const sorted = [...versions].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  for (const v of sorted) byMinor.set(v.split('.').slice(0, 2).join('.'), v);
  return [...byMinor.values()];
}

describe('README dynamic-matrix example', () => {
  const workflow = findMatrixExample();
  const latest = CANVOS_FIXTURE.latestStable;
  const listed = (
    JSON.parse(k8sVersionsJson(CANVOS_FIXTURE.tags[latest].k8sVersionsFrom)) as { k3s: string[] }
  ).k3s;

  let planOutputs: Record<string, string>;
  let matrix: unknown;

  it('plan job: a dry run resolves the CanvOS tag and lists the versions, as job outputs', async () => {
    const context = { github: GITHUB, secrets: SECRETS, env: {}, vars: {}, matrix: {}, needs: {} };
    const { steps } = await runJob('plan', workflow.jobs.plan, context, {
      'canvos-repository': canvosUrl,
    });
    planOutputs = evaluateMap(workflow.jobs.plan.outputs, { ...context, steps });

    expect(planOutputs['canvos-version']).toBe(latest);
    // `ghcr.io/${{ github.repository_owner }}` is mixed-case; the action lowercases the path.
    expect(steps.plan.outputs.image).toMatch(
      new RegExp(`^ghcr\\.io/${OWNER.toLowerCase()}/ubuntu:`),
    );
    expect(JSON.parse(planOutputs['available-k8s-versions'])).toEqual(listed);
    expect(JSON.parse(planOutputs['newest-k8s-patches'])).toEqual(newestPatches(listed));
  });

  it('build job: the matrix expression turns the plan into one entry per Kubernetes minor', () => {
    expect(planOutputs, 'the plan job ran').toBeDefined();
    const needs = { plan: { result: 'success', outputs: planOutputs } };
    const spec = workflow.jobs.build.strategy?.matrix as Record<string, unknown>;
    matrix = Object.fromEntries(
      Object.entries(spec).map(([key, value]) => [key, evaluateValue(value, { needs })]),
    );
    const entries = (matrix as { k8s: unknown }).k8s;
    expect(Array.isArray(entries)).toBe(true);
    expect(entries).toEqual(newestPatches(listed));
    expect((entries as string[]).length).toBeGreaterThan(3);
    expect(entries as string[]).toEqual(expect.arrayContaining([listed[listed.length - 1]]));
  });

  it('build job: each matrix entry plans exactly its own image from the planned CanvOS tag', async () => {
    expect(matrix, 'the matrix was evaluated').toBeDefined();
    const needs = { plan: { result: 'success', outputs: planOutputs } };
    for (const k8s of (matrix as { k8s: string[] }).k8s) {
      const context = {
        github: GITHUB,
        secrets: SECRETS,
        env: {},
        vars: {},
        needs,
        matrix: { k8s },
      };
      const { actionOutputs } = await runJob(`build-${k8s}`, workflow.jobs.build, context, {
        'canvos-repository': canvosUrl,
        'dry-run': 'true', // the example pushes; here nothing can be built
      });
      expect(actionOutputs).toHaveLength(1);
      const [outputs] = actionOutputs;
      expect(outputs['canvos-version']).toBe(planOutputs['canvos-version']);
      expect(JSON.parse(outputs['k8s-versions'])).toEqual([k8s]);
      expect(outputs.image).toBe(
        `ghcr.io/${OWNER.toLowerCase()}/ubuntu:k3s-${k8s}-${CANVOS_FIXTURE.tags[latest].peVersion}`,
      );
    }
  });
});

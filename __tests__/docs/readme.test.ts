// The README against action.yml: the generated tables list every input and output with its
// default, and every example is valid YAML that uses only real inputs, real outputs and real
// job outputs. (actionlint checks the examples as workflows: __tests__/docs/actionlint.test.ts.)
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ACTION_NAME,
  ROOT,
  type Job,
  type Step,
  type Workflow,
  actionSteps,
  parseWorkflow,
  readActionYml,
  readReadme,
  section,
  yamlBlocks,
} from './readme.js';

const action = readActionYml();
const readme = readReadme();
const blocks = yamlBlocks(readme);
const examples = blocks.map((block) => ({ block, workflow: parseWorkflow(block) }));

/** The rows of the Markdown table between a pair of action-docs markers. */
function generatedRows(name: 'inputs' | 'outputs'): string[][] {
  const marker = `<!-- action-docs-${name} source="action.yml" -->`;
  const start = readme.indexOf(marker);
  const end = readme.indexOf(marker, start + marker.length);
  expect(start, `README has the ${marker} markers`).toBeGreaterThanOrEqual(0);
  expect(end, `README closes the ${marker} section`).toBeGreaterThan(start);
  return readme
    .slice(start + marker.length, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('README inputs and outputs tables', () => {
  it('lists every input of action.yml once, with its required flag and default', () => {
    const rows = generatedRows('inputs');
    expect(rows.map((row) => unquote(row[0]))).toEqual(Object.keys(action.inputs));
    for (const row of rows) {
      const name = unquote(row[0]);
      const spec = action.inputs[name];
      expect(unquote(row[2]), `${name} required`).toBe(String(spec.required ?? false));
      const expectedDefault =
        spec.default === undefined || spec.default === '' ? '""' : String(spec.default);
      expect(unquote(row[3]), `${name} default`).toBe(expectedDefault);
      expect(row[1].length, `${name} has a description`).toBeGreaterThan(10);
    }
  });

  it('lists every output of action.yml once', () => {
    const rows = generatedRows('outputs');
    expect(rows.map((row) => unquote(row[0]))).toEqual(Object.keys(action.outputs));
    for (const row of rows)
      expect(row[1].length, `${row[0]} has a description`).toBeGreaterThan(10);
  });

  it('is exactly what action-docs generates from action.yml (npm run docs:check)', () => {
    const output = execFileSync(process.execPath, ['scripts/docs.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(output).toContain('match action.yml');
  });
});

/** `steps.<id>.outputs.<name>` and `needs.<job>.outputs.<name>` inside `${{ }}` in a value. */
function references(value: unknown): {
  steps: Array<[string, string]>;
  needs: Array<[string, string]>;
  matrix: string[];
} {
  const text = JSON.stringify(value ?? null);
  const expressions = [...text.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1]);
  const found = {
    steps: [] as Array<[string, string]>,
    needs: [] as Array<[string, string]>,
    matrix: [] as string[],
  };
  for (const expression of expressions) {
    for (const m of expression.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g))
      found.steps.push([m[1], m[2]]);
    for (const m of expression.matchAll(/\bneeds\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g))
      found.needs.push([m[1], m[2]]);
    for (const m of expression.matchAll(/\bmatrix\.([A-Za-z0-9_-]+)/g)) found.matrix.push(m[1]);
  }
  return found;
}

/** The names a `run:` step writes to $GITHUB_OUTPUT (`echo "name=..." >> "$GITHUB_OUTPUT"`). */
function runStepOutputs(step: Step): string[] {
  if (typeof step.run !== 'string' || !step.run.includes('GITHUB_OUTPUT')) return [];
  return [...step.run.matchAll(/(?:^|["'\s])([A-Za-z_][A-Za-z0-9_-]*)=/g)].map((m) => m[1]);
}

function stepOutputs(step: Step): string[] {
  if (typeof step.uses === 'string' && step.uses.startsWith(`${ACTION_NAME}@`))
    return Object.keys(action.outputs);
  if (step.run !== undefined) return runStepOutputs(step);
  return []; // other actions' outputs are not used by the examples
}

function matrixKeys(job: Job): string[] | undefined {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return undefined;
  if (typeof matrix === 'string') return undefined; // a whole-matrix expression
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(matrix as Record<string, unknown>)) {
    if (key === 'include' && Array.isArray(value)) {
      for (const entry of value) for (const k of Object.keys(entry as object)) keys.add(k);
    } else if (key !== 'exclude') keys.add(key);
  }
  return [...keys];
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function checkReferences(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    const steps = job.steps ?? [];
    const ids = steps.map((step) => step.id);
    const checkStepRef = ([id, name]: [string, string], before: number): void => {
      const index = ids.indexOf(id);
      if (index < 0)
        problems.push(`${jobName}: no step with id ${id} (steps.${id}.outputs.${name})`);
      else if (index >= before) problems.push(`${jobName}: steps.${id} is used before it runs`);
      else if (!stepOutputs(steps[index]).includes(name))
        problems.push(`${jobName}: step ${id} has no output ${name}`);
    };
    const checkNeedsRef = ([needed, name]: [string, string]): void => {
      if (!needsOf(job).includes(needed))
        problems.push(`${jobName}: needs.${needed} without needs: ${needed}`);
      else if (!Object.keys(workflow.jobs[needed]?.outputs ?? {}).includes(name)) {
        problems.push(`${jobName}: job ${needed} has no output ${name}`);
      }
    };
    const checkMatrixRef = (key: string) => {
      const keys = matrixKeys(job);
      if (!keys?.includes(key)) problems.push(`${jobName}: matrix.${key} is not in its matrix`);
    };

    const jobLevel = references({
      outputs: job.outputs,
      'runs-on': job['runs-on'],
      strategy: job.strategy,
    });
    jobLevel.steps.forEach((ref) => checkStepRef(ref, steps.length));
    jobLevel.needs.forEach(checkNeedsRef);
    jobLevel.matrix.forEach(checkMatrixRef);
    steps.forEach((step, index) => {
      const refs = references(step);
      refs.steps.forEach((ref) => checkStepRef(ref, index));
      refs.needs.forEach(checkNeedsRef);
      refs.matrix.forEach(checkMatrixRef);
    });
    for (const output of Object.keys(job.outputs ?? {})) {
      if (!/\$\{\{/.test(String(job.outputs?.[output])))
        problems.push(`${jobName}: output ${output} is not an expression`);
    }
  }
  return problems;
}

describe('README examples', () => {
  it('are fenced as yaml, complete workflows, and there are all of them', () => {
    expect(readme).not.toMatch(/^```yml\s*$/m);
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const { block, workflow } of examples) {
      expect(workflow.on, `README line ${block.line}: on:`).toBeDefined();
      expect(
        Object.keys(workflow.jobs ?? {}).length,
        `README line ${block.line}: jobs:`,
      ).toBeGreaterThan(0);
    }
  });

  it('each run this action as your-org/canvos-provider-images-action@v1', () => {
    for (const { block, workflow } of examples) {
      const steps = actionSteps(workflow);
      expect(steps.length, `README line ${block.line}`).toBeGreaterThan(0);
      for (const { step } of steps) expect(step.uses).toBe(`${ACTION_NAME}@v1`);
      expect(block.text, `README line ${block.line}: no local action`).not.toMatch(/uses:\s*\.\//);
    }
  });

  it('use only inputs that exist in action.yml, and always the required ones', () => {
    const required = Object.entries(action.inputs)
      .filter(([, spec]) => spec.required)
      .map(([name]) => name);
    for (const { block, workflow } of examples) {
      for (const { job, step } of actionSteps(workflow)) {
        const keys = Object.keys(step.with ?? {});
        const unknown = keys.filter((key) => !(key in action.inputs));
        expect(unknown, `README line ${block.line}, job ${job}: unknown inputs`).toEqual([]);
        for (const name of required)
          expect(keys, `README line ${block.line}, job ${job}`).toContain(name);
      }
    }
  });

  it('refer only to real step outputs, job outputs and matrix keys', () => {
    for (const { block, workflow } of examples) {
      expect(checkReferences(workflow), `README line ${block.line}`).toEqual([]);
    }
  });

  it('set least-privilege permissions at the top, never write-all', () => {
    for (const { block, workflow } of examples) {
      expect(workflow.permissions, `README line ${block.line}`).toBeTypeOf('object');
      expect(block.text, `README line ${block.line}`).not.toMatch(/write-all/);
      const pushes = actionSteps(workflow).some(
        ({ step }) => step.with?.push !== false && step.with?.['dry-run'] !== true,
      );
      const perms = [
        workflow.permissions,
        ...Object.values(workflow.jobs).map((job) => job.permissions),
      ];
      const writesPackages = perms.some(
        (p) => (p as Record<string, string> | undefined)?.packages === 'write',
      );
      if (!pushes)
        expect(writesPackages, `README line ${block.line}: no push, no packages: write`).toBe(
          false,
        );
    }
  });
});

function find(predicate: (w: Workflow, text: string) => boolean, what: string): Workflow {
  const hit = examples.find(({ workflow, block }) => predicate(workflow, block.text));
  expect(hit, `README has an example: ${what}`).toBeDefined();
  return hit!.workflow;
}

const withOf = (workflow: Workflow) => actionSteps(workflow).map(({ step }) => step.with ?? {});

describe('README covers what users need', () => {
  it('builds and pushes to GHCR on a push to main', () => {
    const w = find(
      (w) => JSON.stringify((w.on as Record<string, unknown>)?.push ?? null).includes('"main"'),
      'push to main',
    );
    expect(w.permissions).toMatchObject({ contents: 'read', packages: 'write' });
    expect(withOf(w)[0]).toMatchObject({
      'registry-username': '${{ github.actor }}',
      'registry-password': '${{ secrets.GITHUB_TOKEN }}',
    });
  });

  it('plans a dynamic matrix with a dry run and feeds it through fromJSON', () => {
    const w = find(
      (w) =>
        Object.values(w.jobs).some(
          (job) =>
            typeof job.strategy?.matrix === 'object' &&
            JSON.stringify(job.strategy.matrix).includes('fromJSON(needs.'),
        ),
      'dynamic matrix',
    );
    const plan = w.jobs.plan;
    expect(plan.outputs).toHaveProperty('available-k8s-versions');
    expect(plan.outputs).toHaveProperty('newest-k8s-patches');
    expect(withOf({ jobs: { plan } })[0]).toMatchObject({
      'dry-run': true,
      'k8s-version': 'latest',
    });
    expect(w.jobs.build.strategy?.matrix).toEqual({
      k8s: '${{ fromJSON(needs.plan.outputs.newest-k8s-patches) }}',
    });
    expect(readme).toContain('fromJSON(needs.plan.outputs.available-k8s-versions)');
  });

  it('publishes on release tags with the tag in custom-tag, re-runnable', () => {
    const w = find(
      (w) => JSON.stringify((w.on as Record<string, unknown>)?.push ?? null).includes('"v*"'),
      'tags v*',
    );
    expect(withOf(w)[0]).toMatchObject({
      'custom-tag': '${{ github.ref_name }}',
      'skip-existing': true,
    });
  });

  it('builds pull requests (forks too) without pushing and without secrets', () => {
    const hit = examples.find(
      ({ workflow }) => (workflow.on as Record<string, unknown>)?.pull_request !== undefined,
    );
    expect(hit).toBeDefined();
    expect(withOf(hit!.workflow)[0]).toMatchObject({ push: false });
    expect(hit!.block.text).not.toContain('secrets.');
    expect(withOf(hit!.workflow)[0]).not.toHaveProperty('registry-username');
  });

  it('builds amd64 and arm64 on native runners without tag collisions', () => {
    const w = find((_w, text) => text.includes('ubuntu-24.04-arm'), 'arm64 runner');
    expect(JSON.stringify(w)).toContain('"ubuntu-24.04"');
    const inputs = withOf(w)[0];
    expect(JSON.stringify([inputs['custom-tag'], inputs['image-repo']])).toContain('matrix.arch');
  });

  it('uses a remote BuildKit and a registry cache', () => {
    const w = find((_w, text) => text.includes('buildkit-host:'), 'buildkit-host');
    expect(withOf(w)[0]).toHaveProperty('remote-cache');
  });

  it('builds a CanvOS fork checked out with actions/checkout as canvos-path', () => {
    const w = find((_w, text) => text.includes('canvos-path:'), 'canvos-path');
    const steps = Object.values(w.jobs).flatMap((job) => job.steps ?? []);
    const checkout = steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.path).toBeTruthy();
    expect(withOf(w)[0]['canvos-path']).toBe(checkout?.with?.path);
  });

  it('builds an installer ISO from the canvos-path output with earthly', () => {
    const w = find((_w, text) => text.includes('+iso'), 'installer ISO');
    const steps = Object.values(w.jobs).flatMap((job) => job.steps ?? []);
    const iso = steps.find((step) => step.run?.includes('+iso'));
    expect(iso?.run).toMatch(
      /cd "\$\{\{ steps\.[a-z-]+\.outputs\.canvos-path \}\}" && earthly --ci .*-P \+iso/,
    );
  });

  it('links only to headings that exist', () => {
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const prose = readme.replace(/^```[\s\S]*?^```/gm, '');
    const slugs = new Set(
      [...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
    );
    const links = [...prose.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !slugs.has(link))).toEqual([]);
  });

  it('has Troubleshooting, Security, Performance and Development sections', () => {
    const troubleshooting = section(readme, 'Troubleshooting');
    for (const topic of [/disk/i, /rate limit/i, /Docker 29/, /exit code 9/i, /fork/i]) {
      expect(troubleshooting).toMatch(topic);
    }
    const security = section(readme, 'Security');
    for (const topic of [
      /permissions/,
      /Token scope/,
      /full commit SHA/,
      /masked/,
      /`\.arg` never holds secrets/,
    ]) {
      expect(security).toMatch(topic);
    }
    const performance = section(readme, 'Performance');
    for (const topic of [/npm run bench/, /Plan phase/, /skip-existing/, /remote-cache/]) {
      expect(performance).toMatch(topic);
    }
    const development = section(readme, 'Development');
    expect(development).toContain('scripts/dev.sh local');
    expect(development).toContain('scripts/dev.sh test');
  });
});

// A dry run at git's own cost, end to end through dist/: a partial clone that fetches only the files
// the plan reads, the fallback when the server refuses filters, a build that still gets the whole
// tree, and a bundle whose real-run code a dry run never loads.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY, REPO_ROOT, buildInputs, exec, runAction } from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const harness = useHarness();

const TAG = 'v4.9.38';
const PLAN_FILES = ['Earthfile', 'earthly.sh', 'k8s_version.json'];

function dryRun(extra: Record<string, string> = {}, entry = DEFAULT_ENTRY) {
  return runAction({
    entry,
    inputs: {
      'canvos-repository': harness.canvos.url,
      'canvos-version': TAG,
      'image-registry': 'registry.example.com/edge',
      'k8s-version': '1.32.3',
      'dry-run': 'true',
      ...extra,
    },
    env: harness.env(),
    workDir: harness.jobDir('dry-run'),
  });
}

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await exec('git', ['-C', dir, ...args], { env: { PATH: process.env.PATH } })).stdout;
}

/** The blobs (file contents) the checkout's object store holds: what was fetched. */
async function blobs(dir: string): Promise<number> {
  const types = await git(dir, 'cat-file', '--batch-all-objects', '--batch-check=%(objecttype)');
  return types.split('\n').filter((type) => type === 'blob').length;
}

/** Files in the working tree, .git aside. */
function workingTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => !path.startsWith('.git'))
    .sort();
}

/** Every output but the checkout's path (each run has its own temporary directory). */
function outputsBesidesPath(outputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).filter(([name]) => name !== 'canvos-path'));
}

describe('a dry run fetches only what the plan reads', () => {
  it('a partial clone: the tag’s trees, and the contents of the three files the plan reads', async () => {
    const result = await dryRun();
    expect(result.errors).toEqual([]);
    const checkout = result.outputs['canvos-path'];
    expect(workingTree(checkout)).toEqual(['.arg', ...PLAN_FILES].sort());
    const tree = (await git(checkout, 'ls-tree', '-r', '--name-only', 'HEAD')).trim().split('\n');
    expect(tree).toContain('.arg.template'); // in the tag, not fetched
    expect(await blobs(checkout)).toBe(PLAN_FILES.length);
    // A sparse checkout: git sees the rest of the tree as left out on purpose, not deleted.
    expect(await git(checkout, 'status', '--porcelain')).toBe('?? .arg\n');
    expect(result.outputs['canvos-commit']).toBe(harness.canvos.tags[TAG].commit);
    expect(result.stdout).toContain(`Fetched ${PLAN_FILES.join(', ')} of ${harness.canvos.url}`);
  });

  it('a server that refuses filters sends the whole tree at the tag: same outputs, same files', async () => {
    const filtered = await dryRun();
    harness.git.allowFilters(false);
    try {
      const whole = await dryRun();
      expect(whole.errors).toEqual([]);
      expect(outputsBesidesPath(whole.outputs)).toEqual(outputsBesidesPath(filtered.outputs));
      const checkout = whole.outputs['canvos-path'];
      expect(workingTree(checkout)).toEqual(['.arg', ...PLAN_FILES].sort());
      const tree = await git(checkout, 'ls-tree', '-r', '--name-only', 'HEAD');
      expect(await blobs(checkout)).toBe(tree.trim().split('\n').length);
      expect(whole.stdout).toContain('does not allow partial clones: fetched the whole tree');
    } finally {
      harness.git.allowFilters(true);
    }
  });

  it('EDGE_CUSTOM_CONFIG is looked for in the tag’s tree, not only in the files checked out', async () => {
    const inTree = await dryRun({ 'build-args': 'EDGE_CUSTOM_CONFIG=.arg.template' });
    expect(inTree.errors).toEqual([]);
    expect(inTree.warnings).toEqual([]);
    const missing = await dryRun({ 'build-args': 'EDGE_CUSTOM_CONFIG=no-such-config.yaml' });
    expect(missing.warnings).toEqual([
      expect.stringMatching(/^EDGE_CUSTOM_CONFIG names no-such-config\.yaml, which is not in/),
    ]);
  });

  it('a build still clones the whole tree at the tag', async () => {
    const job = {
      inputs: buildInputs(harness, { 'k8s-version': '1.32.3', 'custom-tag': 'whole-tree' }),
      env: harness.env(),
      workDir: harness.jobDir('build-whole-tree'),
    };
    const main = await runAction(job);
    expect(main.errors).toEqual([]);
    const build = harness
      .invocations()
      .find((run) => run.target && run.buildArgs.CUSTOM_TAG === 'whole-tree');
    expect(build?.cwd).toBe(main.outputs['canvos-path']);
    const checkout = main.outputs['canvos-path'];
    const tree = await git(checkout, 'ls-tree', '-r', '--name-only', 'HEAD');
    expect(workingTree(checkout)).toEqual(expect.arrayContaining(tree.trim().split('\n')));
    expect(await blobs(checkout)).toBe(tree.trim().split('\n').length);
    const post = await runAction({ ...job, step: 'post' });
    expect(post.errors).toEqual([]);
  });
});

describe('a dry run loads none of the real run’s code', () => {
  it('runs from index.js alone; a real run needs the chunks ncc split off', async () => {
    const chunks = readdirSync(join(REPO_ROOT, 'dist')).filter((f) => /^\d+\.index\.js$/.test(f));
    expect(chunks.length).toBeGreaterThan(0);
    // dist/ without its chunks: a dry run cannot have read them.
    const bare = join(harness.jobDir('bundle-without-chunks'), 'dist');
    mkdirSync(bare);
    for (const file of ['index.js', 'index.js.map', 'package.json', 'sourcemap-register.cjs'])
      copyFileSync(join(REPO_ROOT, 'dist', file), join(bare, file));
    const dry = await dryRun({}, join(bare, 'index.js'));
    expect(dry.errors).toEqual([]);
    expect(outputsBesidesPath(dry.outputs)).toEqual(outputsBesidesPath((await dryRun()).outputs));
    const real = await runAction({
      entry: join(bare, 'index.js'),
      inputs: buildInputs(harness, { 'k8s-version': '1.32.3' }),
      env: harness.env(),
      workDir: harness.jobDir('real-run-without-chunks'),
    });
    expect(real.code).toBe(1);
    expect(real.errors.join('\n')).toMatch(/Cannot find module .*\d+\.index\.js/);
  });
});

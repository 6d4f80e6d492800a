// scripts/actionlint.mjs (npm run lint:actions) really lints: it fails on a broken workflow and on
// a broken README example (reporting the README's own line), and passes this repository.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './readme.js';

const dir = mkdtempSync(join(tmpdir(), 'actionlint-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(...files: string[]) {
  const result = spawnSync(process.execPath, ['scripts/actionlint.mjs', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const GOOD = `name: good
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  plan:
    runs-on: ubuntu-24.04
    outputs:
      versions: \${{ steps.plan.outputs.newest-k8s-patches }}
    steps:
      - id: plan
        uses: your-org/canvos-provider-images-action@v1
        with:
          image-registry: ghcr.io/example
          k8s-version: latest
          dry-run: true
  build:
    needs: plan
    runs-on: ubuntu-24.04-arm
    strategy:
      matrix:
        k8s: \${{ fromJSON(needs.plan.outputs.versions) }}
    steps:
      - run: echo "\${{ matrix.k8s }}"
`;

// Three classic mistakes: an undefined job output, an unknown runner label, and an untrusted
// value expanded straight into a shell script.
const BROKEN = `name: broken
on:
  pull_request:
permissions:
  contents: read
jobs:
  plan:
    runs-on: ubuntu-24.04
    steps:
      - id: plan
        uses: your-org/canvos-provider-images-action@v1
        with:
          image-registry: ghcr.io/example
          k8s-version: latest
  build:
    needs: plan
    runs-on: ubuntu-20.40
    steps:
      - run: echo "\${{ needs.plan.outputs.newest-k8s-patches }}"
      - run: echo "\${{ github.event.pull_request.title }}"
`;

describe('scripts/actionlint.mjs', () => {
  it('passes a valid workflow', () => {
    const file = join(dir, 'good.yml');
    writeFileSync(file, GOOD);
    const { code, output } = lint(file);
    expect(output).toContain('0 problem(s)');
    expect(code).toBe(0);
  });

  it('fails a broken workflow and names each problem with its line', () => {
    const file = join(dir, 'broken.yml');
    writeFileSync(file, BROKEN);
    const { code, output } = lint(file);
    expect(code).toBe(1);
    expect(output).toMatch(/broken\.yml:17:\d+: label "ubuntu-20\.40" is unknown/);
    expect(output).toMatch(/broken\.yml:19:\d+: property "newest-k8s-patches" is not defined/);
    expect(output).toMatch(
      /broken\.yml:20:\d+: "github\.event\.pull_request\.title" is potentially untrusted/,
    );
  });

  it('fails a Markdown file whose yaml example is broken, at the Markdown line', () => {
    const file = join(dir, 'README.md');
    const markdown = [
      '# Example',
      '',
      'Text.',
      '',
      '```yaml',
      BROKEN.trimEnd(),
      '```',
      '',
      '```yaml',
      GOOD.trimEnd(),
      '```',
      '',
    ];
    writeFileSync(file, markdown.join('\n'));
    const { code, output } = lint(file);
    expect(code).toBe(1);
    // The block starts on Markdown line 6, so workflow line 17 is Markdown line 22.
    expect(output).toMatch(
      /README\.md:22:\d+: label "ubuntu-20\.40" is unknown.*\(readme-block-1\.yml line 17\)/,
    );
    expect(output).toContain('2 workflow(s) checked');
  });

  it('fails YAML that does not parse', () => {
    const file = join(dir, 'unparsable.yml');
    writeFileSync(file, 'on: [push\njobs:\n  x: {\n');
    const { code } = lint(file);
    expect(code).toBe(1);
  });

  it("passes this repository's workflows and README examples (npm run lint:actions)", () => {
    const { code, output } = lint();
    expect(output).toMatch(/actionlint: \d+ workflow\(s\) checked, 0 problem\(s\)/);
    expect(code).toBe(0);
  });
});

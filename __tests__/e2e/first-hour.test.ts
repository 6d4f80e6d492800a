// The mistakes of a first hour with the action, run end to end on the stand-ins: a push without
// credentials stops before Earthly runs, a failed build still explains itself in the job summary
// and sets the outputs it knows, mixed-case owners are lowercased with a notice, and the log has
// no empty group and keeps the Earthly download inside "Install Earthly".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ActionResult, buildInputs, runJob } from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const harness = useHarness();

/** Earthly builds so far (not `earthly --version` checks). */
function builds() {
  return harness.invocations().filter((run) => run.target === '+build-provider-images');
}

/** The inputs of a workflow that pushes with an earlier `docker login` instead of credentials. */
function withoutCredentials(extra: Record<string, string> = {}): Record<string, string> {
  const inputs = buildInputs(harness, extra);
  delete inputs['registry-username'];
  delete inputs['registry-password'];
  return inputs;
}

/** config.json as `docker login` (no credential helper) leaves it, in the job's DOCKER_CONFIG. */
function dockerLoginStored(workDir: string): void {
  const dir = join(workDir, 'home', '.docker');
  mkdirSync(dir, { recursive: true });
  const { host, username, password } = harness.registry;
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
}

/** Each log group of a step: its name and the lines inside it. */
function logGroups(result: ActionResult): { name: string; lines: string[] }[] {
  const groups: { name: string; lines: string[] }[] = [];
  let open: { name: string; lines: string[] } | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('::group::')) groups.push((open = { name: line.slice(9), lines: [] }));
    else if (line.startsWith('::endgroup::')) open = undefined;
    else if (open && line.trim() !== '') open.lines.push(line);
  }
  return groups;
}

function emptyGroups(result: ActionResult): string[] {
  return logGroups(result)
    .filter((group) => group.lines.length === 0)
    .map((group) => group.name);
}

describe('push credentials', () => {
  it('without registry-username or stored credentials, fails before Earthly runs and says both ways in', async () => {
    const buildsBefore = builds().length;
    const downloadsBefore = harness.releases.downloads().length;
    const { main, post } = await runJob({
      inputs: withoutCredentials({ 'k8s-version': '1.32.3', 'custom-tag': 'nocreds' }),
      env: harness.env(),
      workDir: harness.jobDir('no-credentials'),
    });
    expect(main.code).toBe(1);
    expect(main.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^push: Docker holds no credentials for ${harness.registry.host} .*set registry-username and registry-password, or log in with docker/login-action in a step before this one$`,
        ),
      ),
    ]);
    expect(builds().length).toBe(buildsBefore);
    expect(harness.releases.downloads().length).toBe(downloadsBefore);
    // Checked right after the inputs: nothing cloned, downloaded or built, so no plan to report.
    expect(main.summary).toContain('**Registry credentials** failed:');
    expect(main.summary).toContain('the run stopped before its plan was made');
    expect(main.outputs).toEqual({});
    expect(emptyGroups(main)).toEqual([]);
    expect(post.code).toBe(0);
  });

  it('pushes with what an earlier docker login stored, without registry-username', async () => {
    const workDir = harness.jobDir('stored-login');
    dockerLoginStored(workDir);
    const { main } = await runJob({
      inputs: withoutCredentials({ 'k8s-version': '1.31.4', 'custom-tag': 'stored' }),
      env: harness.env(),
      workDir,
    });
    expect(main.errors).toEqual([]);
    expect(main.stdout).toContain(
      `Found them: Earthly pushes with Docker's stored credentials for ${harness.registry.host}`,
    );
    const digest = await harness.registry.digestOf('edge/ubuntu', 'k3s-1.31.4-v4.9.38-stored');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(main.outputs.digest).toBe(digest);
  });
});

describe('a failed run still reports', () => {
  it('a failing build writes the summary with the plan and the failed phase, and sets the known outputs', async () => {
    const { main } = await runJob({
      inputs: buildInputs(harness, { 'k8s-version': '1.32.3,1.31.4', 'custom-tag': 'broken' }),
      env: harness.env({ STANDIN_EARTHLY_EXIT: '7' }),
      workDir: harness.jobDir('build-fails'),
    });
    expect(main.code).toBe(1);
    expect(main.errors).toHaveLength(1);
    const refs = ['1.31.4', '1.32.3'].map(
      (v) => `${harness.registry.host}/edge/ubuntu:k3s-${v}-v4.9.38-broken`,
    );
    expect(main.summary).toMatch(/^## CanvOS provider images: failed\n\n\*\*Build\*\* failed:\n/);
    expect(main.summary).toContain('Earthly failed with exit code 7: BuildKit crashed');
    expect(main.summary).toContain('- Palette Edge version: `v4.9.38`');
    expect(main.summary).toContain(`| \`${refs[0]}\` | k3s 1.31.4 | amd64 | - | not built |`);
    expect(main.summary).toMatch(/\| Build \| \d+\.\d s \|/);
    expect(main.summary).not.toContain(harness.registry.password);
    expect(emptyGroups(main)).toEqual([]);
    expect(main.outputs).toMatchObject({
      'canvos-version': 'v4.9.38',
      'pe-version': 'v4.9.38',
      images: refs.join('\n'),
      image: refs[0],
      digest: '',
      digests: '',
      'k8s-versions': '["1.31.4","1.32.3"]',
    });
  });

  it('summary: false writes no summary, even on failure; an input error names the Inputs phase', async () => {
    const quiet = await runJob({
      inputs: buildInputs(harness, { 'k8s-version': '1.32.3', summary: 'false' }),
      env: harness.env({ STANDIN_EARTHLY_EXIT: '1' }),
      workDir: harness.jobDir('no-summary'),
    });
    expect(quiet.main.code).toBe(1);
    expect(quiet.main.summary).toBe('');
    expect(quiet.main.outputs.image).toMatch(/k3s-1\.32\.3-v4\.9\.38$/);

    const bad = await runJob({
      inputs: buildInputs(harness, { 'k8s-version': '1.32.3', 'custom-tag': 'my tag' }),
      env: harness.env(),
      workDir: harness.jobDir('bad-input'),
    });
    expect(bad.main.errors).toEqual([
      'custom-tag: "my tag" may only hold letters, digits, _ . - (e.g. my-tag)',
    ]);
    expect(bad.main.summary).toContain('**Inputs** failed:');
    expect(bad.main.outputs).toEqual({});
  });
});

describe('inputs people get wrong', () => {
  it('lowercases a mixed-case owner in image-registry and image-repo with a notice, never the host', async () => {
    const { main } = await runJob({
      inputs: buildInputs(harness, {
        'image-registry': `${harness.registry.host}/Edge-Team`,
        'image-repo': 'Ubuntu',
        'k8s-version': '1.30.4',
        'custom-tag': 'mixed',
      }),
      env: harness.env(),
      workDir: harness.jobDir('mixed-case'),
    });
    expect(main.errors).toEqual([]);
    expect(main.notices).toEqual([
      `image-registry: "${harness.registry.host}/Edge-Team" has uppercase letters, which a Docker repository path cannot hold: using "${harness.registry.host}/edge-team"`,
      'image-repo: "Ubuntu" has uppercase letters, which a Docker repository path cannot hold: using "ubuntu"',
    ]);
    expect(main.outputs.image).toBe(
      `${harness.registry.host}/edge-team/ubuntu:k3s-1.30.4-v4.9.38-mixed`,
    );
    expect(await harness.registry.digestOf('edge-team/ubuntu', 'k3s-1.30.4-v4.9.38-mixed')).toBe(
      main.outputs.digest,
    );
  });
});

describe('the log', () => {
  it('has no empty group, says how many images exist, and shows the download inside Install Earthly', async () => {
    const { main } = await runJob({
      inputs: buildInputs(harness, {
        'k8s-version': '1.29.6,1.28.14',
        'custom-tag': 'groups',
        'skip-existing': 'true',
        // An exact version starts downloading with the step, during the clone.
        'earthly-version': 'v0.8.15',
      }),
      env: harness.env(),
      workDir: harness.jobDir('log-groups'),
    });
    expect(main.errors).toEqual([]);
    const groups = logGroups(main);
    expect(emptyGroups(main)).toEqual([]);
    expect(groups.map((group) => group.name)).not.toContain('Inputs');
    const existing = groups.find((group) => group.name === 'Existing images');
    expect(existing?.lines).toContain('0 of 2 already published; building 2');
    // The download ran in the background during the clone; its messages waited for their group.
    const install = groups.find((group) => group.name === 'Install Earthly');
    expect(install?.lines.some((line) => line.startsWith('Downloading earthly-linux-'))).toBe(true);
    const elsewhere = groups.filter((group) => group.name !== 'Install Earthly');
    expect(
      elsewhere.flatMap((group) => group.lines).filter((l) => /^Downloading |^Verified /.test(l)),
    ).toEqual([]);
  });
});

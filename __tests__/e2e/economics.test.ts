// Build economics end to end, beyond what build.test.ts covers (one Earthly run for several
// versions, `--ci --push` with nothing exported to Docker, a re-run that builds nothing):
// the registry cache handed to Earthly, a remote BuildKit instead of a local one, and a re-run
// that builds only the missing one of two versions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type StandinInvocation, buildInputs, exec, runAction } from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const TARGET = '+build-provider-images';
const harness = useHarness();

function baseInputs(extra: Record<string, string> = {}): Record<string, string> {
  return buildInputs(harness, extra);
}

/** Runs main then post in a fresh job dir; returns main's result and the one Earthly build it made. */
async function buildOnce(name: string, inputs: Record<string, string>, env = {}) {
  const before = builds().length;
  const workDir = harness.jobDir(name);
  const main = await runAction({ inputs, env: harness.env(env), workDir });
  expect(main.errors).toEqual([]);
  expect(main.code).toBe(0);
  const runs = builds().slice(before);
  expect(runs).toHaveLength(1);
  const post = await runAction({ inputs, env: harness.env(env), workDir, step: 'post' });
  expect(post.code).toBe(0);
  return { main, run: runs[0] };
}

/** Earthly builds so far (not `earthly --version` checks). */
function builds(): StandinInvocation[] {
  return harness.invocations().filter((run) => run.target === TARGET);
}

/** The value following `flag` in argv, checking it sits among the options before the target. */
function optionValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  expect(at).toBeLessThan(argv.indexOf(TARGET));
  return argv[at + 1];
}

describe('remote-cache', () => {
  const cacheRef = () => `${harness.registry.host}/edge/cache:k3s`;

  it('is handed to Earthly as --remote-cache <ref> before the target, with --push: read-write', async () => {
    const { run } = await buildOnce(
      'remote-cache-push',
      baseInputs({ 'k8s-version': '1.30.4', 'custom-tag': 'cache', 'remote-cache': cacheRef() }),
    );
    expect(optionValue(run.argv, '--remote-cache')).toBe(cacheRef());
    expect(run.globalFlags).toMatchObject({ remoteCache: cacheRef(), ci: true, push: true });
    expect(run.argv.indexOf('--push')).toBeLessThan(run.argv.indexOf(TARGET));
    // Nothing after the target but build args: the cache ref is not mistaken for one.
    expect(run.argv.slice(run.argv.indexOf(TARGET) + 1).join(' ')).not.toContain('cache');
    expect(run.cliBuildArgs).toEqual({});
  });

  it('without push Earthly gets no --push, so the cache is only read, never written', async () => {
    const { run } = await buildOnce(
      'remote-cache-local',
      baseInputs({
        'k8s-version': '1.30.4',
        'custom-tag': 'cache-local',
        'remote-cache': cacheRef(),
        push: 'false',
      }),
    );
    expect(optionValue(run.argv, '--remote-cache')).toBe(cacheRef());
    expect(run.argv).not.toContain('--push');
    expect(run.globalFlags.push ?? false).toBe(false);
    expect(run.pushed).toBe(false);
    expect(run.output).toBe(true);
  });

  it('is not passed at all when not set', async () => {
    const { run } = await buildOnce(
      'no-remote-cache',
      baseInputs({ 'k8s-version': '1.30.4', 'custom-tag': 'nocache' }),
    );
    expect(run.argv).not.toContain('--remote-cache');
    expect(run.globalFlags.remoteCache).toBeUndefined();
  });
});

describe('buildkit-host', () => {
  it('passes --buildkit-host, drops --buildkit-image and skips the local disk check', async () => {
    const host = 'tcp://buildkit.build.internal:8372';
    const { main, run } = await buildOnce(
      'buildkit-host',
      baseInputs({ 'k8s-version': '1.30.4', 'custom-tag': 'remote-bk', 'buildkit-host': host }),
    );
    expect(optionValue(run.argv, '--buildkit-host')).toBe(host);
    expect(run.argv).not.toContain('--buildkit-image');
    expect(run.globalFlags.buildkitHost).toBe(host);
    expect(run.globalFlags.buildkitImage).toBeUndefined();
    // No BuildKit is started on the runner, so its disk is not the one that fills up.
    expect(main.stdout).not.toMatch(/GiB free at/);
    expect(main.outputs.digests).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  // A loopback tcp:// host is a BuildKit Earthly starts itself (earthly/earthly
  // util/containerutil/shell_shared.go IsLocal): it needs its image, and the runner's disk counts.
  it('a loopback tcp:// host is local: the BuildKit image and the disk check stay', async () => {
    const host = 'tcp://127.0.0.1:8372';
    const { main, run } = await buildOnce(
      'loopback-buildkit',
      baseInputs({ 'k8s-version': '1.30.4', 'custom-tag': 'loopback-bk', 'buildkit-host': host }),
    );
    expect(optionValue(run.argv, '--buildkit-host')).toBe(host);
    expect(optionValue(run.argv, '--buildkit-image')).toMatch(/\/earthly\/buildkitd:v0\.8\.15$/);
    expect(main.stdout).toMatch(/GiB free at/);
  });

  it('without it, the BuildKit image is CanvOS’s mirror for the pinned Earthly', async () => {
    const { run } = await buildOnce(
      'local-buildkit',
      baseInputs({ 'k8s-version': '1.30.4', 'custom-tag': 'local-bk' }),
    );
    expect(run.argv).not.toContain('--buildkit-host');
    expect(optionValue(run.argv, '--buildkit-image')).toMatch(/\/earthly\/buildkitd:v0\.8\.15$/);
  });
});

describe('skip-existing with one of two versions already published', () => {
  it('builds only the missing one (K8S_VERSION in .arg, k8s_version.json untouched) and reports both', async () => {
    const [present, missing] = ['1.29.8', '1.29.9'];
    const ref = (v: string) => `${harness.registry.host}/edge/ubuntu:k3s-${v}-v4.9.38-partial`;
    await buildOnce('publish-one', baseInputs({ 'k8s-version': present, 'custom-tag': 'partial' }));
    const presentDigest = await harness.registry.digestOf(
      'edge/ubuntu',
      `k3s-${present}-v4.9.38-partial`,
    );
    expect(presentDigest).toMatch(/^sha256:/);

    const before = builds().length;
    const workDir = harness.jobDir('rerun-partial');
    const inputs = baseInputs({
      'k8s-version': `${present},${missing}`,
      'custom-tag': 'partial',
      'skip-existing': 'true',
    });
    const main = await runAction({ inputs, env: harness.env(), workDir });
    expect(main.errors).toEqual([]);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain(`${ref(present)} already exists (${presentDigest}): skipping`);

    // One Earthly run, for the missing version only, chosen by K8S_VERSION in .arg.
    const runs = builds().slice(before);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.refs).toEqual([ref(missing)]);
    expect(run.buildArgs.K8S_VERSION).toBe(missing);
    expect(run.cliBuildArgs).not.toHaveProperty('K8S_VERSION');
    const checkout = main.outputs['canvos-path'];
    expect(readFileSync(join(checkout, '.arg'), 'utf8')).toMatch(
      new RegExp(`^K8S_VERSION=${missing.replace(/\./g, '\\.')}$`, 'm'),
    );
    const changed = await exec('git', ['-C', checkout, 'diff', '--name-only']);
    expect(changed.stdout.trim()).toBe(''); // k8s_version.json not trimmed

    // The outputs still list both images, each with its registry digest.
    const missingDigest = await harness.registry.digestOf(
      'edge/ubuntu',
      `k3s-${missing}-v4.9.38-partial`,
    );
    expect(missingDigest).toMatch(/^sha256:/);
    expect(main.outputs.images.split('\n').sort()).toEqual([ref(present), ref(missing)].sort());
    expect(main.outputs.digests.split('\n').sort()).toEqual(
      [`${ref(present)}@${presentDigest}`, `${ref(missing)}@${missingDigest}`].sort(),
    );
    const json = JSON.parse(main.outputs.json) as {
      ref: string;
      digest: string;
      skipped: boolean;
      pushed: boolean;
    }[];
    const byRef = Object.fromEntries(json.map((image) => [image.ref, image]));
    expect(byRef[ref(present)]).toMatchObject({
      digest: presentDigest,
      skipped: true,
      pushed: false,
    });
    expect(byRef[ref(missing)]).toMatchObject({
      digest: missingDigest,
      skipped: false,
      pushed: true,
    });
    expect(main.summary).toContain('already in registry');

    const post = await runAction({ inputs, env: harness.env(), workDir, step: 'post' });
    expect(post.code).toBe(0);
  });
});

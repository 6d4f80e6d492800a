// The plan end to end: dist/index.js in dry-run against a CanvOS-shaped repository on a real
// smart-HTTP git server. Checks outputs and the files written into the checkout.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HARNESS_GITHUB_TOKEN,
  type InputValue,
  runAction,
  runnerString,
  unquoted,
} from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const harness = useHarness();

function dryRun(inputs: Record<string, InputValue>, env: Record<string, string> = {}) {
  return runAction({
    inputs: {
      'canvos-repository': harness.canvos.url,
      'image-registry': 'registry.example.com/edge',
      'dry-run': 'true',
      ...inputs,
    },
    env: harness.env(env),
    workDir: harness.jobDir('plan'),
  });
}

describe('dry-run plan', () => {
  it('resolves latest to the newest stable tag, whose Earthfile PE_VERSION differs from its name', async () => {
    const result = await dryRun({ 'k8s-version': '1.32.3', 'custom-tag': 'demo' });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.outputs['canvos-version']).toBe('v4.10.0');
    expect(result.outputs['canvos-commit']).toBe(harness.canvos.tags['v4.10.0'].commit);
    expect(result.outputs['pe-version']).toBe('v4.9.21');
    expect(result.outputs['earthly-version']).toBe('v0.8.15');
    expect(result.outputs.images).toBe('registry.example.com/edge/ubuntu:k3s-1.32.3-v4.9.21-demo');
    expect(result.outputs.image).toBe(result.outputs.images);
    expect(result.outputs.digests).toBe('');
    expect(result.outputs['attestation-subjects']).toBe('[]'); // nothing pushed
    expect(result.outputs['pushed-digests']).toBe('');
    // The pack values carry the Earthfile's PE_VERSION, not the tag's (as earthly.sh would).
    expect(result.outputs['pack-values']).toContain('\n  system.peVersion: "v4.9.21"\n');
    expect(JSON.parse(result.outputs['k8s-versions'])).toEqual(['1.32.3']);
    expect(JSON.parse(result.outputs.json)).toEqual([
      {
        ref: 'registry.example.com/edge/ubuntu:k3s-1.32.3-v4.9.21-demo',
        registry: 'registry.example.com',
        repository: 'edge/ubuntu',
        tag: 'k3s-1.32.3-v4.9.21-demo',
        k8sDistribution: 'k3s',
        k8sVersion: '1.32.3',
        os: 'ubuntu',
        osVersion: '22.04',
        arch: 'amd64',
        canvosVersion: 'v4.10.0',
        peVersion: 'v4.9.21',
        pushed: false,
        skipped: false,
        digest: null,
      },
    ]);
    // Dry run: a listing and one clone, no Earthly download, no build.
    expect(harness.invocations()).toEqual([]);
    const checkout = result.outputs['canvos-path'];
    const arg = readFileSync(join(checkout, '.arg'), 'utf8');
    expect(arg).toContain('\nK8S_VERSION=1.32.3\n');
    expect(arg).toContain('\nIMAGE_REGISTRY=registry.example.com/edge\n');
    expect(arg).toContain('\nCUSTOM_TAG=demo\n');
    expect(result.summary).toContain('k3s-1.32.3-v4.9.21-demo');
  });

  it('ranges and pre-releases follow semver precedence; non-semver tags are ignored', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'canvos-version': '~4.9' }, 'v4.9.40'], // lightweight, and the newest tag by date
      [{ 'canvos-version': '>=4.8 <4.10' }, 'v4.9.40'],
      [{ 'canvos-version': 'latest', 'canvos-prerelease': 'true' }, 'v4.10.1-rc.1'],
      [{ 'canvos-version': '4.9.38' }, 'v4.9.38'], // annotated
      [{ 'canvos-version': 'v4.4.12' }, 'v4.4.12'],
    ];
    for (const [inputs, tag] of cases) {
      const result = await dryRun({ 'k8s-version': 'latest', ...inputs });
      expect(result.errors, JSON.stringify(inputs)).toEqual([]);
      expect(result.outputs['canvos-version']).toBe(tag);
      expect(result.outputs['canvos-commit']).toBe(harness.canvos.tags[tag].commit);
      expect(result.outputs['pe-version']).toBe(harness.canvos.tags[tag].peVersion);
    }
  });

  it('an exact tag is cloned without listing the tags', async () => {
    const before = harness.git.listings().length;
    const result = await dryRun({ 'canvos-version': 'v4.9.38', 'k8s-version': '1.30' });
    expect(result.code).toBe(0);
    // The clone's own ref advertisement and that of its fetch of the plan's files: no ls-remote.
    expect(harness.git.listings().length - before).toBe(2);
    expect(result.outputs['earthly-version']).toBe('v0.8.15');
    expect(JSON.parse(result.outputs['k8s-versions'])).toEqual(['1.30.14']);
  });

  it('several versions: K8S_VERSION left out, k8s_version.json trimmed to exactly those', async () => {
    const result = await dryRun({
      'canvos-version': 'v4.9.38',
      'k8s-version': '1.31.4, 1.32\n1.30.4',
    });
    expect(result.errors).toEqual([]);
    const versions = JSON.parse(result.outputs['k8s-versions']) as string[];
    expect(versions).toEqual(['1.30.4', '1.31.4', '1.32.13']);
    const checkout = result.outputs['canvos-path'];
    expect(readFileSync(join(checkout, '.arg'), 'utf8')).not.toContain('K8S_VERSION');
    const trimmed = JSON.parse(readFileSync(join(checkout, 'k8s_version.json'), 'utf8')) as {
      k3s?: string[];
    };
    expect(trimmed.k3s).toEqual(versions);
    expect(result.outputs.images.split('\n')).toEqual(
      versions.map((v) => `registry.example.com/edge/ubuntu:k3s-${v}-v4.9.38`),
    );
    const available = JSON.parse(result.outputs['available-k8s-versions']) as string[];
    expect(available.length).toBeGreaterThan(40);
    expect(JSON.parse(result.outputs['newest-k8s-patches'])).toContain('1.32.13');
  });

  it('old tags take CA certificates as sc.crt and PROXY_CERT_PATH; new ones in certs/', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----';
    const old = await dryRun({
      'canvos-version': 'v4.4.12',
      'k8s-version': 'latest',
      'proxy-ca-certs': pem,
    });
    expect(old.errors).toEqual([]);
    expect(readFileSync(join(old.outputs['canvos-path'], 'sc.crt'), 'utf8')).toBe(`${pem}\n`);
    expect(readFileSync(join(old.outputs['canvos-path'], '.arg'), 'utf8')).toContain(
      'PROXY_CERT_PATH=sc.crt',
    );
    const current = await dryRun({
      'canvos-version': 'v4.9.38',
      'k8s-version': 'latest',
      'proxy-ca-certs': pem,
    });
    expect(readdirSync(join(current.outputs['canvos-path'], 'certs'))).toEqual(['proxy-ca-1.crt']);
    expect(readFileSync(join(current.outputs['canvos-path'], '.arg'), 'utf8')).not.toContain(
      'PROXY_CERT_PATH',
    );
  });

  it('renders the signing key into the file EDGE_CUSTOM_CONFIG names, and warns about a missing one', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
    const signed = await dryRun({ 'k8s-version': 'latest', 'signing-public-key': pem });
    expect(signed.errors).toEqual([]);
    const config = readFileSync(
      join(signed.outputs['canvos-path'], '.edge-custom-config.yaml'),
      'utf8',
    );
    const encoded = /base64EncodedValue: (\S+)/.exec(config)?.[1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString().trim()).toBe(pem);
    expect(signed.warnings).toEqual([]);

    const missing = await dryRun({
      'k8s-version': 'latest',
      'build-args': 'EDGE_CUSTOM_CONFIG=missing.yaml',
    });
    expect(missing.code).toBe(0);
    expect(missing.warnings).toEqual([
      'EDGE_CUSTOM_CONFIG names missing.yaml, which is not in the CanvOS checkout: the image gets no custom config',
    ]);
  });

  it('a Kubernetes version the tag does not list is an error that shows the listed ones', async () => {
    const result = await dryRun({ 'canvos-version': 'v4.9.38', 'k8s-version': '1.99.1' });
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^k8s-version: 1\.99\.1 is not listed for k3s at CanvOS v4\.9\.38; listed: 1\.26\.14, /,
    );
  });

  it('uses a checkout the workflow already has, as it is', async () => {
    const job = harness.jobDir('own-checkout');
    const checkout = join(job, 'workspace', 'CanvOS');
    mkdirSync(join(job, 'workspace'), { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['clone', '-q', '--branch', 'v4.9.38', harness.canvos.url, checkout], {
      stdio: 'ignore',
    });
    const before = harness.git.clones().length;
    const result = await runAction({
      inputs: {
        'canvos-path': 'CanvOS',
        'image-registry': 'ghcr.io/acme',
        'k8s-version': '1.32,1.31',
        'dry-run': 'true',
      },
      env: harness.env(),
      workDir: job,
    });
    expect(result.errors).toEqual([]);
    expect(harness.git.clones().length).toBe(before);
    expect(result.outputs['canvos-path']).toBe(checkout);
    expect(result.outputs['canvos-version']).toBe('v4.9.38');
    expect(result.outputs['canvos-commit']).toBe(harness.canvos.tags['v4.9.38'].commit);
    expect(existsSync(join(checkout, '.arg'))).toBe(true);
    // The post step puts the workflow's checkout back as it was.
    const post = await runAction({ inputs: {}, env: harness.env(), workDir: job, step: 'post' });
    expect(post.code).toBe(0);
    expect(existsSync(join(checkout, '.arg'))).toBe(false);
    const status = execFileSync('git', ['status', '--porcelain'], {
      cwd: checkout,
      encoding: 'utf8',
    });
    expect(status).toBe('');
  });
});

describe('private forks', () => {
  const privateFork = () => ({
    'canvos-repository': harness.canvos.privateUrl,
    'image-registry': 'ghcr.io/acme',
    'k8s-version': 'latest',
  });
  it('sends github-token as a header to the workflow’s own server, never in the URL', async () => {
    const origin = new URL(harness.canvos.privateUrl).origin;
    const before = harness.git.requests.length;
    const result = await dryRun(privateFork(), { GITHUB_SERVER_URL: origin });
    expect(result.errors).toEqual([]);
    expect(result.outputs['canvos-version']).toBe('v4.10.0');
    const requests = harness.git.requests.slice(before);
    expect(requests.length).toBeGreaterThan(0);
    expect(
      requests.every(
        (r) => r.password === HARNESS_GITHUB_TOKEN && !r.path.includes(HARNESS_GITHUB_TOKEN),
      ),
    ).toBe(true);
    // The runner consumes ::add-mask:: lines; everything else it shows must not hold the token.
    const shown = (result.stdout + result.stderr)
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'));
    expect(result.masks).toContain(HARNESS_GITHUB_TOKEN);
    expect(shown.join('\n')).not.toContain(HARNESS_GITHUB_TOKEN);
  });

  it('does not send the token to another host', async () => {
    const before = harness.git.requests.length;
    const result = await dryRun(privateFork(), { GITHUB_SERVER_URL: 'https://github.example.com' });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/^Could not list the tags of /);
    const requests = harness.git.requests.slice(before);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.some((r) => r.authorization)).toBe(false);
  });
});

describe('bad input', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['image-registry', { 'image-registry': 'https://ghcr.io/acme' }, /must not have a scheme/],
    ['image-registry', { 'image-registry': 'my_registry.local/acme' }, /underscore/],
    ['custom-tag', { 'custom-tag': 'refs/tags/v1.0.0' }, /github\.ref_name/],
    ['k8s-version', { 'k8s-version': '' }, /is required/],
    ['k8s-version', { 'k8s-version': '1.32.3+k3s1' }, /flavour/],
    ['arch', { arch: 'riscv64' }, /amd64, arm64/],
    ['build-args', { 'build-args': 'IMAGE_REGISTRY=evil.example.com' }, /use image-registry/],
    ['earthly-args', { 'earthly-args': '--push' }, /set by push/],
    ['push', { push: 'yes' }, /not a boolean/],
  ];
  it.each(cases)(
    '%s: one error line naming the input, exit 1, nothing touched',
    async (input, inputs, rule) => {
      const job = harness.jobDir('bad');
      const gitBefore = harness.git.requests.length;
      const releasesBefore = harness.releases.requests.length;
      const registryBefore = harness.registry.requests.length;
      const result = await runAction({
        inputs: {
          'canvos-repository': harness.canvos.url,
          'image-registry': 'ghcr.io/acme',
          'k8s-version': '1.32',
          ...inputs,
        },
        env: harness.env(),
        workDir: job,
      });
      expect(result.code).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].startsWith(`${input}: `)).toBe(true);
      expect(result.errors[0]).toMatch(rule);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      expect(harness.git.requests.length).toBe(gitBefore);
      expect(harness.releases.requests.length).toBe(releasesBefore);
      expect(harness.registry.requests.length).toBe(registryBefore);
      expect(readdirSync(join(job, 'runner-temp'))).toEqual([]);
    },
  );
});

// The runner reads an unquoted `with:` value as a YAML scalar and turns a number back into a string
// with 15 significant digits (actions/runner YamlObjectReader.cs, ExpressionConstants.NumberFormat
// "G15"): `1.30` arrives as "1.3", `4.10` as "4.1" (the `python-version: 3.10` trap).
describe('YAML numbers, as the runner hands them over', () => {
  it('the harness turns unquoted values into what the action receives', () => {
    expect(runnerString(unquoted('1.30'))).toBe('1.3');
    expect(runnerString(unquoted('4.10'))).toBe('4.1');
    expect(runnerString(unquoted('22.04'))).toBe('22.04');
    expect(runnerString(unquoted('1.32.3'))).toBe('1.32.3');
    expect(runnerString(unquoted('0x1F'))).toBe('31');
    expect(runnerString(unquoted('True'))).toBe('true');
    expect(runnerString(unquoted('~'))).toBe('');
    expect(runnerString(0.1 + 0.2)).toBe('0.3');
    expect(runnerString('1.30')).toBe('1.30');
  });

  it('k8s-version: 1.30 unquoted is one error that says to quote it', async () => {
    const result = await dryRun({ 'canvos-version': 'v4.9.38', 'k8s-version': unquoted('1.30') });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      "k8s-version: 1.3 is not listed for k3s at CanvOS v4.9.38, but 1.30 is: YAML reads an unquoted 1.30 as the number 1.3; quote it ('1.30')",
    ]);
  });

  it('canvos-version: 4.10 unquoted warns, and the error that follows repeats the hint', async () => {
    const result = await dryRun({ 'canvos-version': unquoted('4.10'), 'k8s-version': '1.32.3' });
    const hint =
      "canvos-version 4.1 picks the v4.1 line; if you meant 4.10, quote it ('4.10'): YAML reads an unquoted 4.10 as the number 4.1";
    expect(result.warnings).toContain(hint);
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^canvos-version: no CanvOS tag matches "4\.1"/);
    expect(result.errors[0]).toContain(`(${hint})`);
  });
});

describe('a tag that does not exist', () => {
  it('is one error naming canvos-version and the nearest tags that do exist', async () => {
    const result = await dryRun({ 'canvos-version': 'v4.9.39', 'k8s-version': '1.32.3' });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      'canvos-version: v4.9.39 is not a tag of canvos-repository; nearest tags: v4.9.38, v4.4.12, v4.9.40, v4.10.0',
    ]);
  });
});

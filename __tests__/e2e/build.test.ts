// Build and publish end to end: dist/index.js and its post step against a real git server, a real
// Earthly release server (tool-cache downloads), a real registry with htpasswd auth and a real Docker
// engine, with the stand-in earthly making tiny images in it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ActionResult, buildInputs, runJob } from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const harness = useHarness();

function baseInputs(extra: Record<string, string> = {}): Record<string, string> {
  return buildInputs(harness, extra);
}

/** Everything a run shows or leaves, except the ::add-mask:: lines the runner consumes. */
function everythingShown(...results: ActionResult[]): string {
  return results
    .map((r) =>
      [
        r.stdout
          .split('\n')
          .filter((line) => !line.startsWith('::add-mask::'))
          .join('\n'),
        r.stderr,
        JSON.stringify(r.outputs),
        JSON.stringify(r.state),
        r.summary,
      ].join('\n'),
    )
    .join('\n');
}

/** Earthly builds so far (not `earthly --version` checks). */
function builds() {
  return harness.invocations().filter((run) => run.target === '+build-provider-images');
}

function dockerAuths(workDir: string): Record<string, unknown> {
  const file = join(workDir, 'home', '.docker', 'config.json');
  return existsSync(file)
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {})
    : {};
}

describe('push mode', () => {
  it('builds two versions in one Earthly run, pushes, verifies, reports digests and logs out', async () => {
    const workDir = harness.jobDir('push');
    const invocationsBefore = builds().length;
    const { main, post } = await runJob({
      inputs: baseInputs({ 'k8s-version': '1.32.3,1.31.4', 'custom-tag': 'e2e' }),
      env: harness.env(),
      workDir,
    });
    expect(main.errors).toEqual([]);
    expect(main.code).toBe(0);

    const refs = ['1.31.4', '1.32.3'].map(
      (v) => `${harness.registry.host}/edge/ubuntu:k3s-${v}-v4.9.38-e2e`,
    );
    expect(main.outputs.images.split('\n')).toEqual(refs);
    const registryDigests = await Promise.all(
      ['1.31.4', '1.32.3'].map((v) =>
        harness.registry.digestOf('edge/ubuntu', `k3s-${v}-v4.9.38-e2e`),
      ),
    );
    expect(registryDigests.every((d) => /^sha256:[a-f0-9]{64}$/.test(d ?? ''))).toBe(true);
    expect(main.outputs.digests.split('\n')).toEqual(
      refs.map((ref, i) => `${ref}@${registryDigests[i]}`),
    );
    const json = JSON.parse(main.outputs.json) as { digest: string; pushed: boolean }[];
    expect(json.map((i) => [i.digest, i.pushed])).toEqual(registryDigests.map((d) => [d, true]));

    // With GITHUB_ACTIONS set Earthly opens its own log groups (earthly/earthly
    // conslogging/conslogging.go PrintPhaseHeader); the runner does not nest groups, so none of
    // the action's may be open around them.
    const lines = main.stdout.split('\n');
    expect(lines).toContain('::group:: Build 🔧');
    let depth = 0;
    for (const line of lines) {
      if (line.startsWith('::group::')) depth += 1;
      if (line.startsWith('::endgroup::')) depth -= 1;
      expect(depth, line).toBeLessThanOrEqual(1);
    }

    // One Earthly run for both versions, straight from BuildKit: --ci --push, nothing in local Docker.
    const runs = builds().slice(invocationsBefore);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.argv.indexOf('+build-provider-images')).toBe(run.argv.length - 1);
    expect(run.globalFlags).toMatchObject({ ci: true, push: true, allowPrivileged: true });
    expect(run.buildArgs.K8S_VERSION ?? '').toBe('');
    expect(run.refs.sort()).toEqual(refs);
    expect(run.output).toBe(false);
    expect(await harness.localImages()).toEqual([]);
    expect(run.configFile).toContain('nofile=1048576:1048576');
    expect(run.configFile).toContain('disable_analytics: true');

    // Logged in for the build, logged out by the post step.
    expect(harness.registry.logins().length).toBeGreaterThan(0);
    expect(main.state['registry-host']).toBe(harness.registry.host);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(`Logged out of ${harness.registry.host}`);
    expect(dockerAuths(workDir)).not.toHaveProperty(harness.registry.host);
    expect(existsSync(main.state['temp-dir'])).toBe(false);

    // The password is masked and shows nowhere.
    expect(main.masks).toContain(harness.registry.password);
    expect(everythingShown(main, post)).not.toContain(harness.registry.password);
    expect(main.summary).toContain(
      `| \`${refs[0]}\` | k3s 1.31.4 | amd64 | \`${registryDigests[0]}\` | pushed |`,
    );
  });

  it('a second run on the same tool cache downloads nothing', async () => {
    const toolCache = join(harness.jobDir('shared-cache'), 'cache');
    const env = harness.env({ RUNNER_TOOL_CACHE: toolCache });
    const inputs = baseInputs({ 'k8s-version': '1.30.4' });
    const first = await runJob({ inputs, env, workDir: harness.jobDir('cold') });
    expect(first.main.errors).toEqual([]);
    const downloads = harness.releases.downloads().length;
    const checksums = harness.releases.checksumFetches().length;
    const second = await runJob({ inputs, env, workDir: harness.jobDir('warm') });
    expect(second.main.errors).toEqual([]);
    expect(harness.releases.downloads().length).toBe(downloads);
    expect(harness.releases.checksumFetches().length).toBe(checksums);
    expect(second.main.stdout).toMatch(/cache/i);
  });

  it('skip-existing skips what is already in the registry and still reports every image', async () => {
    const inputs = baseInputs({
      'k8s-version': '1.29.6',
      'custom-tag': 'rerun',
      'skip-existing': 'true',
    });
    const first = await runJob({ inputs, env: harness.env(), workDir: harness.jobDir('release') });
    expect(first.main.errors).toEqual([]);
    const before = builds().length;
    const again = await runJob({
      inputs,
      env: harness.env(),
      workDir: harness.jobDir('release-rerun'),
    });
    expect(again.main.errors).toEqual([]);
    expect(builds().length).toBe(before); // no Earthly run at all
    expect(again.main.outputs.digests).toBe(first.main.outputs.digests);
    expect((JSON.parse(again.main.outputs.json) as unknown[])[0]).toMatchObject({
      skipped: true,
      pushed: false,
    });
    expect(again.main.summary).toContain('already in registry');
  });
});

// arm64 RUN steps on an amd64 runner go through the kernel's QEMU handler, which BuildKit's
// containers share with the host: /proc/sys/fs/binfmt_misc/qemu-aarch64, "enabled" (registered by
// docker/setup-qemu-action). What the action must do depends on the machine the tests run on.
const hostHasQemu = /^enabled$/m.test(
  existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64')
    ? readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8')
    : '',
);

describe('arm64 images on an amd64 runner', () => {
  it.skipIf(hostHasQemu)('without QEMU: one error with the fix, before Earthly runs', async () => {
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({ 'k8s-version': '1.32.3', arch: 'arm64', 'custom-tag': 'no-qemu' }),
      env: harness.env(),
      workDir: harness.jobDir('arm64-no-qemu'),
    });
    expect(main.errors).toEqual([
      'arch: arm64 on an amd64 runner needs QEMU, and /proc/sys/fs/binfmt_misc/qemu-aarch64 is not an enabled handler: add "- uses: docker/setup-qemu-action@v3" before this step',
    ]);
    expect(builds().length).toBe(before);
  });

  it('with a remote buildkit-host: the remote runs the RUN steps, so this runner needs no QEMU', async () => {
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({
        'k8s-version': '1.32.3',
        arch: 'arm64',
        'custom-tag': 'remote-arm64',
        'buildkit-host': 'tcp://buildkit.build.internal:8372',
      }),
      env: harness.env(),
      workDir: harness.jobDir('arm64-remote'),
    });
    expect(main.errors).toEqual([]);
    expect(main.stdout).toContain(
      'BuildKit at tcp://buildkit.build.internal:8372: it runs the arm64 RUN steps itself',
    );
    const [run] = builds().slice(before);
    expect(run.buildArgs.ARCH).toBe('arm64');
  });

  it.runIf(hostHasQemu)(
    'installs the runner’s Earthly and builds arm64 images under their own tag',
    async () => {
      const before = harness.releases.downloads().length;
      const { main } = await runJob({
        inputs: baseInputs({ 'k8s-version': '1.32.3', arch: 'arm64', 'custom-tag': 'arm64' }),
        env: harness.env(),
        workDir: harness.jobDir('arm64'),
      });
      expect(main.errors).toEqual([]);
      const assets = harness.releases
        .downloads()
        .slice(before)
        .map((r) => r.path.split('/').pop());
      expect(assets).toEqual(['earthly-linux-amd64']);
      const tag = 'k3s-1.32.3-v4.9.38-arm64';
      expect((await harness.registry.imageConfig('edge/ubuntu', tag)).architecture).toBe('arm64');
      expect((JSON.parse(main.outputs.json) as unknown[])[0]).toMatchObject({ arch: 'arm64', tag });
    },
  );
});

/** A forward proxy on loopback that records what went through it (absolute-URI and CONNECT). */
async function startProxy(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(
      `${req.method} ${req.url}${req.headers.authorization ? ' (with Authorization)' : ''}`,
    );
    const target = new URL(req.url ?? '');
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

describe('behind the runner’s HTTP proxy', () => {
  // Docker never proxies loopback (golang.org/x/net/http/httpproxy, useProxy: localhost and
  // loopback IPs), whatever NO_PROXY says; a loopback registry speaks plain HTTP, so a proxy
  // would read its Basic credentials.
  it('reaches a loopback registry directly, never through HTTP_PROXY, even with NO_PROXY empty', async () => {
    const proxy = await startProxy();
    try {
      const env = harness.env({
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
        http_proxy: proxy.url,
        https_proxy: proxy.url,
        NO_PROXY: '',
        no_proxy: '',
      });
      const { main } = await runJob({
        inputs: baseInputs({ 'k8s-version': '1.27.9', 'custom-tag': 'proxied' }),
        env,
        workDir: harness.jobDir('proxy'),
      });
      expect(main.errors).toEqual([]);
      const registry = harness.registry.host;
      const lookups = proxy.seen.filter((line) => line.includes(registry));
      expect(lookups).toEqual([]);
      expect(main.outputs.digests).toContain('@sha256:');
      expect(harness.registry.requests.some((request) => request.authorization)).toBe(true);
      // undici's "EnvHttpProxyAgent is experimental" warning is not for the user's log.
      expect(main.stderr).not.toMatch(/experimental|UNDICI-EHPA/i);
    } finally {
      proxy.server.closeAllConnections();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

describe('push: false', () => {
  it('leaves the images in the local Docker and pushes nothing', async () => {
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({ 'k8s-version': '1.28.5', 'custom-tag': 'local', push: 'false' }),
      env: harness.env(),
      workDir: harness.jobDir('no-push'),
    });
    expect(main.errors).toEqual([]);
    const ref = `${harness.registry.host}/edge/ubuntu:k3s-1.28.5-v4.9.38-local`;
    expect(await harness.localImages()).toContain(ref);
    expect(
      await harness.registry.digestOf('edge/ubuntu', 'k3s-1.28.5-v4.9.38-local'),
    ).toBeUndefined();
    const [run] = builds().slice(before);
    expect(run.globalFlags.push ?? false).toBe(false);
    expect(run.output).toBe(true);
    expect((JSON.parse(main.outputs.json) as unknown[])[0]).toMatchObject({ ref, pushed: false });
    // Nothing in a registry: nothing to attest or sign.
    expect(main.outputs['attestation-subjects']).toBe('[]');
    expect(main.outputs['pushed-digests']).toBe('');
  });
});

describe('failures', () => {
  it('a checksum mismatch fails and caches nothing', async () => {
    harness.releases.corruptChecksum('v0.8.16');
    const workDir = harness.jobDir('bad-checksum');
    const { main } = await runJob({
      inputs: baseInputs({ 'k8s-version': '1.32.3', 'earthly-version': 'v0.8.16' }),
      env: harness.env(),
      workDir,
    });
    expect(main.code).toBe(1);
    expect(main.errors).toHaveLength(1);
    expect(main.errors[0]).toMatch(/sha256|checksum/i);
    const cached = join(workDir, 'tool-cache', 'earthly');
    const versions = existsSync(cached)
      ? readdirSync(cached).filter((entry) => !entry.endsWith('.lock'))
      : [];
    expect(versions.filter((v) => v.startsWith('0.8.16'))).toEqual([]);
  });

  it('an Earthly failure gives a clear error, and the post step still cleans up', async () => {
    const workDir = harness.jobDir('earthly-fails');
    const { main, post } = await runJob({
      inputs: baseInputs({ 'k8s-version': '1.32.3' }),
      env: harness.env({ STANDIN_EARTHLY_EXIT: '7' }),
      workDir,
    });
    expect(main.code).toBe(1);
    expect(main.errors).toHaveLength(1);
    expect(main.errors[0]).toMatch(/^Earthly failed with exit code 7: BuildKit crashed/);
    expect(main.errors[0]).toMatch(/Last lines of its output/);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(`Logged out of ${harness.registry.host}`);
    expect(dockerAuths(workDir)).not.toHaveProperty(harness.registry.host);
    expect(existsSync(main.state['temp-dir'])).toBe(false);
  });
});

describe('secrets reach the build, never Earthly’s command line', () => {
  const PRO_KEY = 'Pr0-K3y-E2e-C0ffee-4242';
  const PROXY = 'http://proxy-user:Pr0xy-E2e-Pa55@127.0.0.1:9';
  const short = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

  async function provider(tag: string): Promise<Record<string, unknown>> {
    const file = await harness.registry.readImageFile('edge/ubuntu', tag, 'provider.json');
    return JSON.parse(file?.toString() ?? '{}') as Record<string, unknown>;
  }

  // EarthBuild's `earth --version` prints `earth version v0.8.18-<8-hex sha> …`
  // (EarthBuild/earthbuild .github/workflows/ci-staging-deploy.yml, cmd/earthly/app/create.go).
  // CanvOS up to v4.9.x reads `ARG UBUNTU_PRO_KEY` (spectrocloud/CanvOS Earthfile at v4.9.38), and
  // `--build-arg NAME` with no value makes Earthly read NAME from its environment
  // (earthly/earthly variables/parse.go ParseCommandLineArgs).
  it('EarthBuild on CanvOS v4.9.38: the Ubuntu Pro ARG and proxy credentials, from the environment', async () => {
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({
        'k8s-version': '1.32.3',
        'custom-tag': 'pro-arg',
        'earthly-distribution': 'earthbuild',
        'earthly-version': 'v0.8.18',
        'earthly-download-url': harness.releases.urlTemplate('earthbuild'),
        'https-proxy': PROXY,
        secrets: `UBUNTU_PRO_KEY=${PRO_KEY}`,
      }),
      env: harness.env(),
      workDir: harness.jobDir('pro-arg'),
    });
    expect(main.errors).toEqual([]);
    expect(main.stdout).toMatch(/earth version v0\.8\.18-[0-9a-f]{8} /);
    const [run] = builds().slice(before);
    expect(run.argv.join(' ')).not.toContain(PRO_KEY);
    expect(run.argv.join(' ')).not.toContain('Pr0xy-E2e-Pa55');
    expect(run.globalFlags.buildArgs).toEqual(['HTTPS_PROXY', 'UBUNTU_PRO_KEY']);
    expect(run.secretNames).toEqual([]);
    expect(run.buildArgs.HTTPS_PROXY).toBe(PROXY);
    const image = await provider('k3s-1.32.3-v4.9.38-pro-arg');
    expect(image.ubuntuPro).toBe(short(PRO_KEY));
    expect(everythingShown(main)).not.toContain(PRO_KEY);
  });

  // From v4.10.0 CanvOS reads `RUN --secret UBUNTU_PRO_KEY`, only with UBUNTU_PRO_ATTACH=true
  // (spectrocloud/CanvOS Earthfile at v4.10.0).
  it('CanvOS v4.10.0: the key as an Earthly secret, with UBUNTU_PRO_ATTACH=true', async () => {
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({
        'canvos-version': 'v4.10.0',
        'k8s-version': '1.32.3',
        'custom-tag': 'pro-secret',
        secrets: `UBUNTU_PRO_KEY=${PRO_KEY}`,
      }),
      env: harness.env(),
      workDir: harness.jobDir('pro-secret'),
    });
    expect(main.errors).toEqual([]);
    const [run] = builds().slice(before);
    expect(run.secretNames).toEqual(['UBUNTU_PRO_KEY']);
    expect(run.buildArgs.UBUNTU_PRO_ATTACH).toBe('true');
    expect((await provider('k3s-1.32.3-v4.9.21-pro-secret')).ubuntuPro).toBe(short(PRO_KEY));
  });
});

// CanvOS's earthly.sh starts its BuildKit with HTTP(S)_PROXY/NO_PROXY (both cases) and the certs/
// CAs (spectrocloud/CanvOS earthly.sh at v4.10.0); Earthly's own start-up adds only what the
// config's buildkit_additional_args says (earthly/earthly config/config.go, buildkitd/buildkitd.go).
describe('BuildKit’s own image pulls behind a proxy', () => {
  it('BuildKit starts with the proxy variables and trusts proxy-ca-certs', async () => {
    const pem = readFileSync(new URL('../fixtures/proxy-ca-certs.pem', import.meta.url), 'utf8');
    const proxy = 'http://bk-user:Bk-Pr0xy-Pa55@127.0.0.1:9';
    const before = builds().length;
    const { main } = await runJob({
      inputs: baseInputs({
        'canvos-version': 'v4.10.0',
        'k8s-version': '1.32.3',
        'custom-tag': 'bk-proxy',
        'http-proxy': 'http://127.0.0.1:9',
        'https-proxy': proxy,
        'no-proxy': 'localhost,127.0.0.1',
        'proxy-ca-certs': pem,
      }),
      env: harness.env(),
      workDir: harness.jobDir('bk-proxy'),
    });
    expect(main.errors).toEqual([]);
    const [run] = builds().slice(before);
    const short = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    expect(run.buildkitd?.env).toEqual({
      HTTP_PROXY: short('http://127.0.0.1:9'),
      http_proxy: short('http://127.0.0.1:9'),
      HTTPS_PROXY: short(proxy),
      https_proxy: short(proxy),
      NO_PROXY: short('localhost,127.0.0.1'),
      no_proxy: short('localhost,127.0.0.1'),
      SSL_CERT_DIR: '/etc/ssl/certs:/etc/canvos-proxy-ca',
    });
    const certs = (run.buildkitd?.caCerts ?? []).map((cert) => cert.name);
    expect(certs.length).toBeGreaterThan(0);
    expect(certs.every((name) => /^proxy-ca-\d+\.crt$/.test(name))).toBe(true);
    // The credentials are in Earthly's environment only: not in its config, not in its argv.
    expect(run.configFile).not.toContain('Bk-Pr0xy-Pa55');
    expect(run.argv.join(' ')).not.toContain('Bk-Pr0xy-Pa55');
  });
});

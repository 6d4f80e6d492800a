// Self-tests of the end-to-end harness: every fake is exercised for real (git over smart HTTP,
// a real registry and Docker engine, the stand-in earthly making and pushing real images).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CANVOS_FIXTURE,
  HARNESS_GITHUB_TOKEN,
  OTHER_PLATFORM,
  dockerCli,
  inputEnvName,
  installStandin,
  loadImage,
  makeLargeRepo,
  parseCommandFile,
  readStandinLog,
  runAction,
  runJob,
  runnerLog,
  startGitServer,
  stepDebug,
  startReleaseServer,
  withDefaults,
} from '../harness/index.js';
import { useHarness } from '../harness/suite.js';
import { exec, type ExecResult } from '../harness/processes.js';

const h = useHarness();

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let home: string | undefined;

/** A hermetic environment for git / docker / earthly commands run by the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  home ??= h.jobDir('home');
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    DOCKER_HOST: h.dockerHost,
    ...extra,
  };
}

const git = (args: string[], opts: { cwd?: string; check?: boolean } = {}): Promise<ExecResult> =>
  exec('git', args, { cwd: opts.cwd, env: cleanEnv(), check: opts.check });

describe('git smart-HTTP server', () => {
  it('lists annotated tags twice (peeled ^{}) and lightweight ones once', async () => {
    const { stdout } = await git(['ls-remote', '--tags', h.canvos.url]);
    const refs = new Map(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').reverse() as [string, string]),
    );
    for (const [name, t] of Object.entries(CANVOS_FIXTURE.tags)) {
      const commit = h.canvos.tags[name].commit;
      if (t.annotated) {
        expect(refs.get(`refs/tags/${name}^{}`)).toBe(commit);
        expect(refs.get(`refs/tags/${name}`)).not.toBe(commit);
      } else {
        expect(refs.get(`refs/tags/${name}`)).toBe(commit);
        expect(refs.has(`refs/tags/${name}^{}`)).toBe(false);
      }
    }
    expect(h.git.listings().at(-1)?.gitProtocol).toBe('version=2');
  });

  it('shallow-clones a tag over protocol v2', async () => {
    const before = h.git.clones().length;
    const dir = await h.clone('v4.9.38');
    expect(readFileSync(join(dir, 'Earthfile'), 'utf8')).toMatch(/^ARG PE_VERSION=v4\.9\.38$/m);
    expect(readFileSync(join(dir, 'earthly.sh'), 'utf8')).toMatch(/^EARTHLY_VERSION=v0\.8\.15$/m);
    const k8s = JSON.parse(readFileSync(join(dir, 'k8s_version.json'), 'utf8')) as Record<
      string,
      string[]
    >;
    expect(k8s.k3s).toContain('1.32.3');
    expect((await git(['rev-list', '--count', 'HEAD'], { cwd: dir })).stdout.trim()).toBe('1');
    expect(h.git.clones().length).toBeGreaterThan(before);
  });

  it('builds the CanvOS tag zoo as documented', async () => {
    const show = async (rev: string): Promise<string> =>
      (await git(['--git-dir', h.canvos.bareDir, 'show', rev])).stdout;
    expect(await show('v4.10.0:Earthfile')).toMatch(/^ARG PE_VERSION=v4\.9\.21$/m);
    const old = await show('v4.4.12:Earthfile');
    expect(old).toMatch(/^ARG PROXY_CERT_PATH$/m);
    expect(old).toContain('COPY sc.crt /etc/ssl/certs');
    expect(await show('v4.4.12:earthly.sh')).toContain(
      '$SPECTRO_PUB_REPO/earthly/buildkitd:$EARTHLY_VERSION',
    );
    expect(await show('v4.9.38:Earthfile')).toContain('COPY --if-exists certs/ /etc/ssl/certs/');
    expect(await show('v4.9.38:earthly.sh')).toContain(
      '"$SPECTRO_PUB_REPO"/third-party/edge/earthly/buildkitd:"$EARTHLY_VERSION"',
    );
    // Release tags live on release branches, not on main.
    const ancestor = await git(
      ['--git-dir', h.canvos.bareDir, 'merge-base', '--is-ancestor', 'v4.10.0', 'main'],
      { check: false },
    );
    expect(ancestor.code).toBe(1);
  });

  it('requires the token for private repos and accepts it as an extraheader', async () => {
    h.git.clearRequests();
    const denied = await git(['ls-remote', h.canvos.privateUrl], { check: false });
    expect(denied.code).not.toBe(0);
    expect(h.git.requests[0]).toMatchObject({ status: 401, authorization: false });

    const dir = await h.clone('v4.10.0', { private: true }); // the token in an extra header
    expect(existsSync(join(dir, 'Earthfile'))).toBe(true);
    const authed = h.git.requests.filter((r) => r.authorization);
    expect(authed.length).toBeGreaterThan(0);
    expect(
      authed.every((r) => r.username === 'x-access-token' && r.password === HARNESS_GITHUB_TOKEN),
    ).toBe(true);
  });

  it('keeps serving while the test thread is blocked in execFileSync', () => {
    // The servers run on a worker thread; a synchronous child process cannot deadlock them,
    // and failNext() issued just before is already in force.
    const env = cleanEnv();
    expect(execFileSync('git', ['ls-remote', h.canvos.url], { env, encoding: 'utf8' })).toContain(
      'refs/tags/v4.9.38',
    );
    h.git.failNext({ count: 1, status: 500 });
    expect(() =>
      execFileSync('git', ['ls-remote', h.canvos.url], { env, stdio: 'ignore' }),
    ).toThrow();
    expect(h.git.requests.at(-1)).toMatchObject({ status: 500, injected: true });
  });

  it('can also run in-process', async () => {
    const server = await startGitServer(dirname(dirname(h.canvos.bareDir)), { inProcess: true });
    try {
      const { stdout } = await git(['ls-remote', server.url(h.canvos.repoName)]);
      expect(stdout).toContain('refs/tags/v4.10.0^{}');
      expect(server.listings()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('injects failures', async () => {
    h.git.failNext({ count: 1, status: 503 });
    expect((await git(['ls-remote', h.canvos.url], { check: false })).code).not.toBe(0);
    expect((await git(['ls-remote', h.canvos.url])).code).toBe(0);
  });
});

describe('release server', () => {
  it('redirects to an absolute object URL and serves a matching checksum.asc', async () => {
    const url = h.releases.downloadUrlTemplate
      .replace('{version}', 'v0.8.15')
      .replace('{asset}', 'earthly-linux-amd64');
    const redirect = await fetch(url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${h.releases.baseUrl}/objects/[0-9a-f]+$`));
    const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(bytes.equals(h.releases.assetBytes('earthly', 'v0.8.15', 'amd64'))).toBe(true);

    const asc = await (await fetch(url.replace('earthly-linux-amd64', 'checksum.asc'))).text();
    expect(asc.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n')).toBe(true);
    expect(asc).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(asc).toContain(`${sha256(bytes)}  earthly-linux-amd64\n`);
    expect(h.releases.downloads().some((r) => r.asset === 'earthly-linux-amd64')).toBe(true);
  });

  it('serves EarthBuild as `earth` and 404s unknown releases', async () => {
    const url = h.releases.earthbuildDownloadUrlTemplate
      .replace('{version}', 'v0.8.18')
      .replace('{asset}', 'earth-linux-arm64');
    const text = await (await fetch(url)).text();
    expect(text).toContain("const RAW_VERSION = 'v0.8.18'");
    expect(text).toContain("const RAW_NAME = 'earth'");
    const missing = h.releases.downloadUrlTemplate
      .replace('{version}', 'v9.9.9')
      .replace('{asset}', 'earthly-linux-amd64');
    expect((await fetch(missing)).status).toBe(404);
  });

  it('injects 5xx, truncation and checksum corruption', async () => {
    const url = h.releases.downloadUrlTemplate
      .replace('{version}', 'v0.8.16')
      .replace('{asset}', 'earthly-linux-amd64');
    h.releases.failNext({ count: 1, status: 502 });
    expect((await fetch(url)).status).toBe(502);

    h.releases.truncateNext({ count: 1 });
    await expect(fetch(url).then((r) => r.arrayBuffer())).rejects.toThrow();
    expect(h.releases.requests.at(-1)?.truncated).toBe(true);

    h.releases.corruptChecksum('v0.8.16');
    const asc = await (await fetch(url.replace('earthly-linux-amd64', 'checksum.asc'))).text();
    expect(asc).not.toContain(h.releases.assetSha256('earthly', 'v0.8.16', 'amd64'));
    expect(asc).toMatch(/^[0-9a-f]{64} {2}earthly-linux-amd64$/m);
  });

  it('refuses connections once stopped', async () => {
    const other = await startReleaseServer({ versions: ['v0.8.15'] });
    const url = other.downloadUrlTemplate
      .replace('{version}', 'v0.8.15')
      .replace('{asset}', 'checksum.asc');
    expect((await fetch(url)).status).toBe(200);
    await other.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('registry and stand-in earthly', () => {
  let earthly: string;
  let checkout: string;
  let dockerConfig: string;
  const repo = 'ubuntu';
  const dockerEnv = (): NodeJS.ProcessEnv => cleanEnv({ DOCKER_CONFIG: dockerConfig });
  const run = (args: string[], env: Record<string, string> = {}): Promise<ExecResult> =>
    exec(earthly, args, {
      cwd: checkout,
      env: { ...dockerEnv(), STANDIN_EARTHLY_LOG: h.standinLog, ...env },
      check: false,
    });

  beforeAll(async () => {
    // Install earthly the way the action will: download via the redirect, chmod +x.
    const dir = h.jobDir('earthly-bin');
    earthly = join(dir, 'earthly');
    const url = h.releases.downloadUrlTemplate
      .replace('{version}', 'v0.8.15')
      .replace('{asset}', 'earthly-linux-amd64');
    writeFileSync(earthly, Buffer.from(await (await fetch(url)).arrayBuffer()));
    chmodSync(earthly, 0o755);

    checkout = await h.clone('v4.9.38');
    writeFileSync(
      join(checkout, '.arg'),
      [
        '# written by the harness test',
        'CUSTOM_TAG=demo',
        `IMAGE_REGISTRY=${h.registry.host}`,
        'OS_DISTRIBUTION=ubuntu',
        'IMAGE_REPO=$OS_DISTRIBUTION',
        'OS_VERSION=22.04',
        'K8S_DISTRIBUTION=k3s',
        'ARCH=amd64',
        '',
      ].join('\n'),
    );
    dockerConfig = join(h.jobDir('docker-config'), '.docker');
    mkdirSync(dockerConfig, { recursive: true });
  });

  it('prints its version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    // "<name> version <VERSION> <GitSha> <platform>" (cmd/earthly/app/create.go getVersionPlatform).
    expect(r.stdout).toMatch(
      /^earthly version v0\.8\.15 [0-9a-f]{40} linux\/(amd64|arm64); Ubuntu 24\.04\n$/,
    );
  });

  it('records docker login with an isolated DOCKER_CONFIG', async () => {
    const bad = await exec(
      dockerCli(),
      ['login', '-u', h.registry.username, '--password-stdin', h.registry.host],
      {
        env: dockerEnv(),
        input: 'wrong-password',
        check: false,
      },
    );
    expect(bad.code).not.toBe(0);
    await exec(
      dockerCli(),
      ['login', '-u', h.registry.username, '--password-stdin', h.registry.host],
      {
        env: dockerEnv(),
        input: h.registry.password,
      },
    );
    const config = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
    };
    expect(Object.keys(config.auths)).toContain(h.registry.host);
    expect(
      h.registry
        .logins()
        .filter((r) => r.status === 200)
        .at(-1)?.username,
    ).toBe(h.registry.username);
  });

  it('--ci --push puts the image in the registry and not in local Docker', async () => {
    const r = await run(['--ci', '--push', '-P', '+build-provider-images', '--K8S_VERSION=1.32.3']);
    expect(r.stderr).not.toContain('Image +provider-image output as');
    expect(r.code, r.stderr).toBe(0);
    const tag = 'k3s-1.32.3-v4.9.38-demo';
    expect(await h.registry.digestOf(repo, tag)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await h.localImages()).not.toContain(`${h.registry.host}/${repo}:${tag}`);

    const config = await h.registry.imageConfig(repo, tag);
    expect(config.architecture).toBe('amd64');
    const provider = JSON.parse(
      (await h.registry.readImageFile(repo, tag, 'provider.json'))?.toString() ?? '{}',
    ) as Record<string, unknown>;
    expect(provider).toMatchObject({ k8sVersion: '1.32.3', peVersion: 'v4.9.38', arch: 'amd64' });

    const last = h.invocations().at(-1);
    expect(last).toMatchObject({
      target: '+build-provider-images',
      pushed: true,
      output: false,
      refs: [`${h.registry.host}/${repo}:${tag}`],
      exitCode: 0,
    });
    expect(last?.buildArgs).toMatchObject({
      IMAGE_REPO: 'ubuntu',
      PE_VERSION: 'v4.9.38',
      K8S_VERSION: '1.32.3',
    });
    expect(last?.env.DOCKER_CONFIG).toBe(dockerConfig);
  });

  it('without --push builds into local Docker and pushes nothing', async () => {
    const r = await run([
      '-P',
      '+build-provider-images',
      '--K8S_VERSION=1.31.7',
      '--CUSTOM_TAG=local',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ref = `${h.registry.host}/${repo}:k3s-1.31.7-v4.9.38-local`;
    expect(r.stderr).toContain(`Image +provider-image output as ${ref}`);
    expect(await h.localImages()).toContain(ref);
    expect(await h.registry.tags(repo)).not.toContain('k3s-1.31.7-v4.9.38-local');
  });

  it('treats --push after the target as a build arg', async () => {
    const r = await run([
      '-P',
      '--no-output',
      '+build-provider-images',
      '--K8S_VERSION=1.30.11',
      '--CUSTOM_TAG=late',
      '--push',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await h.registry.digestOf(repo, 'k3s-1.30.11-v4.9.38-late')).toBeUndefined();
    expect(h.invocations().at(-1)).toMatchObject({ pushed: false, cliBuildArgs: { push: '' } });
  });

  it('applies command line > .arg > Earthfile precedence and keeps secret values out', async () => {
    const secret = 'pro-key-value-must-not-leak';
    const r = await run(
      [
        '--ci',
        '--push',
        '-P',
        '--secret',
        'UBUNTU_PRO_KEY',
        '+build-provider-images',
        '--K8S_VERSION=1.32.3',
        '--PE_VERSION=v9.9.9',
        '--CUSTOM_TAG=prec',
      ],
      { UBUNTU_PRO_KEY: secret },
    );
    expect(r.code, r.stderr).toBe(0);
    const tag = 'k3s-1.32.3-v9.9.9-prec';
    expect(await h.registry.digestOf(repo, tag)).toBeDefined();
    const provider = (await h.registry.readImageFile(repo, tag, 'provider.json'))?.toString() ?? '';
    expect((JSON.parse(provider) as { secretNames?: string[] }).secretNames).toEqual([
      'UBUNTU_PRO_KEY',
    ]);
    expect(provider).not.toContain(secret);
    expect(readFileSync(h.standinLog, 'utf8')).not.toContain(secret);
  });

  it('builds every listed version when K8S_VERSION is empty', async () => {
    const k8s = { k3s: ['1.30.1', '1.31.2'] };
    writeFileSync(join(checkout, 'k8s_version.json'), JSON.stringify(k8s));
    try {
      const r = await run(['--ci', '--push', '-P', '+build-provider-images', '--CUSTOM_TAG=all']);
      expect(r.code, r.stderr).toBe(0);
      expect(h.invocations().at(-1)?.refs).toHaveLength(2);
      for (const v of k8s.k3s)
        expect(await h.registry.digestOf(repo, `k3s-${v}-v4.9.38-all`)).toBeDefined();
      const none = await run(['--ci', '-P', '+build-provider-images', '--K8S_DISTRIBUTION=rke2']);
      expect(none.code).toBe(0);
      expect(h.invocations().at(-1)?.refs).toEqual([]);
    } finally {
      await git(['checkout', '--', 'k8s_version.json'], { cwd: checkout });
    }
  });

  it('fails like earthly: privileged, bad flags, missing args, injected faults', async () => {
    const noP = await run(['--ci', '+build-provider-images', '--K8S_VERSION=1.32.3']);
    expect(noP.code).toBe(9);
    expect(noP.stderr).toMatch(/allow-privileged/);

    const unknown = await run(['--bogus', '+build-provider-images']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Error: unknown flag: --bogus');

    const noDist = await run(['-P', '+build-provider-images', '--K8S_DISTRIBUTION=']);
    expect(noDist.code).toBe(1);
    expect(noDist.stderr).toContain('K8S_DISTRIBUTION is not set');

    const noArch = await run(['-P', '+build-provider-images', '--ARCH=', '--K8S_VERSION=1.32.3']);
    expect(noArch.code).toBe(1);
    expect(noArch.stderr).toContain('invalid platform linux/');

    const noRegistry = await run([
      '-P',
      '+build-provider-images',
      '--IMAGE_REGISTRY=',
      '--K8S_VERSION=1.32.3',
    ]);
    expect(noRegistry.code).toBe(1);
    expect(noRegistry.stderr).toContain('invalid reference format');

    const otherTarget = await run(['-P', '+iso']);
    expect(otherTarget.code).toBe(1);

    const six = await run(['--ci', '-P', '+build-provider-images'], { STANDIN_EARTHLY_EXIT: '6' });
    expect(six.code).toBe(6);
    expect(six.stderr).toMatch(/cannot reach BuildKit/);

    const custom = await run(['-P', '+build-provider-images'], {
      STANDIN_EARTHLY_EXIT: '1',
      STANDIN_EARTHLY_FAIL_MESSAGE: 'Error: custom failure',
    });
    expect(custom.code).toBe(1);
    expect(custom.stderr.trim().split('\n').at(-1)).toBe('Error: custom failure');
  });

  it('starts its BuildKit image like earthly: a local one as it is, else pulled for this arch', async () => {
    // earthly/earthly v0.8.15 buildkitd/buildkitd.go (MaybePull, Start) and cmd/earthly/app/run.go:
    // an image of another arch starts and crashes (exit 7); one `docker run` cannot pull fails (1).
    const foreign = `${h.registry.host}/standin-foreign/buildkitd:v0.8.15`;
    await loadImage(h.dockerHost, [foreign], OTHER_PLATFORM);
    const build = ['-P', '+build-provider-images', '--K8S_VERSION=1.32.3'];
    const crashed = await run(['--buildkit-image', foreign, ...build]);
    expect(crashed.code).toBe(7);
    expect(crashed.stderr).toContain('exec format error');
    expect(crashed.stderr).toContain('buildkitd is shutting down or it has crashed');

    const absent = `${h.registry.host}/standin-absent/buildkitd:v0.8.15`;
    const unpulled = await run(['--buildkit-image', absent, ...build]);
    expect(unpulled.code).toBe(1);
    expect(unpulled.stderr).toContain(`Unable to find image '${absent}' locally`);

    // A remote BuildKit is started by someone else: its image is not Earthly's business.
    const remote = await run([
      '--buildkit-image',
      absent,
      '--buildkit-host',
      'tcp://buildkit.internal:8372',
      ...build,
    ]);
    expect(remote.stderr).not.toContain('Unable to find image');
  });

  it('handles old tags (PROXY_CERT_PATH → sc.crt) and EarthBuild `earth` on arm64', async () => {
    const earth = installStandin(join(h.jobDir('earth-bin'), 'earth'), 'v0.8.18', 'earth');
    const old = await h.clone('v4.4.12');
    writeFileSync(
      join(old, '.arg'),
      [
        `export IMAGE_REGISTRY="${h.registry.host}"`,
        "OS_DISTRIBUTION='opensuse-leap'",
        'IMAGE_REPO=${OS_DISTRIBUTION}-edge # inline comment',
        'K8S_DISTRIBUTION=rke2',
        'ARCH=arm64',
        'PROXY_CERT_PATH=/somewhere/ca.crt',
      ].join('\n'),
    );
    const env = { ...dockerEnv(), STANDIN_EARTHLY_LOG: h.standinLog, EARTHLY_PUSH: 'true' };
    const args = ['--ci', '-P', '+build-provider-images', '--K8S_VERSION=1.29.0'];
    const missing = await exec(earth, args, { cwd: old, env, check: false });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('COPY sc.crt');
    expect(missing.stderr).toContain('EARTHLY_PUSH is deprecated');

    writeFileSync(join(old, 'sc.crt'), 'PEM');
    const ok = await exec(earth, args, { cwd: old, env, check: false });
    expect(ok.code, ok.stderr).toBe(0);
    const tag = 'rke2-1.29.0-v4.4.12';
    expect((await h.registry.imageConfig('opensuse-leap-edge', tag)).architecture).toBe('arm64');
    const provider = JSON.parse(
      (await h.registry.readImageFile('opensuse-leap-edge', tag, 'provider.json'))?.toString() ??
        '{}',
    ) as { proxyCert?: { name?: string }; standin?: unknown };
    expect(provider.proxyCert?.name).toBe('sc.crt');
    expect(provider.standin).toEqual({ name: 'earth', version: 'v0.8.18' });
    expect(h.invocations().at(-1)?.buildkitImage).toMatch(
      /^docker\.io\/earthbuild\/buildkitd:v0\.8\.18-[0-9a-f]{8}$/,
    );
  });

  it('exits 2 with "cancelled" on SIGTERM', async () => {
    const started = Date.now();
    const child = spawn(earthly, ['-P', '+build-provider-images'], {
      cwd: checkout,
      env: { ...dockerEnv(), STANDIN_EARTHLY_SLEEP: '30' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGTERM');
    expect(await exited).toBe(2);
    expect(stderr).toContain('cancelled');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('records registry fault injection and request auth', async () => {
    h.registry.failNext({ count: 1, status: 503, match: /\/manifests\//, method: 'PUT' });
    const r = await run([
      '--ci',
      '--push',
      '-P',
      '+build-provider-images',
      '--K8S_VERSION=1.29.14',
      '--CUSTOM_TAG=flaky',
    ]);
    expect(r.code).toBe(1);
    expect(h.registry.requests.some((q) => q.injected && q.status === 503)).toBe(true);
    expect(
      h.registry.requests.filter((q) => q.path.includes('/blobs/')).every((q) => q.authorization),
    ).toBe(true);
  });
});

describe('action runner', () => {
  it('runs a main and a post step like the GitHub runner', async () => {
    const workDir = h.jobDir('runner');
    const entry = join(workDir, 'fake-action.mjs');
    writeFileSync(
      entry,
      `import { appendFileSync } from 'node:fs';
const post = !!process.env.STATE_started;
const out = (file, name, value) => appendFileSync(process.env[file], name + '<<EOF_X\\n' + value + '\\nEOF_X\\n');
if (!post) {
  out('GITHUB_OUTPUT', 'registry', process.env['INPUT_IMAGE-REGISTRY']);
  out('GITHUB_OUTPUT', 'images', 'a\\nb');
  out('GITHUB_STATE', 'started', 'yes');
  out('GITHUB_ENV', 'FROM_MAIN', '1');
  appendFileSync(process.env.GITHUB_PATH, '/opt/fake/bin\\n');
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, '# summary\\n');
  console.log('::add-mask::s3cret');
  console.log('::warning::careful%0Athere');
  console.log('::error file=a.ts,line=1::broken');
  console.log(JSON.stringify({ token: process.env['INPUT_GITHUB-TOKEN'], home: process.env.HOME, leak: process.env.VITEST ?? null }));
} else {
  out('GITHUB_OUTPUT', 'post', [process.env.STATE_started, process.env.FROM_MAIN, process.env.PATH.split(':')[0]].join(','));
}
`,
    );
    const { main, post } = await runJob({
      workDir,
      entry,
      inputs: { 'image-registry': h.registry.host, 'k8s-version': '1.32.3' },
      env: h.env(),
    });
    expect(main.code).toBe(0);
    expect(main.outputs).toEqual({ registry: h.registry.host, images: 'a\nb' });
    expect(main.state).toEqual({ started: 'yes' });
    expect(main.summary).toBe('# summary\n');
    expect(main.masks).toEqual(['s3cret']);
    expect(main.warnings).toEqual(['careful\nthere']);
    expect(main.errors).toEqual(['broken']);
    expect(main.env['INPUT_CANVOS-VERSION']).toBe('latest'); // action.yml default filled in
    const printed = JSON.parse(main.stdout.trim().split('\n').at(-1) ?? '{}') as unknown;
    expect(printed).toMatchObject({
      token: HARNESS_GITHUB_TOKEN,
      home: join(workDir, 'home'),
      leak: null,
    });
    expect(post.code).toBe(0);
    expect(post.outputs.post).toBe('yes,1,/opt/fake/bin');
  });

  it('delivers the cancellation signal and reports the exit', async () => {
    const workDir = h.jobDir('runner-cancel');
    const entry = join(workDir, 'slow.mjs');
    writeFileSync(
      entry,
      `process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(130); });\nsetTimeout(() => {}, 60_000);\n`,
    );
    const r = await runAction({
      workDir,
      entry,
      inputs: {},
      signalAfterMs: { signal: 'SIGINT', ms: 500 },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('got SIGINT');
  });

  it('names inputs and parses command files like the runner', () => {
    expect(inputEnvName('image-registry')).toBe('INPUT_IMAGE-REGISTRY');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
    expect(parseCommandFile('a=1\nb<<D\nx\ny\nD\nc=\n')).toEqual({ a: '1', b: 'x\ny', c: '' });
    expect(withDefaults({ push: false })).toMatchObject({
      push: 'false',
      'github-token': HARNESS_GITHUB_TOKEN,
    });
    expect(readStandinLog(join(h.workDir, 'no-such-log'))).toEqual([]);
  });

  it('shows ::debug:: lines only with step debug logging, as the runner does', () => {
    const stdout = '::group::Plan\n::debug::lookup ghcr.io\nPE_VERSION: v4.9.38\n::endgroup::';
    expect(runnerLog(stdout, false)).toBe('::group::Plan\nPE_VERSION: v4.9.38\n::endgroup::');
    expect(runnerLog(stdout, true)).toBe(stdout);
    expect([{}, { RUNNER_DEBUG: '1' }, { ACTIONS_STEP_DEBUG: 'true' }].map(stepDebug)).toEqual([
      false,
      true,
      true,
    ]);
  });
});

describe('large repo', () => {
  it('generates a CanvOS-scale repo quickly', async () => {
    const big = await makeLargeRepo(join(h.workDir, 'git'), {
      bareDir: join(h.workDir, 'git', 'bench', 'large.git'),
    });
    expect(big.durationMs).toBeLessThan(20_000);
    const { stdout } = await git(['ls-remote', h.git.url('bench/large')]);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes('refs/heads/')).length).toBe(220);
    expect(lines.filter((l) => l.includes('refs/tags/') && !l.endsWith('^{}')).length).toBe(160);
    const dir = await h.clone(big.newestRelease, { url: h.git.url('bench/large') });
    expect(readFileSync(join(dir, 'Earthfile'), 'utf8')).toContain(
      `ARG PE_VERSION=${big.newestRelease}`,
    );
  });
});

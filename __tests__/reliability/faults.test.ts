// 4. Faults, each with a clear outcome: checksum mismatch, git server down or 5xx, tag gone, wrong
// registry password, registry 5xx while verifying (retried, then a clear error; or recovered),
// every Earthly exit code with its hint, not enough disk (a second Docker engine whose data root is
// a 64 MiB tmpfs), and the job cancelled with SIGINT or SIGTERM in the middle of the build. Every
// failure is one error line without a stack trace, and the post step still cleans up.
// (Download faults that go through tool-cache's retry waits are in faults-network.test.ts.)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Dockerd,
  HOST_PLATFORM,
  buildkitImages,
  freePort,
  seedImages,
  startDockerd,
} from '../harness/index.js';
import {
  type Job,
  buildInputs,
  cancelDuringBuild,
  errorLines,
  hasStackTrace,
  runMain,
  useSuite,
} from './support.js';

const s = useSuite();

/** One clear error: a single annotation, exit code 1, no stack trace. */
function expectOneError(job: Job, pattern: RegExp): string {
  const { result } = job.main;
  expect(errorLines(result), result.stdout).toHaveLength(1);
  expect(result.errors[0]).toMatch(pattern);
  expect(result.code).toBe(1);
  expect(result.timedOut).toBe(false);
  expect(hasStackTrace(result), result.stdout).toBe(false);
  return result.errors[0];
}

/** The post step succeeds and leaves nothing: temp dir gone, logged out of what main logged in to. */
async function expectCleanPost(job: Job): Promise<void> {
  const { state } = job.main.result;
  const post = await job.runPost();
  expect(post.result.code).toBe(0);
  expect(post.result.warnings).toEqual([]);
  if (state['temp-dir']) expect(existsSync(state['temp-dir'])).toBe(false);
  expect(readdirSync(join(job.workDir, 'runner-temp'))).toEqual([]);
  const logouts = post.calls.filter((c) => c.name === 'docker' && c.argv[0] === 'logout');
  expect(logouts.map((c) => c.argv[1])).toEqual(
    state['registry-host'] ? [state['registry-host']] : [],
  );
  const config = join(job.workDir, 'home', '.docker', 'config.json');
  const auths = existsSync(config)
    ? ((JSON.parse(readFileSync(config, 'utf8')) as { auths?: object }).auths ?? {})
    : {};
  expect(Object.keys(auths)).toEqual([]);
}

function cachedVersions(job: Job, command = 'earthly'): string[] {
  const dir = join(job.workDir, 'tool-cache', command);
  return existsSync(dir) ? readdirSync(dir).filter((entry) => !entry.endsWith('.lock')) : [];
}

function builds(job: Job) {
  const temp = job.main.result.state['temp-dir'];
  return s.h.invocations().filter((run) => run.target && temp && run.cwd.startsWith(temp));
}

describe('4. faults', () => {
  describe('Earthly download', () => {
    it('checksum mismatch: fails before anything is cached or run', async () => {
      s.h.releases.corruptChecksum('v0.8.16');
      const job = await runMain(s, {
        name: 'checksum',
        inputs: buildInputs(s.h, { 'earthly-version': 'v0.8.16' }),
      });
      expectOneError(
        job,
        /^earthly-sha256 mismatch for earthly-linux-amd64 from .*The download was deleted and nothing was cached\.$/,
      );
      expect(cachedVersions(job)).toEqual([]);
      expect(builds(job)).toEqual([]);
      await expectCleanPost(job);
    });
  });

  describe('git', () => {
    it.concurrent('git server down while listing tags: a clear error', async () => {
      const url = `http://127.0.0.1:${await freePort()}/spectrocloud/CanvOS.git`;
      const job = await runMain(s, {
        name: 'git-down-list',
        inputs: buildInputs(s.h, { 'canvos-repository': url, 'canvos-version': 'latest' }),
      });
      expectOneError(
        job,
        new RegExp(`^Could not list the tags of ${url}: .*(Connection refused|Failed to connect)`),
      );
      await expectCleanPost(job);
    });

    it.concurrent('git server down while cloning a tag: a clear error', async () => {
      const url = `http://127.0.0.1:${await freePort()}/spectrocloud/CanvOS.git`;
      const job = await runMain(s, {
        name: 'git-down-clone',
        inputs: buildInputs(s.h, { 'canvos-repository': url }),
      });
      expectOneError(
        job,
        new RegExp(
          `^Could not clone CanvOS v4\\.9\\.38 from ${url}: .*(Connection refused|Failed to connect)`,
        ),
      );
      await expectCleanPost(job);
    });

    it.concurrent('git server answers 503: a clear error with the status', async () => {
      // Only this case uses the private fork, so the fault hits nobody else.
      s.h.git.failNext({ count: 10, status: 503, match: /^\/private\// });
      const job = await runMain(s, {
        name: 'git-503',
        inputs: buildInputs(s.h, { 'canvos-repository': s.h.canvos.privateUrl }),
        env: { GITHUB_SERVER_URL: new URL(s.h.canvos.privateUrl).origin },
      });
      expectOneError(job, /^Could not clone CanvOS v4\.9\.38 from .*: .*503/);
      await expectCleanPost(job);
    });

    it.concurrent('the tag is gone: the error says so', async () => {
      const job = await runMain(s, {
        name: 'tag-gone',
        inputs: buildInputs(s.h, { 'canvos-version': 'v4.9.99' }),
      });
      expectOneError(
        job,
        /^canvos-version: v4\.9\.99 is not a tag of canvos-repository; nearest tags: v4\.9\.40, v4\.9\.38, v4\.10\.0$/,
      );
      await expectCleanPost(job);
    });

    it.concurrent(
      'no tag matches the range: the error names canvos-version and the newest tags',
      async () => {
        const job = await runMain(s, {
          name: 'range-gone',
          inputs: buildInputs(s.h, { 'canvos-version': '~3.1' }),
        });
        expectOneError(
          job,
          /^canvos-version: no CanvOS tag matches "~3\.1" .*; newest tags: v4\.10\.0, /,
        );
        await expectCleanPost(job);
      },
    );
  });

  describe('registry', () => {
    it.concurrent(
      'wrong registry password: 401, a clear error naming registry-password, nothing built',
      async () => {
        const job = await runMain(s, {
          name: 'wrong-password',
          inputs: buildInputs(s.h, { 'registry-password': 'not-the-password' }),
        });
        expectOneError(
          job,
          /^docker login to 127\.0\.0\.1:\d+ failed: .*(401|[Uu]nauthorized).* check registry-username and registry-password/,
        );
        // Saved before the login: a login cut short is logged out too (docker logout of a host
        // it holds nothing for is harmless).
        expect(job.main.result.state['registry-host']).toBe(s.h.registry.host);
        expect(builds(job)).toEqual([]);
        await expectCleanPost(job);
      },
    );

    it.concurrent('registry 5xx while verifying: retried, then a clear error', async () => {
      s.h.registry.failNext({
        count: 3,
        status: 503,
        method: 'HEAD',
        match: /^\/v2\/verify-down\/ubuntu\/manifests\//,
      });
      const job = await runMain(s, {
        name: 'verify-503',
        inputs: buildInputs(s.h, { 'image-registry': `${s.h.registry.host}/verify-down` }),
      });
      expectOneError(
        job,
        // The image that could not be confirmed, and why.
        /^Earthly succeeded but these images could not be confirmed in the registry: 127\.0\.0\.1:\d+\/verify-down\/ubuntu:k3s-[^ ]+ \(Registry 127\.0\.0\.1:\d+ answered HTTP 503 for HEAD \/v2\/verify-down\/ubuntu\/manifests\/.* \(3 attempts\)\)$/,
      );
      expect(job.main.result.stdout).toMatch(/retry 1 in 500 ms/);
      expect(job.main.result.stdout).toMatch(/retry 2 in 1000 ms/);
      const heads = s.h.registry.requests.filter(
        (r) => r.method === 'HEAD' && r.path.startsWith('/v2/verify-down/ubuntu/manifests/'),
      );
      expect(heads.filter((r) => r.injected)).toHaveLength(3);
      expect(builds(job)).toHaveLength(1); // the build ran and pushed; only the check failed
      await expectCleanPost(job);
    });

    it.concurrent(
      'registry 5xx twice while verifying: retried, and the third answer counts',
      async () => {
        s.h.registry.failNext({
          count: 2,
          status: 502,
          method: 'HEAD',
          match: /^\/v2\/verify-flaky\/ubuntu\/manifests\//,
        });
        const job = await runMain(s, {
          name: 'verify-flaky',
          inputs: buildInputs(s.h, { 'image-registry': `${s.h.registry.host}/verify-flaky` }),
        });
        expect(job.main.result.errors).toEqual([]);
        expect(job.main.result.code).toBe(0);
        const digest = await s.h.registry.digestOf('verify-flaky/ubuntu', 'k3s-1.32.3-v4.9.38');
        expect(job.main.result.outputs.digests).toBe(
          `${s.h.registry.host}/verify-flaky/ubuntu:k3s-1.32.3-v4.9.38@${digest}`,
        );
        await expectCleanPost(job);
      },
    );
  });

  describe('Earthly exit codes', () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        '1, out of disk',
        { STANDIN_EARTHLY_EXIT: '1' },
        /^Earthly failed with exit code 1: the runner ran out of disk: free space/,
      ],
      [
        '1, a rate limit',
        {
          STANDIN_EARTHLY_EXIT: '1',
          STANDIN_EARTHLY_FAIL_MESSAGE:
            'Error: pull earthly/buildkitd: toomanyrequests: You have reached your pull rate limit',
        },
        /^Earthly failed with exit code 1: a registry rate limit was hit: log in to Docker Hub or use buildkit-image from a mirror/,
      ],
      [
        '1, anything else',
        {
          STANDIN_EARTHLY_EXIT: '1',
          STANDIN_EARTHLY_FAIL_MESSAGE: 'Error: build target: +provider-image: exit code 2',
        },
        /^Earthly failed with exit code 1: see the Earthly output above\./,
      ],
      [
        '2, cancelled',
        { STANDIN_EARTHLY_EXIT: '2' },
        /^Earthly failed with exit code 2: the build was cancelled\./,
      ],
      [
        '6, no BuildKit',
        { STANDIN_EARTHLY_EXIT: '6' },
        /^Earthly failed with exit code 6: Earthly could not reach BuildKit: check that Docker runs/,
      ],
      [
        '7, BuildKit crashed',
        { STANDIN_EARTHLY_EXIT: '7' },
        /^Earthly failed with exit code 7: BuildKit crashed or died at start-up: often out of memory or disk/,
      ],
      [
        '9, privileged mode',
        { STANDIN_EARTHLY_EXIT: '9' },
        /^Earthly failed with exit code 9: Earthly needs privileged mode: the runner must allow privileged containers/,
      ],
    ];
    it.concurrent.each(cases)(
      'exit %s: its hint, the last lines, and a clean post step',
      async (_name, env, hint) => {
        const job = await runMain(s, { name: 'earthly-exit', inputs: buildInputs(s.h), env });
        const message = expectOneError(job, hint);
        expect(message).toMatch(/\nLast lines of its output:\n.*Error/s);
        expect(builds(job)).toHaveLength(1);
        await expectCleanPost(job);
      },
    );
  });

  describe('not enough disk', () => {
    let base: string | undefined;
    let dockerd: Dockerd | undefined;
    let why = '';
    beforeAll(async () => {
      // A second, isolated Docker engine whose data root is a 64 MiB tmpfs.
      base = mkdtempSync('/tmp/rel-disk-');
      mkdirSync(join(base, 'data'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', join(base, 'data')], {
          stdio: 'pipe',
        });
      } catch (error) {
        why = `cannot mount a tmpfs here: ${(error as Error).message}`;
        return;
      }
      dockerd = await startDockerd(base, { removeData: false });
      await seedImages(dockerd.host, buildkitImages(), HOST_PLATFORM);
    });
    afterAll(async () => {
      await dockerd?.stop();
      if (base) {
        execFileSync('umount', [join(base, 'data')], { stdio: 'ignore' });
        rmSync(base, { recursive: true, force: true });
      }
    });
    const onSmallDocker = (name: string, check: string, extra: Record<string, string> = {}) => {
      expect(dockerd, why).toBeDefined();
      return runMain(s, {
        name,
        inputs: buildInputs(s.h, {
          'disk-check': check,
          push: 'false',
          'registry-username': '',
          'registry-password': '',
          ...extra,
        }),
        env: { DOCKER_HOST: dockerd!.host },
      });
    };

    it('disk-check: error stops before the build with the preflight message', async () => {
      const job = await onSmallDocker('disk-error', 'error');
      const root = join(base!, 'data');
      expectOneError(
        job,
        new RegExp(
          // push: false exports the image into Docker too: 3 GiB cache + 2 x 5 GiB.
          `^Not enough disk: Only 0\\.\\d GiB free at ${root}; 1 provider image\\(s\\) need about 13\\.0 GiB\\. Free space first`,
        ),
      );
      expect(builds(job)).toEqual([]);
      await expectCleanPost(job);
    });

    it('disk-check: warn warns with the same message and builds', async () => {
      const job = await onSmallDocker('disk-warn', 'warn');
      expect(job.main.result.errors).toEqual([]);
      expect(job.main.result.warnings).toEqual([
        expect.stringMatching(/^Only 0\.\d GiB free at .*need about 13\.0 GiB/),
      ]);
      expect(builds(job)).toHaveLength(1);
      await expectCleanPost(job);
    });

    it('a remote buildkit-host skips the local disk check', async () => {
      const job = await onSmallDocker('disk-remote', 'error', {
        'buildkit-host': 'tcp://buildkit.build.internal:8372',
      });
      expect(job.main.result.errors).toEqual([]);
      expect(job.main.result.stdout).not.toMatch(/GiB free/);
      await expectCleanPost(job);
    });
  });

  describe('cancelled mid-build', () => {
    const pem = readFileSync(new URL('../fixtures/proxy-ca-certs.pem', import.meta.url), 'utf8');
    it.concurrent.each(['SIGINT', 'SIGTERM'] as const)(
      '%s: the main step stops Earthly; the post step logs out and removes the files holding certificates and config',
      async (signal) => {
        const cancel = cancelDuringBuild(signal);
        const job = await runMain(s, {
          name: `cancel-${signal}`,
          inputs: buildInputs(s.h, { 'proxy-ca-certs': pem }),
          env: { STANDIN_EARTHLY_SLEEP: '60', ...cancel.env },
          onData: cancel.onData,
          timeoutMs: 60_000,
        });
        const { result } = job.main;
        expect(cancel.sent(), 'Earthly never started').toBe(true);
        expect(result.durationMs).toBeLessThan(30_000); // did not sit out Earthly's 60 s
        expect(result.warnings).toContain(`Received ${signal}: stopping Earthly`);
        expectOneError(job, /^Earthly failed with exit code 2: the build was cancelled\./);
        expect(result.orphans, 'a process outlived the step').toBe(false);
        const [run] = builds(job);
        expect(run.exitCode).toBe(2); // Earthly itself saw the signal and stopped
        const temp = result.state['temp-dir'];
        const secretFiles = [
          join(temp, 'earthly-config.yml'),
          join(temp, 'canvos', 'certs', 'proxy-ca-1.crt'),
        ];
        for (const file of secretFiles) expect(existsSync(file), file).toBe(true);
        expect(result.state['registry-host']).toBe(s.h.registry.host);
        await expectCleanPost(job);
        for (const file of secretFiles) expect(existsSync(file), file).toBe(false);
      },
    );
  });
});

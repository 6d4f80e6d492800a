// checkBuildkitMirror against the harness's real Docker engine and a registry that hands out
// anonymous Bearer tokens, as Google Artifact Registry (CanvOS's us-docker.pkg.dev mirror) does.
// The verdicts themselves are core/buildkit-image.ts's; this is how they are found and applied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EarthlyPlan } from '../../../src/core/earthly-plan.js';
import { earthlyPlan } from '../../../src/core/earthly-plan.js';
import { checkBuildkitMirror, prepareBuildkit } from '../../../src/earthly/buildkit.js';
import { dockerCli } from '../../harness/dockerd.js';
import { HOST_PLATFORM, OTHER_PLATFORM, loadImage } from '../../harness/images.js';
import { exec } from '../../harness/processes.js';
import { useDockerAndRegistry } from '../../harness/suite.js';
import { PLAN_CONTEXT, captureStdout, checkoutV4_10, inputs, useSandbox } from '../support.js';

const docker = useDockerAndRegistry();
useSandbox('buildkit-test-', (dir) => ({
  DOCKER_HOST: docker.engine.host,
  DOCKER_CONFIG: join(dir, 'docker-config'),
}));
const arch = HOST_PLATFORM === 'linux/arm64' ? 'arm64' : 'amd64';
const OTHER_ARCH = arch === 'amd64' ? 'arm64' : 'amd64';
/** This machine runs the other arch's programs (a QEMU binfmt handler is enabled). */
const otherArchRuns = (() => {
  const handler = OTHER_ARCH === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64';
  try {
    return /^enabled$/m.test(readFileSync(`/proc/sys/fs/binfmt_misc/${handler}`, 'utf8'));
  } catch {
    return false;
  }
})();

/** CanvOS v4.10.0's plan with its earthly.sh naming `pubRepo` as SPECTRO_PUB_REPO. */
function planWithMirror(pubRepo: string): EarthlyPlan {
  const files = checkoutV4_10().files;
  const earthlySh = (files.earthlySh ?? '').replace(
    /^SPECTRO_PUB_REPO=.*$/m,
    `SPECTRO_PUB_REPO=${pubRepo}`,
  );
  return earthlyPlan(inputs({}, { version: 'v0.8.15' }), { ...files, earthlySh }, 'v4.10.0', {
    ...PLAN_CONTEXT,
    checkoutPath: '/w/CanvOS',
  });
}

beforeAll(() => docker.registry.configure({ auth: 'token' }));

describe('checkBuildkitMirror', () => {
  it('leaves a plan without a mirror as it is, asking nobody', async () => {
    const plan = earthlyPlan(
      inputs({}, { version: 'v0.8.15', buildkitImage: 'registry.internal/buildkitd:v0.8.15' }),
      checkoutV4_10().files,
      'v4.10.0',
      { ...PLAN_CONTEXT, checkoutPath: '/w/CanvOS' },
    );
    docker.registry.clearRequests();
    await expect(checkBuildkitMirror(plan, arch, [])).resolves.toBe(plan);
    expect(docker.registry.requests).toEqual([]);
  });

  it('keeps a mirror that lists the runner’s arch, and logs which it found', async () => {
    const { registry } = docker;
    await registry.pushImage('keep/third-party/edge/earthly/buildkitd', 'v0.8.15', [HOST_PLATFORM]);
    const plan = planWithMirror(`${registry.host}/keep`);
    const out = captureStdout();
    await expect(checkBuildkitMirror(plan, arch, [])).resolves.toBe(plan);
    expect(out.join('')).toContain(`BuildKit image ${plan.buildkitMirror} (has ${HOST_PLATFORM})`);
  });

  it('drops a mirror that lacks it, with a notice', async () => {
    const { registry } = docker;
    await registry.pushImage('drop/third-party/edge/earthly/buildkitd', 'v0.8.15', [
      OTHER_PLATFORM,
    ]);
    const plan = planWithMirror(`${registry.host}/drop`);
    const out = captureStdout();
    const checked = await checkBuildkitMirror(plan, arch, []);
    expect(checked.buildkitImage).toBeUndefined();
    expect(checked.args).not.toContain('--buildkit-image');
    expect(out.join('')).toContain(`::notice::CanvOS's BuildKit mirror has no ${HOST_PLATFORM}`);
  });

  it('asks the local Docker first: a local image of another arch is dropped without a lookup', async () => {
    const { registry } = docker;
    const plan = planWithMirror(`${registry.host}/local`);
    await loadImage(docker.engine.host, [plan.buildkitMirror ?? ''], OTHER_PLATFORM);
    try {
      registry.clearRequests();
      const out = captureStdout();
      const checked = await checkBuildkitMirror(plan, arch, []);
      expect(checked.buildkitImage).toBeUndefined();
      expect(out.join('')).toContain(
        `::warning::The local Docker's ${plan.buildkitMirror} is ${OTHER_PLATFORM}`,
      );
      expect(registry.requests).toEqual([]);
    } finally {
      await exec(
        dockerCli(),
        ['-H', docker.engine.host, 'rmi', '--force', plan.buildkitMirror ?? ''],
        {
          check: false,
        },
      );
    }
  });
});

describe('prepareBuildkit', () => {
  it('a remote BuildKit needs no QEMU and no image from this runner', async () => {
    // Earthly neither starts nor pulls a BuildKit for a remote address (util/containerutil
    // shell_shared.go IsLocal); its RUN steps run on the remote machine's kernel.
    const plan = earthlyPlan(
      inputs(
        { arch: 'arm64' },
        { version: 'v0.8.15', buildkitHost: 'tcp://buildkit.internal:8372' },
      ),
      checkoutV4_10().files,
      'v4.10.0',
      { ...PLAN_CONTEXT, checkoutPath: '/w/CanvOS' },
    );
    const out = captureStdout();
    await expect(prepareBuildkit(plan, 'arm64', 'amd64', [])).resolves.toBe(plan);
    expect(out.join('')).toContain(
      'BuildKit at tcp://buildkit.internal:8372: it runs the arm64 RUN steps itself',
    );
  });

  it.skipIf(otherArchRuns)(
    'a local BuildKit gets the QEMU check first, before any lookup',
    async () => {
      const plan = planWithMirror(`${docker.registry.host}/qemu`);
      docker.registry.clearRequests();
      await expect(prepareBuildkit(plan, OTHER_ARCH, arch, [])).rejects.toThrow(/needs QEMU/);
      expect(docker.registry.requests).toEqual([]);
    },
  );
});

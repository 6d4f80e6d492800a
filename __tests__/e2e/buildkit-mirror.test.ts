// CanvOS's BuildKit mirror is used only where it has an image for the runner's arch. CanvOS's
// earthly.sh (spectrocloud/CanvOS earthly.sh, v4.4 to v4.10) starts
// $SPECTRO_PUB_REPO/third-party/edge/earthly/buildkitd:$EARTHLY_VERSION on every arch; Earthly
// starts a local image as it is and otherwise leaves the pull to `docker run`, for the host's arch
// (earthly/earthly v0.8.15 buildkitd/buildkitd.go, MaybePull and Start). Here the mirror is a
// second loopback registry that, like Google Artifact Registry, hands out anonymous Bearer tokens,
// and the stand-in starts BuildKit the same way through the real Docker engine.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOST_PLATFORM,
  OTHER_PLATFORM,
  type Registry,
  buildInputs,
  freePort,
  dockerCli,
  exec,
  listImages,
  loadImage,
  removeImages,
  runJob,
  startRegistry,
} from '../harness/index.js';
import { useHarness } from '../harness/suite.js';

const harness = useHarness();
const DEFAULT_IMAGE = 'earthly/buildkitd:v0.8.15';
let mirror: Registry;
/** A loopback port nobody listens on: a mirror there cannot be reached. */
let UNREACHABLE: string;

beforeAll(async () => {
  UNREACHABLE = `127.0.0.1:${await freePort()}`;
  mirror = await startRegistry();
  mirror.configure({ auth: 'token' });
});
afterAll(async () => {
  // What the stand-in pulled or a test loaded is named after these hosts: nobody else needs it.
  for (const host of [mirror.host, UNREACHABLE])
    await removeImages(harness.dockerHost, await listImages(harness.dockerHost, `${host}/`));
  await mirror.stop();
});

/** The image CanvOS's earthly.sh starts for SPECTRO_PUB_REPO=`pubRepo` and Earthly v0.8.15. */
const mirrorImage = (pubRepo: string) => `${pubRepo}/third-party/edge/earthly/buildkitd:v0.8.15`;
/** Its repository path in the mirror registry. */
const mirrorRepo = (name: string) => `${name}/third-party/edge/earthly/buildkitd`;

/**
 * A workflow's own CanvOS v4.10.0 checkout in the job's workspace, whose earthly.sh names
 * `pubRepo` as SPECTRO_PUB_REPO.
 */
async function checkoutWithMirror(workDir: string, pubRepo: string): Promise<string> {
  const source = await harness.clone('v4.10.0');
  const dest = join(workDir, 'workspace', 'CanvOS');
  cpSync(source, dest, { recursive: true });
  const script = join(dest, 'earthly.sh');
  const text = readFileSync(script, 'utf8');
  expect(text).toMatch(/^SPECTRO_PUB_REPO=us-docker\.pkg\.dev\/palette-images$/m);
  writeFileSync(script, text.replace(/^SPECTRO_PUB_REPO=.*$/m, `SPECTRO_PUB_REPO=${pubRepo}`));
  return dest;
}

/** Builds one image from that checkout; the action's main step and Earthly's build. */
async function build(name: string, pubRepo: string) {
  const before = harness.invocations().length;
  const workDir = harness.jobDir(name);
  const { main } = await runJob({
    inputs: buildInputs(harness, {
      'canvos-path': await checkoutWithMirror(workDir, pubRepo),
      'k8s-version': '1.32.3',
      'custom-tag': name,
    }),
    env: harness.env(),
    workDir,
  });
  const run = harness
    .invocations()
    .slice(before)
    .find((invocation) => invocation.target === '+build-provider-images');
  return { main, run };
}

describe("CanvOS's BuildKit mirror", () => {
  it('is used where it has the runner’s arch: Docker pulls it from the mirror', async () => {
    await mirror.pushImage(mirrorRepo('both'), 'v0.8.15', [OTHER_PLATFORM, HOST_PLATFORM]);
    const image = mirrorImage(`${mirror.host}/both`);
    const { main, run } = await build('mirror-has-arch', `${mirror.host}/both`);
    expect(main.errors).toEqual([]);
    expect(main.stdout).toContain(`BuildKit image ${image} (has ${HOST_PLATFORM})`);
    expect(run?.buildkitImage).toBe(image);
    expect(run?.argv).toContain(image);
    expect(main.outputs['buildkit-image']).toBe(image);
    // The lookup asked anonymously and took a token from the realm, as Docker does with GAR.
    const lookups = mirror.requests.filter((r) => r.path.includes('/both/'));
    expect(lookups.some((r) => r.scheme === 'bearer')).toBe(true);
  });

  it('is passed over where its list lacks the runner’s arch: Earthly’s default starts', async () => {
    await mirror.pushImage(mirrorRepo('other-list'), 'v0.8.15', [OTHER_PLATFORM]);
    const image = mirrorImage(`${mirror.host}/other-list`);
    // What the build would meet without the check: `docker run` cannot pull it.
    const pulled = await exec(dockerCli(), ['-H', harness.dockerHost, 'pull', image], {
      check: false,
    });
    expect(pulled.stderr).toContain(`no matching manifest for ${HOST_PLATFORM}`);

    const { main, run } = await build('mirror-lacks-arch', `${mirror.host}/other-list`);
    expect(main.errors).toEqual([]);
    expect(main.notices).toContainEqual(
      `CanvOS's BuildKit mirror has no ${HOST_PLATFORM} image of ${image} (it has ${OTHER_PLATFORM}): using Earthly's default, ${DEFAULT_IMAGE}`,
    );
    expect(run?.buildkitImage).toBe(DEFAULT_IMAGE);
    expect(run?.argv).not.toContain('--buildkit-image');
    // A follow-on step (the README's ISO example) starts what the build started.
    expect(main.outputs['buildkit-image']).toBe('');
  });

  it('is passed over where its one image is of another arch (read from the image config)', async () => {
    await mirror.pushImage(mirrorRepo('other-single'), 'v0.8.15', [OTHER_PLATFORM], {
      list: false,
    });
    const { main, run } = await build('mirror-single', `${mirror.host}/other-single`);
    expect(main.errors).toEqual([]);
    expect(main.notices.join('\n')).toContain(`(it has ${OTHER_PLATFORM})`);
    expect(run?.buildkitImage).toBe(DEFAULT_IMAGE);
  });

  it('is passed over where the mirror has no such image, or cannot be reached', async () => {
    const missing = await build('mirror-missing', `${mirror.host}/nothing-here`);
    expect(missing.main.errors).toEqual([]);
    expect(missing.main.notices).toContainEqual(
      `CanvOS's BuildKit mirror has no ${mirrorImage(`${mirror.host}/nothing-here`)}: using Earthly's default, ${DEFAULT_IMAGE}`,
    );
    expect(missing.run?.buildkitImage).toBe(DEFAULT_IMAGE);

    const unreachable = await build('mirror-unreachable', `${UNREACHABLE}/palette-images`);
    expect(unreachable.main.errors).toEqual([]);
    expect(unreachable.main.warnings).toContainEqual(
      `Could not tell whether CanvOS's BuildKit mirror has a ${HOST_PLATFORM} image of ${mirrorImage(`${UNREACHABLE}/palette-images`)} (Could not reach registry ${UNREACHABLE} for GET /v2/palette-images/third-party/edge/earthly/buildkitd/manifests/v0.8.15: ECONNREFUSED (2 attempts)): using Earthly's default, ${DEFAULT_IMAGE}`,
    );
    expect(unreachable.run?.buildkitImage).toBe(DEFAULT_IMAGE);
  });

  it('is taken from the local Docker when it is there, without asking the registry', async () => {
    const local = mirrorImage(`${UNREACHABLE}/local`);
    await loadImage(harness.dockerHost, [local], HOST_PLATFORM);
    const { main, run } = await build('mirror-local', `${UNREACHABLE}/local`);
    expect(main.errors).toEqual([]);
    expect(main.warnings).toEqual([]);
    expect(main.stdout).toContain(
      `BuildKit image ${local} (${HOST_PLATFORM}, in the local Docker)`,
    );
    expect(run?.buildkitImage).toBe(local);

    // A local image of another arch is what Earthly would start, and it would not run here.
    const foreign = mirrorImage(`${UNREACHABLE}/foreign`);
    await loadImage(harness.dockerHost, [foreign], OTHER_PLATFORM);
    const other = await build('mirror-local-foreign', `${UNREACHABLE}/foreign`);
    expect(other.main.errors).toEqual([]);
    expect(other.main.warnings).toContainEqual(
      `The local Docker's ${foreign} is ${OTHER_PLATFORM}, not this runner's ${HOST_PLATFORM}: using Earthly's default, ${DEFAULT_IMAGE}`,
    );
    expect(other.run?.buildkitImage).toBe(DEFAULT_IMAGE);
  });
});

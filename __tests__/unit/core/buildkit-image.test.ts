// Whether CanvOS's BuildKit mirror fits the runner. Earthly starts a local image as it is, and
// compares its architecture with its own (earthly/earthly v0.8.15 buildkitd/buildkitd.go, the
// "started using architecture %s, but host architecture is %s" warning); otherwise `docker run`
// pulls for the host's platform.
import { describe, expect, it } from 'vitest';
import {
  earthlyDefaultBuildkit,
  mirrorVerdict,
  withoutBuildkitMirror,
} from '../../../src/core/buildkit-image.js';
import { earthlyPlan } from '../../../src/core/earthly-plan.js';
import { PLAN_CONTEXT, checkoutV4_10, inputs } from '../support.js';

const MIRROR = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
const verdict = (finding: Parameters<typeof mirrorVerdict>[3], arch: 'amd64' | 'arm64' = 'arm64') =>
  mirrorVerdict(MIRROR, arch, 'v0.8.15', finding);

describe('mirrorVerdict', () => {
  it('uses a local image of the runner’s arch, and passes over one of another', () => {
    expect(verdict({ where: 'docker', platform: 'linux/arm64' })).toEqual({
      use: true,
      level: 'info',
      message: `BuildKit image ${MIRROR} (linux/arm64, in the local Docker)`,
    });
    expect(verdict({ where: 'docker', platform: 'linux/amd64' })).toEqual({
      use: false,
      level: 'warning',
      message: `The local Docker's ${MIRROR} is linux/amd64, not this runner's linux/arm64: using Earthly's default, earthly/buildkitd:v0.8.15`,
    });
  });

  it('uses the mirror where the registry lists the runner’s arch, any variant', () => {
    const listed = { where: 'registry', platforms: ['linux/amd64', 'linux/arm64/v8'] } as const;
    expect(verdict(listed).use).toBe(true);
    expect(verdict(listed, 'amd64').use).toBe(true);
    expect(verdict({ where: 'registry', platforms: ['windows/arm64'] }).use).toBe(false);
  });

  it('passes over a mirror without that arch, or without the image, with a notice', () => {
    expect(verdict({ where: 'registry', platforms: ['linux/amd64'] })).toEqual({
      use: false,
      level: 'notice',
      message: `CanvOS's BuildKit mirror has no linux/arm64 image of ${MIRROR} (it has linux/amd64): using Earthly's default, earthly/buildkitd:v0.8.15`,
    });
    expect(verdict({ where: 'registry', platforms: [] }).message).toContain('(it has no platform)');
    expect(verdict({ where: 'registry', missing: true })).toEqual({
      use: false,
      level: 'notice',
      message: `CanvOS's BuildKit mirror has no ${MIRROR}: using Earthly's default, earthly/buildkitd:v0.8.15`,
    });
  });

  it('passes over a mirror it could not ask, with a warning that says why', () => {
    expect(verdict({ where: 'registry', error: 'HTTP 503' })).toEqual({
      use: false,
      level: 'warning',
      message: `Could not tell whether CanvOS's BuildKit mirror has a linux/arm64 image of ${MIRROR} (HTTP 503): using Earthly's default, earthly/buildkitd:v0.8.15`,
    });
  });

  it('names Earthly’s own default image for the version', () => {
    expect(earthlyDefaultBuildkit('v0.8.16')).toBe('earthly/buildkitd:v0.8.16');
  });
});

describe('withoutBuildkitMirror', () => {
  it('drops the mirror from the plan and its --buildkit-image from the command, nothing else', () => {
    const plan = earthlyPlan(inputs({}, { version: 'v0.8.15' }), checkoutV4_10().files, 'v4.10.0', {
      ...PLAN_CONTEXT,
      checkoutPath: '/w/CanvOS',
    });
    expect(plan.buildkitMirror).toBe(MIRROR);
    const args = plan.args.join(' ');
    expect(args).toContain(`--buildkit-image ${MIRROR} `);

    const without = withoutBuildkitMirror(plan);
    expect(without.buildkitImage).toBeUndefined();
    expect(without.buildkitMirror).toBeUndefined();
    expect(without.args.join(' ')).toBe(args.replace(`--buildkit-image ${MIRROR} `, ''));
    expect({ ...without, args: plan.args }).toEqual({
      ...plan,
      buildkitImage: undefined,
      buildkitMirror: undefined,
    });
  });
});

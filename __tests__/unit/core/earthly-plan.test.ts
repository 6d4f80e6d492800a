import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import {
  DEFAULT_EARTHBUILD_VERSION,
  earthlyInstall,
  earthlyPlan,
} from '../../../src/core/earthly-plan.js';
import { checkoutV4_10, checkoutV4_4_12, inputs, makePlan, thrown } from '../support.js';

describe('earthlyPlan, as makePlan uses it', () => {
  it('auto pins the version earthly.sh pins, with the mirrored BuildKit', () => {
    expect(makePlan(inputs(), checkoutV4_10()).earthly).toMatchObject({
      version: 'v0.8.15',
      distribution: 'earthly',
      buildkitImage: 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
    });
    const v4_4_12 = inputs({ k8sVersion: { kind: 'list', items: ['1.30.4'] } });
    expect(makePlan(v4_4_12, checkoutV4_4_12()).earthly).toMatchObject({
      version: 'v0.8.5',
      distribution: 'earthly',
      buildkitImage: 'gcr.io/spectro-images-public/earthly/buildkitd:v0.8.5',
    });
  });

  it('the pinned version given explicitly still gets the mirror', () => {
    expect(
      makePlan(inputs({}, { version: 'v0.8.15' }), checkoutV4_10()).earthly.buildkitImage,
    ).toBe('us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15');
  });

  it('another explicit version gets no mirror (CanvOS mirrors only its pin)', () => {
    expect(makePlan(inputs({}, { version: 'v0.8.16' }), checkoutV4_10()).earthly).toMatchObject({
      version: 'v0.8.16',
      distribution: 'earthly',
      buildkitImage: undefined,
    });
  });

  it('earthbuild auto is DEFAULT_EARTHBUILD_VERSION, without the upstream mirror', () => {
    expect(DEFAULT_EARTHBUILD_VERSION).toBe('v0.8.18');
    expect(
      makePlan(inputs({}, { distribution: 'earthbuild' }), checkoutV4_10()).earthly,
    ).toMatchObject({
      version: 'v0.8.18',
      distribution: 'earthbuild',
      buildkitImage: undefined,
    });
    expect(
      makePlan(inputs({}, { distribution: 'earthbuild', version: 'v0.8.15' }), checkoutV4_10())
        .earthly.buildkitImage,
    ).toBeUndefined();
  });

  it('marks the mirror as one to check for the runner’s arch, and nothing else', () => {
    const mirror = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
    expect(makePlan(inputs(), checkoutV4_10()).earthly.buildkitMirror).toBe(mirror);
    expect(
      makePlan(inputs({}, { version: 'v0.8.16' }), checkoutV4_10()).earthly.buildkitMirror,
    ).toBeUndefined();
  });

  it('a buildkit-image input wins over the mirror, and is the workflow’s to vouch for', () => {
    const plan = makePlan(
      inputs({}, { buildkitImage: 'ghcr.io/acme/buildkitd:v0.8.15' }),
      checkoutV4_10(),
    );
    expect(plan.earthly.buildkitImage).toBe('ghcr.io/acme/buildkitd:v0.8.15');
    expect(plan.earthly.buildkitMirror).toBeUndefined();
  });

  it('a buildkit-host means no BuildKit image at all', () => {
    const plan = makePlan(
      inputs(
        {},
        { buildkitHost: 'tcp://buildkit:8372', buildkitImage: 'ghcr.io/acme/buildkitd:v0.8.15' },
      ),
      checkoutV4_10(),
    );
    expect(plan.earthly).toMatchObject({
      version: 'v0.8.15',
      distribution: 'earthly',
      buildkitImage: undefined,
      buildkitMirror: undefined,
    });
  });

  it('auto without an earthly.sh pin is an InputError on earthly-version', () => {
    const error = thrown(InputError, () =>
      makePlan(inputs(), checkoutV4_10({ earthlySh: undefined })),
    );
    expect(error.message).toBe(
      'earthly-version: auto found no EARTHLY_VERSION in earthly.sh at CanvOS v4.10.0: set a version',
    );
    expect(
      makePlan(inputs({}, { version: 'v0.8.16' }), checkoutV4_10({ earthlySh: undefined })).earthly,
    ).toMatchObject({
      version: 'v0.8.16',
      distribution: 'earthly',
      buildkitImage: undefined,
    });
  });
});

describe('earthlyPlan', () => {
  const context = {
    runnerArch: 'arm64' as const,
    tempDir: '/tmp/run',
    checkoutPath: '/tmp/canvos',
  };
  const files = checkoutV4_10().files;

  it('installs the planned version on the runner’s arch, with the download inputs', () => {
    const i = inputs(
      {},
      { downloadUrl: 'https://mirror.example/{version}/{asset}', sha256: 'a'.repeat(64) },
    );
    expect(earthlyPlan(i, files, 'v4.10.0', context).install).toEqual({
      version: 'v0.8.15',
      distribution: 'earthly',
      arch: 'arm64',
      downloadUrlTemplate: 'https://mirror.example/{version}/{asset}',
      sha256: 'a'.repeat(64),
    });
    expect(earthlyInstall(i, 'v0.8.16', 'amd64')).toMatchObject({
      version: 'v0.8.16',
      arch: 'amd64',
    });
  });

  it('writes its config into the temporary folder and reads secrets from the environment', () => {
    const i = inputs({ secrets: [['UBUNTU_PRO_KEY', 's3cr3t']] });
    const plan = earthlyPlan(i, files, 'v4.10.0', context);
    expect(plan.configPath).toBe('/tmp/run/earthly-config.yml');
    expect(plan.args.slice(0, 2)).toEqual(['--config', '/tmp/run/earthly-config.yml']);
    expect(plan.secretEnv).toEqual([['UBUNTU_PRO_KEY', 's3cr3t']]);
    expect(plan.args.join(' ')).not.toContain('s3cr3t');
  });

  // earthly/earthly variables/parse.go: `--build-arg NAME` with no value reads NAME from
  // Earthly's environment, so the credentials are in no argv (nor in Earthly's target headers).
  it('passes proxy credentials through Earthly’s environment, never its argv', () => {
    const proxy = 'http://user:pa55@proxy.example.com:3128';
    const plan = earthlyPlan(inputs({ httpsProxy: proxy }), files, 'v4.10.0', context);
    expect(plan.args.join(' ')).not.toContain('pa55');
    const index = plan.args.indexOf('HTTPS_PROXY');
    expect(plan.args[index - 1]).toBe('--build-arg');
    expect(index).toBeLessThan(plan.args.indexOf('+build-provider-images'));
    expect(plan.secretEnv).toContainEqual(['HTTPS_PROXY', proxy]);
  });
});

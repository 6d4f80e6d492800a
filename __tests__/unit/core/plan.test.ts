import { describe, expect, it } from 'vitest';
import { ActionError, InputError } from '../../../src/errors.js';
import { COMMIT, checkoutV4_10, checkoutV4_4_12, inputs, makePlan, thrown } from '../support.js';

// --- makePlan -------------------------------------------------------------------------------

describe('makePlan', () => {
  it('names the image from the Earthfile PE_VERSION, not the tag', () => {
    const plan = makePlan(inputs(), checkoutV4_10());
    expect(plan.images.map((image) => image.ref)).toEqual([
      'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo',
    ]);
    expect(plan.peVersion).toBe('v4.9.21');
  });

  it('gives every image field', () => {
    const plan = makePlan(inputs({ arch: 'arm64', osVersion: '24.04' }), checkoutV4_10());
    expect(plan.images).toEqual([
      {
        ref: 'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo',
        registry: 'ghcr.io',
        repository: 'acme/ubuntu',
        tag: 'k3s-1.32.3-v4.9.21-demo',
        k8sDistribution: 'k3s',
        k8sVersion: '1.32.3',
        os: 'ubuntu',
        osVersion: '24.04',
        arch: 'arm64',
        canvosVersion: 'v4.10.0',
        peVersion: 'v4.9.21',
      },
    ]);
  });

  it('gives the whole plan', () => {
    const plan = makePlan(
      inputs({ k8sDistribution: 'nodeadm', k8sVersion: { kind: 'all' } }),
      checkoutV4_10(),
    );
    const mirror = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
    const configPath = '/tmp/canvos-action-test/earthly-config.yml';
    const args = ['--config', configPath, '--ci', '--push', '--allow-privileged'];
    expect(plan).toMatchObject({
      canvosVersion: 'v4.10.0',
      canvosCommit: COMMIT,
      canvosPath: '/tmp/canvos',
      peVersion: 'v4.9.21',
      earthly: {
        version: 'v0.8.15',
        distribution: 'earthly',
        buildkitImage: mirror,
        install: { version: 'v0.8.15', distribution: 'earthly', arch: 'amd64' },
        configPath,
        args: [...args, '--buildkit-image', mirror, '+build-provider-images'],
        shownArgs: [...args, '--buildkit-image', mirror, '+build-provider-images'],
        secretEnv: [],
      },
      availableK8sVersions: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      newestK8sPatches: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      k8sVersions: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      registry: { host: 'ghcr.io', credentials: undefined },
      push: true,
      skipExisting: false,
      diskCheck: 'warn',
      dryRun: false,
    });
    expect(plan.images.map((image) => image.tag)).toEqual([
      'nodeadm-1.29.0-v4.9.21-demo',
      'nodeadm-1.30.0-v4.9.21-demo',
      'nodeadm-1.31.0-v4.9.21-demo',
      'nodeadm-1.32.0-v4.9.21-demo',
    ]);
  });

  it('splits a registry with a port and a path', () => {
    const [image] = makePlan(
      inputs({ imageRegistry: 'localhost:5000/team/edge' }),
      checkoutV4_10(),
    ).images;
    expect([image.ref, image.registry, image.repository]).toEqual([
      'localhost:5000/team/edge/ubuntu:k3s-1.32.3-v4.9.21-demo',
      'localhost:5000',
      'team/edge/ubuntu',
    ]);
    const [bare] = makePlan(
      inputs({ imageRegistry: 'registry.example.com' }),
      checkoutV4_10(),
    ).images;
    expect([bare.ref, bare.registry, bare.repository]).toEqual([
      'registry.example.com/ubuntu:k3s-1.32.3-v4.9.21-demo',
      'registry.example.com',
      'ubuntu',
    ]);
  });

  it('IMAGE_REPO overrides the OS name', () => {
    const plan = makePlan(inputs({ imageRepo: 'edge/provider-amd64' }), checkoutV4_10());
    expect(plan.images[0].ref).toBe('ghcr.io/acme/edge/provider-amd64:k3s-1.32.3-v4.9.21-demo');
    expect(plan.images[0].repository).toBe('acme/edge/provider-amd64');
  });

  it('without a custom tag the tag ends in PE_VERSION', () => {
    const plan = makePlan(inputs({ customTag: '' }), checkoutV4_10());
    expect(plan.images[0].ref).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21');
  });

  it('PE_VERSION in build-args wins over the Earthfile', () => {
    const plan = makePlan(inputs({ buildArgs: [['PE_VERSION', 'v4.9.38']] }), checkoutV4_10());
    expect(plan.peVersion).toBe('v4.9.38');
    expect(plan.images[0].ref).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.38-demo');
    expect(plan.images[0].peVersion).toBe('v4.9.38');
  });

  it('a PE_VERSION that breaks the tag is an InputError on build-args', () => {
    const error = thrown(InputError, () =>
      makePlan(inputs({ buildArgs: [['PE_VERSION', 'v4.9.38+build']] }), checkoutV4_10()),
    );
    expect(error.message).toBe(
      'build-args: PE_VERSION "v4.9.38+build" makes an invalid Docker tag "k3s-1.32.3-v4.9.38+build-demo"',
    );
  });

  it('several versions give one image each, ascending', () => {
    const plan = makePlan(
      inputs({
        k8sDistribution: 'kubeadm',
        k8sVersion: { kind: 'list', items: ['1.35', '1.33.4', '1.34'] },
      }),
      checkoutV4_10(),
    );
    expect(plan.k8sVersions).toEqual(['1.33.4', '1.34.9', '1.35.6']);
    expect(plan.images.map((image) => image.ref)).toEqual([
      'ghcr.io/acme/ubuntu:kubeadm-1.33.4-v4.9.21-demo',
      'ghcr.io/acme/ubuntu:kubeadm-1.34.9-v4.9.21-demo',
      'ghcr.io/acme/ubuntu:kubeadm-1.35.6-v4.9.21-demo',
    ]);
  });

  it('a tag of exactly 128 characters is fine; 129 is an InputError on custom-tag', () => {
    const customTag = 'x'.repeat(100);
    const ok = makePlan(
      inputs({
        k8sDistribution: 'kubeadm-fips',
        k8sVersion: { kind: 'list', items: ['1.35.6'] },
        customTag,
      }),
      checkoutV4_10(),
    );
    expect(ok.images[0].tag.length).toBe(128);
    const error = thrown(InputError, () =>
      makePlan(
        inputs({
          k8sDistribution: 'kubeadm-fips',
          k8sVersion: { kind: 'list', items: ['1.32.13'] },
          customTag,
        }),
        checkoutV4_10(),
      ),
    );
    expect(error.message).toBe(
      'custom-tag: makes the image tag 129 characters long; Docker allows 128',
    );
  });

  it('an Earthfile without PE_VERSION and no build arg is an ActionError', () => {
    const error = thrown(ActionError, () =>
      makePlan(inputs(), checkoutV4_10({ earthfile: 'VERSION 0.6\n' })),
    );
    expect(error.message).toBe(
      'The Earthfile at CanvOS v4.10.0 has no ARG PE_VERSION default; set PE_VERSION in build-args',
    );
    expect(
      makePlan(
        inputs({ buildArgs: [['PE_VERSION', 'v4.9.1']] }),
        checkoutV4_10({ earthfile: 'VERSION 0.6\n' }),
      ).peVersion,
    ).toBe('v4.9.1');
  });

  it('a missing or broken k8s_version.json is an ActionError', () => {
    expect(
      thrown(ActionError, () => makePlan(inputs(), checkoutV4_10({ k8sVersionJson: undefined })))
        .message,
    ).toBe('CanvOS v4.10.0 has no k8s_version.json');
    expect(
      thrown(ActionError, () => makePlan(inputs(), checkoutV4_10({ k8sVersionJson: '[1]' })))
        .message,
    ).toBe('k8s_version.json at CanvOS v4.10.0 is not valid: k8s_version.json is not an object');
  });

  it('a distribution the tag does not list is an InputError', () => {
    const error = thrown(InputError, () =>
      makePlan(
        inputs({ k8sDistribution: 'canonical', k8sVersion: { kind: 'latest' } }),
        checkoutV4_4_12(),
      ),
    );
    expect(error.input).toBe('k8s-distribution');
  });
});

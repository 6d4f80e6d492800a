import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ActionError, InputError } from '../../../src/errors.js';
import { checkoutFiles } from '../../../src/core/build-files.js';
import { readBuildLineVersions } from '../../../src/core/canvos-source.js';
import type { Inputs } from '../../../src/core/inputs/types.js';
import type { CanvosCheckout } from '../../../src/core/plan.js';
import {
  CERT_1,
  COMMIT,
  checkoutV4_10,
  checkoutV4_4_12,
  fixture,
  inputs,
  makePlan,
  thrown,
} from '../support.js';

/**
 * The values of a .arg as renderArgFile writes them: KEY=VALUE lines, a value bare or in single
 * quotes. (build-files.test.ts reads .arg files the way godotenv and bash do; the values here
 * are plain.)
 */
function argValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const value = line.slice(eq + 1);
    out[line.slice(0, eq)] =
      value.length >= 2 && value.startsWith("'") && value.endsWith("'")
        ? value.slice(1, -1)
        : value;
  }
  return out;
}

// --- makePlan -------------------------------------------------------------------------------

/** The `global:` settings of an Earthly config the plan wrote. */
function globalConfig(text: string): Record<string, unknown> {
  return (parseYaml(text) as { global: Record<string, unknown> }).global;
}

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

  // util/containerutil/shell_shared.go IsLocal: 127.0.0.1, ::1, localhost and container
  // addresses are a BuildKit Earthly starts and manages itself.
  it.each(['tcp://127.0.0.1:8372', 'tcp://localhost:8372', 'docker-container://earthly-buildkitd'])(
    'a local buildkit-host (%s) keeps the BuildKit image and the disk check',
    (buildkitHost) => {
      const plan = makePlan(inputs({}, { buildkitHost }), checkoutV4_10());
      expect(plan.earthly).toMatchObject({ buildkitHost, remoteBuildkit: false });
      expect(plan.earthly.buildkitImage).toMatch(/buildkitd:v0\.8\.15$/);
      expect(plan.diskCheck).toBe('warn');
    },
  );

  it('a remote buildkit-host turns the disk check off', () => {
    const plan = makePlan(inputs({}, { buildkitHost: 'tcp://buildkit:8372' }), checkoutV4_10());
    expect(plan.earthly.remoteBuildkit).toBe(true);
    expect(plan.diskCheck).toBe('off');
  });
});

// spectrocloud/CanvOS Earthfile: `ARG UBUNTU_PRO_KEY` + `pro attach $UBUNTU_PRO_KEY` on every tag up
// to v4.9.x; from v4.10.0 `ARG UBUNTU_PRO_ATTACH=false` and, inside
// `IF [ "$UBUNTU_PRO_ATTACH" = "true" ]`, `RUN --secret UBUNTU_PRO_KEY`.
const PRO_AS_ARG = `VERSION 0.6\nARG PE_VERSION=v4.9.38\nARG UBUNTU_PRO_KEY\nARG HTTP_PROXY\n\nbuild-provider-images:\n    IF [ ! -z "$UBUNTU_PRO_KEY" ]\n        RUN pro attach $UBUNTU_PRO_KEY\n    END\n`;
const PRO_AS_SECRET = `VERSION 0.6\nARG PE_VERSION=v4.9.21\nARG UBUNTU_PRO_ATTACH=false\n\nbuild-provider-images:\n    IF [ "$UBUNTU_PRO_ATTACH" = "true" ]\n        RUN --secret UBUNTU_PRO_KEY \\\n            pro attach --attach-config /tmp/.pro-attach.yaml\n    END\n`;
const PRO_KEY = 'C0ffee-Pro-Key-1234';

describe('secrets and credentials reach Earthly through its environment only', () => {
  const planFor = (earthfile: string, extra: Partial<Inputs> = {}) =>
    makePlan(
      inputs({ secrets: [['UBUNTU_PRO_KEY', PRO_KEY]], ...extra }),
      checkoutV4_10({ earthfile }),
    );
  const argFile = (plan: ReturnType<typeof makePlan>) =>
    argValues(checkoutFiles(plan.files, plan.k8sVersions).find((f) => f.path === '.arg')!.content);

  it('UBUNTU_PRO_KEY read as an ARG (CanvOS up to v4.9.x) goes as --build-arg UBUNTU_PRO_KEY', () => {
    const plan = planFor(PRO_AS_ARG);
    const target = plan.earthly.args.indexOf('+build-provider-images');
    expect(plan.earthly.args.slice(target - 2)).toEqual([
      '--build-arg',
      'UBUNTU_PRO_KEY',
      '+build-provider-images',
    ]);
    expect(plan.earthly.args).not.toContain('--secret');
    expect(plan.earthly.secretEnv).toEqual([['UBUNTU_PRO_KEY', PRO_KEY]]);
    expect(JSON.stringify(plan.earthly.args)).not.toContain(PRO_KEY);
    expect(argFile(plan)).not.toHaveProperty('UBUNTU_PRO_ATTACH');
  });

  it('UBUNTU_PRO_KEY read as a secret (CanvOS v4.10.0 on) goes as --secret, with UBUNTU_PRO_ATTACH=true', () => {
    const plan = planFor(PRO_AS_SECRET);
    const at = plan.earthly.args.indexOf('--secret');
    expect(plan.earthly.args.slice(at, at + 2)).toEqual(['--secret', 'UBUNTU_PRO_KEY']);
    expect(plan.earthly.args).not.toContain('--build-arg');
    expect(plan.earthly.secretEnv).toEqual([['UBUNTU_PRO_KEY', PRO_KEY]]);
    expect(argFile(plan)).toMatchObject({ UBUNTU_PRO_ATTACH: 'true' });
  });

  it('a build-args UBUNTU_PRO_ATTACH still wins (it comes last)', () => {
    const plan = planFor(PRO_AS_SECRET, { buildArgs: [['UBUNTU_PRO_ATTACH', 'false']] });
    expect(argFile(plan).UBUNTU_PRO_ATTACH).toBe('false');
  });

  it('a proxy URL with credentials is no argv word: --build-arg NAME, the value in the environment', () => {
    const proxy = 'http://user:p%40ss@proxy.example.com:3128';
    const plan = makePlan(inputs({ httpsProxy: proxy }), checkoutV4_10());
    const target = plan.earthly.args.indexOf('+build-provider-images');
    expect(target).toBe(plan.earthly.args.length - 1);
    expect(plan.earthly.args.slice(target - 2, target)).toEqual(['--build-arg', 'HTTPS_PROXY']);
    expect(plan.earthly.args.join(' ')).not.toMatch(/p%40ss|user:/);
    expect(plan.earthly.secretEnv).toEqual([
      ['HTTPS_PROXY', proxy],
      ['https_proxy', proxy],
    ]);
  });

  // CanvOS's earthly.sh starts its BuildKit with the proxy variables and the certs/ CAs; Earthly's
  // buildkit_additional_args (config/config.go) are `docker run` flags for its own BuildKit.
  it('a local BuildKit starts with the proxy variables and the CA certificates', () => {
    const plan = makePlan(
      inputs({ httpProxy: 'http://proxy:3128', proxyCaCerts: [CERT_1] }),
      checkoutV4_10(),
    );
    expect(globalConfig(plan.earthly.config).buildkit_additional_args).toEqual([
      '--ulimit',
      'nofile=1048576:1048576',
      '-e',
      'HTTP_PROXY',
      '-e',
      'http_proxy',
      '-v',
      '/tmp/canvos/certs:/etc/canvos-proxy-ca:ro',
      '-e',
      'SSL_CERT_DIR=/etc/ssl/certs:/etc/canvos-proxy-ca',
    ]);
    expect(plan.earthly.secretEnv).toEqual([
      ['HTTP_PROXY', 'http://proxy:3128'],
      ['http_proxy', 'http://proxy:3128'],
    ]);
  });

  it('a remote BuildKit is left as it is', () => {
    const plan = makePlan(
      inputs(
        { httpProxy: 'http://proxy:3128', proxyCaCerts: [CERT_1] },
        { buildkitHost: 'tcp://bk:8372' },
      ),
      checkoutV4_10(),
    );
    expect(globalConfig(plan.earthly.config).buildkit_additional_args).toEqual([
      '--ulimit',
      'nofile=1048576:1048576',
    ]);
    expect(plan.earthly.secretEnv).toEqual([]);
  });
});

describe('earthly-config against the chosen Earthly', () => {
  // earthly/earthly config/config.go: disable_log_sharing and org exist up to v0.8.15 only;
  // darwin_proxy_image and tlsca_key from v0.8 on (not in v0.7.4).
  it.each([
    ['v0.8.16', 'disable_log_sharing'],
    ['v0.8.18', 'org'],
    ['v0.7.4', 'tlsca_key'],
  ])('Earthly %s refuses %s, listing the keys it knows', (version, key) => {
    const distribution = version === 'v0.8.18' ? 'earthbuild' : 'earthly';
    const error = thrown(InputError, () =>
      makePlan(inputs({}, { version, distribution, config: [[key, 'x']] }), checkoutV4_10()),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^earthly-config: ${key} is not a global setting Earthly ${version} knows .*it knows: buildkit_additional_args`,
      ),
    );
    expect(error.message).not.toMatch(new RegExp(`knows: .*\\b${key}\\b`));
  });

  it('writes the keys it accepts', () => {
    const plan = makePlan(
      inputs({}, { version: 'v0.8.16', config: [['tlsca', '/etc/ca.pem']] }),
      checkoutV4_10(),
    );
    expect(globalConfig(plan.earthly.config)).toMatchObject({ tlsca: '/etc/ca.pem' });
  });
});

// spectrocloud/CanvOS v4.4.2-v4.4.8 have no k8s_version.json: `build-provider-images` lists the
// versions as `BUILD +$TARGET --K8S_VERSION=x` lines per distribution (Earthfile at v4.4.2).
describe('tags before k8s_version.json', () => {
  const oldTag = (): CanvosCheckout => ({
    ...checkoutV4_4_12(),
    tag: 'v4.4.2',
    files: {
      earthfile: `${fixture('Earthfile.v4.4.12.head.txt')}\n${fixture('Earthfile.v4.4.2.build-provider-images.txt')}`,
      earthlySh: fixture('earthly.sh.v4.4.12.excerpt.txt'),
    },
  });

  it('reads the versions from the Earthfile’s BUILD lines', () => {
    const lists = readBuildLineVersions(oldTag().files.earthfile);
    expect(Object.keys(lists).sort()).toEqual(['k3s', 'kubeadm', 'rke2']);
    expect(lists.k3s.slice(-3)).toEqual(['1.28.2', '1.28.7', '1.29.2']);
  });

  it('plans one exact version, or a minor’s newest patch, through K8S_VERSION', () => {
    const plan = makePlan(inputs({ k8sVersion: { kind: 'list', items: ['1.28'] } }), oldTag());
    expect(plan.k8sVersions).toEqual(['1.28.7']);
    const arg = argValues(checkoutFiles(plan.files, plan.k8sVersions)[0].content);
    expect(arg.K8S_VERSION).toBe('1.28.7');
  });

  it('several versions at once is one clear error: one version per job', () => {
    const error = thrown(InputError, () =>
      makePlan(inputs({ k8sVersion: { kind: 'all' } }), oldTag()),
    );
    expect(error.message).toBe(
      'k8s-version: CanvOS v4.4.2 lists its versions in the Earthfile, not k8s_version.json: build one version per job (a matrix)',
    );
  });
});

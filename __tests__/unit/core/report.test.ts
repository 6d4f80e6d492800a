import { describe, expect, it } from 'vitest';
import { packValuesYaml } from '../../../src/core/pack-values.js';
import type { ImagePlan, Plan } from '../../../src/core/plan.js';
import {
  type ImageResult,
  commitUrl,
  existingLine,
  failureMarkdown,
  outputs,
  planLines,
  summaryMarkdown,
} from '../../../src/core/report.js';
import { checkoutV4_10, inputs, makePlan } from '../support.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const DIGEST_1 = `sha256:${'a'.repeat(64)}`;

function image(k8sVersion: string): ImagePlan {
  const tag = `k3s-${k8sVersion}-v4.9.21-demo`;
  return {
    ref: `ghcr.io/acme/ubuntu:${tag}`,
    registry: 'ghcr.io',
    repository: 'acme/ubuntu',
    tag,
    k8sDistribution: 'k3s',
    k8sVersion,
    os: 'ubuntu',
    osVersion: '22.04',
    arch: 'amd64',
    canvosVersion: 'v4.10.0',
    peVersion: 'v4.9.21',
  };
}

const PLAN: Plan = {
  ...makePlan(inputs(), checkoutV4_10()),
  canvosPath: '/tmp/canvos-action-x/canvos',
  canvosRepository: 'https://github.com/spectrocloud/CanvOS.git',
  availableK8sVersions: ['1.32.3', '1.32.13', '1.33.10'],
  newestK8sPatches: ['1.32.13', '1.33.10'],
  k8sVersions: ['1.32.13', '1.33.10'],
  images: [image('1.32.13'), image('1.33.10')],
};

const RESULTS: ImageResult[] = [
  { ...image('1.32.13'), digest: DIGEST_1, pushed: true, skipped: false, status: 'pushed' },
  { ...image('1.33.10'), pushed: false, skipped: false, status: 'planned' },
];

describe('outputs', () => {
  it('sets every output with the right shape', () => {
    const values = outputs(PLAN, RESULTS);
    expect(Object.keys(values).sort()).toEqual([
      'attestation-subjects',
      'available-k8s-versions',
      'buildkit-image',
      'canvos-commit',
      'canvos-path',
      'canvos-version',
      'digest',
      'digests',
      'earthly-version',
      'image',
      'images',
      'json',
      'k8s-versions',
      'newest-k8s-patches',
      'pack-values',
      'pe-version',
      'pushed-digests',
    ]);
    expect(values).toEqual({
      'canvos-version': 'v4.10.0',
      'canvos-commit': COMMIT,
      'canvos-path': '/tmp/canvos-action-x/canvos',
      'pe-version': 'v4.9.21',
      'earthly-version': 'v0.8.15',
      'buildkit-image':
        'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
      images:
        'ghcr.io/acme/ubuntu:k3s-1.32.13-v4.9.21-demo\nghcr.io/acme/ubuntu:k3s-1.33.10-v4.9.21-demo',
      image: 'ghcr.io/acme/ubuntu:k3s-1.32.13-v4.9.21-demo',
      digest: DIGEST_1,
      digests: `ghcr.io/acme/ubuntu:k3s-1.32.13-v4.9.21-demo@${DIGEST_1}`,
      json: expect.any(String) as unknown,
      'k8s-versions': '["1.32.13","1.33.10"]',
      'available-k8s-versions': '["1.32.3","1.32.13","1.33.10"]',
      'newest-k8s-patches': '["1.32.13","1.33.10"]',
      'pack-values': packValuesYaml(PLAN.naming),
      // Only the image this run pushed: the other one has no digest.
      'attestation-subjects': `[{"name":"ghcr.io/acme/ubuntu","digest":"${DIGEST_1}"}]`,
      'pushed-digests': `ghcr.io/acme/ubuntu:k3s-1.32.13-v4.9.21-demo@${DIGEST_1}`,
    });
  });

  it('json is one object per image, without the status', () => {
    const json = JSON.parse(outputs(PLAN, RESULTS).json) as Record<string, unknown>[];
    expect(json).toEqual([
      { ...image('1.32.13'), digest: DIGEST_1, pushed: true, skipped: false },
      { ...image('1.33.10'), digest: null, pushed: false, skipped: false },
    ]);
    expect(Object.keys(json[0]).sort()).toEqual(
      [
        'arch',
        'canvosVersion',
        'digest',
        'k8sDistribution',
        'k8sVersion',
        'os',
        'osVersion',
        'peVersion',
        'pushed',
        'ref',
        'registry',
        'repository',
        'skipped',
        'tag',
      ].sort(),
    );
  });

  it('buildkit-image is what Earthly was told to start: empty for its own default', () => {
    const earthly = { ...PLAN.earthly, buildkitImage: undefined, buildkitMirror: undefined };
    expect(outputs({ ...PLAN, earthly }, RESULTS)['buildkit-image']).toBe('');
  });

  it('no images: empty strings and empty arrays, the same keys', () => {
    const values = outputs({ ...PLAN, images: [], k8sVersions: [] }, []);
    expect([
      values.images,
      values.image,
      values.digest,
      values.digests,
      values.json,
      values['k8s-versions'],
      values['attestation-subjects'],
      values['pushed-digests'],
    ]).toEqual(['', '', '', '', '[]', '[]', '[]', '']);
    expect(Object.keys(values).length).toBe(17);
  });
});

describe('commitUrl', () => {
  it.each([
    [
      'https://github.com/spectrocloud/CanvOS.git',
      `https://github.com/spectrocloud/CanvOS/tree/${COMMIT}`,
    ],
    [
      'https://github.com/spectrocloud/CanvOS',
      `https://github.com/spectrocloud/CanvOS/tree/${COMMIT}`,
    ],
    [
      'https://github.com/spectrocloud/CanvOS/',
      `https://github.com/spectrocloud/CanvOS/tree/${COMMIT}`,
    ],
    [
      'https://ghe.example.com/acme/canvos.git',
      `https://ghe.example.com/acme/canvos/tree/${COMMIT}`,
    ],
    ['file:///srv/git/CanvOS', undefined],
    ['http://git.internal/acme/CanvOS.git', undefined],
    ['ssh://git@github.com/spectrocloud/CanvOS.git', undefined],
    ['https://gitlab.example.com/group/sub/canvos.git', undefined],
  ])('%s', (repository, url) => {
    expect(commitUrl(repository, COMMIT)).toBe(url);
  });

  it('no commit, no link', () => {
    expect(commitUrl('https://github.com/spectrocloud/CanvOS.git', '')).toBeUndefined();
  });
});

describe('summaryMarkdown', () => {
  const timings = [
    { phase: 'CanvOS checkout', ms: 1234 },
    { phase: 'Build', ms: 754_321 },
  ];

  it('has the header, a commit link for a GitHub URL, the image table and the timings', () => {
    const markdown = summaryMarkdown(PLAN, RESULTS, timings);
    expect(markdown).toBe(
      [
        '## CanvOS provider images',
        '',
        `- CanvOS: \`v4.10.0\` at [\`0123456789ab\`](https://github.com/spectrocloud/CanvOS/tree/${COMMIT})`,
        '- Palette Edge version: `v4.9.21`',
        '- Earthly: `v0.8.15` (earthly)',
        '',
        '| Image | Kubernetes | Arch | Digest | Status |',
        '| --- | --- | --- | --- | --- |',
        `| \`ghcr.io/acme/ubuntu:k3s-1.32.13-v4.9.21-demo\` | k3s 1.32.13 | amd64 | \`${DIGEST_1}\` | pushed |`,
        '| `ghcr.io/acme/ubuntu:k3s-1.33.10-v4.9.21-demo` | k3s 1.33.10 | amd64 | - | not built |',
        '',
        '| Phase | Time |',
        '| --- | --- |',
        '| CanvOS checkout | 1.2 s |',
        '| Build | 754.3 s |',
        '',
        '<details>',
        '<summary>Palette pack values (edge-native-byoi)</summary>',
        '',
        'Paste them into the OS layer of the cluster profile. Its Kubernetes layer can pick',
        '`1.32.13`, `1.33.10`: `system.uri` names an image for these versions only.',
        '',
        '```yaml',
        packValuesYaml(PLAN.naming).trimEnd(),
        '```',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('no link for a file:// repository, nor for a workflow checkout', () => {
    for (const repository of ['file:///srv/git/CanvOS', undefined]) {
      const plan = { ...PLAN, canvosRepository: repository, dryRun: true };
      const markdown = summaryMarkdown(plan, RESULTS, []);
      expect(markdown.split('\n').slice(0, 3)).toEqual([
        '## CanvOS provider images (dry run)',
        '',
        '- CanvOS: `v4.10.0` at `0123456789ab`',
      ]);
      expect(markdown).not.toContain('/tree/');
    }
  });

  it('says unknown without a commit, and names each status', () => {
    const results: ImageResult[] = [
      { ...image('1.32.13'), digest: DIGEST_1, pushed: false, skipped: false, status: 'built' },
      { ...image('1.33.10'), digest: DIGEST_1, pushed: false, skipped: true, status: 'skipped' },
    ];
    const markdown = summaryMarkdown({ ...PLAN, canvosCommit: '' }, results, []);
    expect(markdown).toContain('- CanvOS: `v4.10.0` at `unknown`\n');
    expect(markdown).toContain(`| k3s 1.32.13 | amd64 | \`${DIGEST_1}\` | in local Docker |\n`);
    expect(markdown).toContain(`| k3s 1.33.10 | amd64 | \`${DIGEST_1}\` | already in registry |\n`);
  });

  it('a dry run calls the unbuilt images planned', () => {
    const markdown = summaryMarkdown({ ...PLAN, dryRun: true }, RESULTS, []);
    expect(markdown).toContain('| k3s 1.33.10 | amd64 | - | planned (dry run) |\n');
  });
});

describe('failureMarkdown', () => {
  const failure = { phase: 'Build', message: 'Earthly failed with exit code 7: BuildKit crashed' };

  it('names the failed phase and the error, then the plan, its images and the phases so far', () => {
    const markdown = failureMarkdown(failure, PLAN, RESULTS, [{ phase: 'Build', ms: 2000 }]);
    expect(markdown.split('\n').slice(0, 12)).toEqual([
      '## CanvOS provider images: failed',
      '',
      '**Build** failed:',
      '',
      '```text',
      'Earthly failed with exit code 7: BuildKit crashed',
      '```',
      '',
      `- CanvOS: \`v4.10.0\` at [\`0123456789ab\`](https://github.com/spectrocloud/CanvOS/tree/${COMMIT})`,
      '- Palette Edge version: `v4.9.21`',
      '- Earthly: `v0.8.15` (earthly)',
      '',
    ]);
    expect(markdown).toContain('| k3s 1.33.10 | amd64 | - | not built |');
    expect(markdown).toContain('| Build | 2.0 s |');
  });

  it('before the plan: the phase and the error only; a fence in the message cannot close the block', () => {
    const markdown = failureMarkdown(
      { phase: 'Inputs', message: 'image-registry: is required ```' },
      undefined,
      [],
      [],
    );
    expect(markdown).toBe(
      [
        '## CanvOS provider images: failed',
        '',
        '**Inputs** failed:',
        '',
        '```text',
        "image-registry: is required '''",
        '```',
        '',
        'Nothing was built: the run stopped before its plan was made.',
        '',
      ].join('\n'),
    );
  });
});

describe('existingLine', () => {
  it('says how many images already exist and how many get built', () => {
    expect(existingLine(2, 0)).toBe('0 of 2 already published; building 2');
    expect(existingLine(3, 1)).toBe('1 of 3 already published; building 2');
    expect(existingLine(2, 2)).toBe('2 of 2 already published; building none');
  });
});

describe('planLines', () => {
  it('shows the plan a fact a line, the mirror with the condition it is used on', () => {
    const mirror = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
    expect(planLines(makePlan(inputs(), checkoutV4_10()))).toEqual([
      'CanvOS:           v4.10.0 (0123456789abcdef0123456789abcdef01234567)',
      'PE_VERSION:       v4.9.21',
      'Earthly:          v0.8.15 (earthly)',
      `BuildKit image:   ${mirror} (CanvOS's mirror, where it has the runner's arch)`,
      'Kubernetes:       1.32.3',
      'Image:            ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo',
    ]);
    const own = makePlan(
      inputs({}, { buildkitImage: 'ghcr.io/acme/buildkitd:v1' }),
      checkoutV4_10(),
    );
    expect(planLines(own)).toContain('BuildKit image:   ghcr.io/acme/buildkitd:v1');
  });
});

import { attestationSubjects, pushedDigests } from './attestation.js';
import { PACK_NAME, packValuesYaml } from './pack-values.js';
import type { ImagePlan, Plan } from './plan.js';

export type ImageStatus = 'planned' | 'pushed' | 'built' | 'skipped';

export interface ImageResult extends ImagePlan {
  digest?: string; // the manifest digest in the registry
  imageId?: string; // the image id in the local Docker (push: false)
  pushed: boolean;
  skipped: boolean;
  status: ImageStatus;
}

export interface Timing {
  phase: string;
  ms: number;
}

/** The planned images with what the registry said before the build: present ones are skipped. */
export function imageResults(plan: Plan, present: ReadonlyMap<string, string>): ImageResult[] {
  return plan.images.map((image) => {
    const digest = present.get(image.ref);
    return digest
      ? { ...image, digest, pushed: false, skipped: true, status: 'skipped' }
      : { ...image, pushed: false, skipped: false, status: 'planned' };
  });
}

/** What a skip-existing lookup found, e.g. "0 of 2 already published; building 2". */
export function existingLine(planned: number, present: number): string {
  const building = planned - present;
  return `${present} of ${planned} already published; ${building ? `building ${building}` : 'building none'}`;
}

/** The plan as the log shows it, one line a fact. */
export function planLines(plan: Plan): string[] {
  return [
    `CanvOS:           ${plan.canvosVersion} (${plan.canvosCommit || 'no commit'})`,
    `PE_VERSION:       ${plan.peVersion}`,
    `Earthly:          ${plan.earthly.version} (${plan.earthly.distribution})`,
    ...(plan.earthly.buildkitImage
      ? [
          `BuildKit image:   ${plan.earthly.buildkitImage}${plan.earthly.buildkitMirror ? " (CanvOS's mirror, where it has the runner's arch)" : ''}`,
        ]
      : []),
    `Kubernetes:       ${plan.k8sVersions.join(', ')}`,
    ...plan.images.map((image) => `Image:            ${image.ref}`),
  ];
}

/** Every output; the same names and shapes in dry-run, a build, and a skipped re-run. */
export function outputs(plan: Plan, images: ImageResult[]): Record<string, string> {
  const withDigest = images.filter((image) => image.digest);
  return {
    'canvos-version': plan.canvosVersion,
    'canvos-commit': plan.canvosCommit,
    'canvos-path': plan.canvosPath,
    'pe-version': plan.peVersion,
    'earthly-version': plan.earthly.version,
    'buildkit-image': plan.earthly.buildkitImage ?? '',
    images: images.map((image) => image.ref).join('\n'),
    image: images[0]?.ref ?? '',
    digest: images[0]?.digest ?? '',
    digests: withDigest.map((image) => `${image.ref}@${image.digest}`).join('\n'),
    json: JSON.stringify(
      images.map(({ status: _status, imageId, ...image }) => ({
        ...image,
        digest: image.digest ?? null,
        ...(imageId ? { imageId } : {}),
      })),
    ),
    'k8s-versions': JSON.stringify(plan.k8sVersions),
    'available-k8s-versions': JSON.stringify(plan.availableK8sVersions),
    'newest-k8s-patches': JSON.stringify(plan.newestK8sPatches),
    'pack-values': packValuesYaml(plan.naming),
    'attestation-subjects': JSON.stringify(attestationSubjects(images)),
    'pushed-digests': pushedDigests(images).join('\n'),
  };
}

/** A browsable link to the commit when the repository is on a GitHub-like web host. */
export function commitUrl(repository: string, commit: string): string | undefined {
  const match = /^(https:\/\/[^/]+\/[^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(repository);
  return match && commit ? `${match[1]}/tree/${commit}` : undefined;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const STATUS_TEXT: Record<ImageStatus, string> = {
  planned: 'not built', // in a dry run: "planned (dry run)"
  pushed: 'pushed',
  built: 'in local Docker',
  skipped: 'already in registry',
};

/** The job summary as Markdown. */
export function summaryMarkdown(plan: Plan, images: ImageResult[], timings: Timing[]): string {
  const link = plan.canvosRepository
    ? commitUrl(plan.canvosRepository, plan.canvosCommit)
    : undefined;
  const commit = plan.canvosCommit ? plan.canvosCommit.slice(0, 12) : 'unknown';
  const lines = [
    `## CanvOS provider images${plan.dryRun ? ' (dry run)' : ''}`,
    '',
    `- CanvOS: \`${plan.canvosVersion}\` at ${link ? `[\`${commit}\`](${link})` : `\`${commit}\``}`,
    `- Palette Edge version: \`${plan.peVersion}\``,
    `- Earthly: \`${plan.earthly.version}\` (${plan.earthly.distribution})`,
    '',
    '| Image | Kubernetes | Arch | Digest | Status |',
    '| --- | --- | --- | --- | --- |',
    ...images.map(
      (image) =>
        `| \`${image.ref}\` | ${image.k8sDistribution} ${image.k8sVersion} | ${image.arch} | ${image.digest ? `\`${image.digest}\`` : image.imageId ? `image id \`${image.imageId}\`` : '-'} | ${plan.dryRun && image.status === 'planned' ? 'planned (dry run)' : STATUS_TEXT[image.status]} |`,
    ),
    '',
    '| Phase | Time |',
    '| --- | --- |',
    ...timings.map((timing) => `| ${timing.phase} | ${formatSeconds(timing.ms)} |`),
    '',
    ...packValuesSection(plan),
  ];
  return lines.join('\n');
}

/** The pack values, folded away; and the Kubernetes versions the profile can pick. */
function packValuesSection(plan: Plan): string[] {
  return [
    '<details>',
    `<summary>Palette pack values (${PACK_NAME})</summary>`,
    '',
    'Paste them into the OS layer of the cluster profile. Its Kubernetes layer can pick',
    `${plan.k8sVersions.map((v) => `\`${v}\``).join(', ')}: \`system.uri\` names an image for these versions only.`,
    '',
    '```yaml',
    packValuesYaml(plan.naming).trimEnd(),
    '```',
    '',
    '</details>',
    '',
  ];
}

export interface Failure {
  phase: string; // the phase that failed, e.g. "Build"
  message: string; // the error as the log shows it, its hint included
}

/**
 * The job summary of a failed run: which phase failed and why, then everything already known —
 * the plan and its images when the run got that far.
 */
export function failureMarkdown(
  failure: Failure,
  plan: Plan | undefined,
  images: ImageResult[],
  timings: Timing[],
): string {
  const head = [
    '## CanvOS provider images: failed',
    '',
    `**${failure.phase}** failed:`,
    '',
    '```text',
    failure.message.replaceAll('```', "'''"),
    '```',
    '',
  ];
  if (!plan)
    return [...head, 'Nothing was built: the run stopped before its plan was made.', ''].join('\n');
  return [...head, ...summaryMarkdown(plan, images, timings).split('\n').slice(2)].join('\n');
}

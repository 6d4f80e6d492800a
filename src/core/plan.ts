/**
 * The functional core: the inputs plus what the CanvOS checkout says become a complete plan — the
 * tag, PE_VERSION, the image refs, the Earthly to install and its whole command, and the files that
 * make CanvOS build exactly that. Executors take the plan, never the inputs.
 */
import { ActionError, InputError } from '../errors.js';
import {
  type BuildFilesPlan,
  type CheckoutFile,
  buildFilesPlan,
  checkoutFiles,
} from './build-files.js';
import {
  type CanvosFiles,
  parseK8sVersionJson,
  readBuildLineVersions,
  readPeVersion,
} from './canvos-source.js';
import { type EarthlyPlan, earthlyPlan } from './earthly-plan.js';
import { MAX_TAG_LENGTH, TAG } from './image-ref.js';
import type { Arch, DiskCheck, Inputs, RegistryCredentials } from './inputs/types.js';
import { newestPatches, selectK8sVersions } from './k8s.js';

export interface CanvosCheckout {
  tag: string; // the tag checked out, or a description of a workflow's own checkout
  commit: string;
  path: string;
  files: CanvosFiles;
  /** Where it was cloned from; undefined for a workflow's own checkout. */
  repository?: string;
}

/** What the plan needs from the runner: nothing it reads itself. */
export interface PlanContext {
  /** The runner's arch: Earthly runs there, whatever arch the images are for. */
  runnerArch: Arch;
  /** The action's temporary folder for this run (Earthly's config goes there). */
  tempDir: string;
}

export interface ImagePlan {
  ref: string;
  registry: string; // host[:port]
  repository: string; // path under the host
  tag: string;
  k8sDistribution: string;
  k8sVersion: string;
  os: string;
  osVersion: string;
  arch: string;
  canvosVersion: string;
  peVersion: string;
}

/**
 * The `.arg` values that name every image (CanvOS's Earthfile: `IMAGE_PATH=$IMAGE_REGISTRY/
 * $IMAGE_REPO:$K8S_DISTRIBUTION-$K8S_VERSION-$IMAGE_TAG`); the Palette pack values repeat them.
 */
export interface ImageNaming {
  registry: string; // image-registry: host[:port][/path]
  repo: string;
  k8sDistribution: string;
  peVersion: string;
  customTag: string; // '' for none
  os: string;
  osVersion: string;
}

export interface Plan {
  canvosVersion: string;
  canvosCommit: string;
  canvosPath: string;
  /** The repository a fresh clone came from; undefined for a workflow's own checkout. */
  canvosRepository?: string;
  peVersion: string;
  naming: ImageNaming;
  earthly: EarthlyPlan;
  availableK8sVersions: string[];
  newestK8sPatches: string[];
  k8sVersions: string[];
  images: ImagePlan[];
  files: BuildFilesPlan;
  /** `ca`: the workflow's proxy CA certificates, trusted by registry lookups too. */
  registry: { host: string; credentials?: RegistryCredentials; ca: string[] };
  push: boolean;
  skipExisting: boolean;
  diskCheck: DiskCheck;
  dryRun: boolean;
}

/** What gets built once the registry has said which images already exist. */
export interface BuildStep {
  images: ImagePlan[];
  files: CheckoutFile[];
}

export function makePlan(inputs: Inputs, checkout: CanvosCheckout, context: PlanContext): Plan {
  const { files, tag } = checkout;
  const peVersion = buildArg(inputs, 'PE_VERSION') ?? readPeVersion(files.earthfile);
  if (!peVersion) {
    throw new ActionError(
      `The Earthfile at CanvOS ${tag} has no ARG PE_VERSION default; set PE_VERSION in build-args`,
    );
  }
  const versionLists = k8sVersionLists(files, tag);
  const available = versionLists[inputs.k8sDistribution] ?? [];
  const k8sVersions = selectK8sVersions(inputs.k8sVersion, available, {
    distribution: inputs.k8sDistribution,
    tag,
  });
  // Before k8s_version.json the Earthfile's own BUILD lines decide: one version (K8S_VERSION) a run.
  if (!files.k8sVersionJson && k8sVersions.length > 1) {
    throw new InputError(
      'k8s-version',
      `CanvOS ${tag} lists its versions in the Earthfile, not k8s_version.json: build one version per job (a matrix)`,
    );
  }
  const naming: ImageNaming = {
    registry: inputs.imageRegistry,
    repo: inputs.imageRepo ?? inputs.osDistribution,
    k8sDistribution: inputs.k8sDistribution,
    peVersion,
    customTag: inputs.customTag,
    os: inputs.osDistribution,
    osVersion: inputs.osVersion,
  };
  const images = k8sVersions.map((version) => imagePlan(naming, inputs.arch, tag, version));
  const earthly = earthlyPlan(inputs, files, tag, { ...context, checkoutPath: checkout.path });
  return {
    canvosVersion: tag,
    canvosCommit: checkout.commit,
    canvosPath: checkout.path,
    canvosRepository: checkout.repository,
    peVersion,
    naming,
    earthly,
    availableK8sVersions: [...available],
    newestK8sPatches: newestPatches(available),
    k8sVersions,
    images,
    files: buildFilesPlan(inputs, files),
    registry: {
      host: images[0].registry,
      credentials: inputs.registryAuth,
      ca: inputs.proxyCaCerts,
    },
    push: inputs.push,
    skipExisting: inputs.skipExisting && inputs.push,
    // A remote BuildKit keeps its cache on its own disk.
    diskCheck: earthly.remoteBuildkit ? 'off' : inputs.diskCheck,
    dryRun: inputs.dryRun,
  };
}

/**
 * The images left to build once `present` (ref → digest) lists those already published, and the
 * files for exactly those. When nothing is left, the files still describe the whole plan.
 */
export function planBuild(plan: Plan, present: ReadonlyMap<string, string>): BuildStep {
  const images = plan.images.filter((image) => !present.has(image.ref));
  const versions = images.length ? images.map((image) => image.k8sVersion) : plan.k8sVersions;
  return { images, files: checkoutFiles(plan.files, versions) };
}

/** k8s_version.json, or on tags before it (v4.4.2-v4.4.8) the Earthfile's BUILD lines. */
function k8sVersionLists(files: CanvosFiles, tag: string): Record<string, string[]> {
  if (!files.k8sVersionJson) {
    const lists = readBuildLineVersions(files.earthfile);
    if (Object.keys(lists).length) return lists;
    throw new ActionError(`CanvOS ${tag} has no k8s_version.json`);
  }
  try {
    return parseK8sVersionJson(files.k8sVersionJson);
  } catch (error) {
    throw new ActionError(
      `k8s_version.json at CanvOS ${tag} is not valid: ${(error as Error).message}`,
    );
  }
}

function buildArg(inputs: Inputs, key: string): string | undefined {
  return inputs.buildArgs.find(([k]) => k === key)?.[1];
}

function imagePlan(
  naming: ImageNaming,
  arch: string,
  canvosVersion: string,
  k8sVersion: string,
): ImagePlan {
  const { peVersion, customTag } = naming;
  const [host, ...path] = naming.registry.split('/');
  const imageTag = customTag ? `${peVersion}-${customTag}` : peVersion;
  const tag = `${naming.k8sDistribution}-${k8sVersion}-${imageTag}`;
  if (tag.length > MAX_TAG_LENGTH) {
    throw new InputError(
      'custom-tag',
      `makes the image tag ${tag.length} characters long; Docker allows ${MAX_TAG_LENGTH}`,
    );
  }
  if (!TAG.test(tag)) {
    throw new InputError(
      'build-args',
      `PE_VERSION ${JSON.stringify(peVersion)} makes an invalid Docker tag ${JSON.stringify(tag)}`,
    );
  }
  const repository = [...path, naming.repo].join('/');
  return {
    ref: `${host}/${repository}:${tag}`,
    registry: host,
    repository,
    tag,
    k8sDistribution: naming.k8sDistribution,
    k8sVersion,
    os: naming.os,
    osVersion: naming.osVersion,
    arch,
    canvosVersion,
    peVersion,
  };
}

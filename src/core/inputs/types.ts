/** The workflow's inputs once checked: the types every other module takes its settings from. */

export const K8S_DISTRIBUTIONS = [
  'k3s',
  'kubeadm',
  'kubeadm-fips',
  'rke2',
  'nodeadm',
  'canonical',
] as const;
export type K8sDistribution = (typeof K8S_DISTRIBUTIONS)[number];
export type Arch = 'amd64' | 'arm64';
export type EarthlyDistribution = 'earthly' | 'earthbuild';
export type DiskCheck = 'warn' | 'error' | 'off';
export type KeyValue = readonly [key: string, value: string];

/** Which Kubernetes versions the workflow asked for; resolved against the tag's k8s_version.json later. */
export type K8sVersionRequest =
  { kind: 'all' } | { kind: 'latest' } | { kind: 'list'; items: string[] }; // each `x.y.z`, or `x.y` meaning its newest patch

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface Inputs {
  canvos: {
    version: string; // 'latest', an exact tag, or a semver range
    prerelease: boolean;
    repository: string; // a full git URL
    path?: string;
    token?: string;
  };
  imageRegistry: string;
  imageRepo?: string;
  customTag: string;
  osDistribution: string;
  osVersion: string;
  k8sDistribution: K8sDistribution;
  k8sVersion: K8sVersionRequest;
  arch: Arch;
  twoNode: boolean;
  updateKernel: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  proxyCaCerts: string[]; // PEM certificates
  signingPublicKey?: string; // PEM
  buildArgs: KeyValue[];
  secrets: KeyValue[];
  earthly: {
    version: string; // 'auto' or 'vX.Y.Z'
    distribution: EarthlyDistribution;
    downloadUrl?: string;
    sha256?: string;
    args: string[];
    config: KeyValue[]; // extra `global:` settings for Earthly's config
    buildkitImage?: string;
    buildkitHost?: string;
    remoteCache?: string;
  };
  push: boolean;
  skipExisting: boolean;
  registryAuth?: RegistryCredentials;
  diskCheck: DiskCheck;
  dryRun: boolean;
  summary: boolean; // write the job summary
  notices: string[]; // what the action changed in the inputs, e.g. a lowercased owner
}

/** What the runner tells us besides the inputs. */
export interface RunnerContext {
  runnerArch?: string; // RUNNER_ARCH: X64, ARM64, ...
  serverUrl: string; // GITHUB_SERVER_URL
  workspace: string; // GITHUB_WORKSPACE, for relative paths
  runnerTemp: string; // RUNNER_TEMP: with the workspace, the only place file inputs may be read
  realPath(path: string): string; // with every symbolic link resolved; throws when missing
  readFile(path: string): string; // throws when unreadable
  isDirectory(path: string): boolean;
}

export const DEFAULT_CANVOS_REPOSITORY = 'https://github.com/spectrocloud/CanvOS.git';

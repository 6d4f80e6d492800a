/**
 * The files that make CanvOS build exactly the planned images: `.arg` (inputs first, then
 * build-args), proxy CA certificates, the signed-content config, and for several versions a
 * trimmed `k8s_version.json` with K8S_VERSION left out, so one Earthly run builds them all.
 */
import { InputError } from '../errors.js';
import {
  type CanvosFiles,
  certsLayout,
  parseK8sVersionJson,
  readEdgeCustomConfig,
  secretIsBuildArg,
} from './canvos-source.js';
import type { Inputs, KeyValue } from './inputs/types.js';

/** A file to write into the checkout, relative to its root. */
export interface CheckoutFile {
  path: string;
  content: string;
}

/** Everything the build files hold except which Kubernetes versions: that comes last. */
export interface BuildFilesPlan {
  distribution: string;
  /** `.arg` entries before K8S_VERSION (the image's identity). */
  argsBefore: KeyValue[];
  /** `.arg` entries after it (proxies, file names, then the workflow's build-args). */
  argsAfter: KeyValue[];
  /** certs/, sc.crt, the signed-content config. */
  otherFiles: CheckoutFile[];
  /** The checkout's k8s_version.json, to trim when several versions are built at once. */
  k8sVersionLists: Record<string, string[]>;
  /** EDGE_CUSTOM_CONFIG as the workflow named it, if it did: it should exist in the checkout. */
  namedCustomConfig?: string;
}

/** Build args that must not be written to disk: proxy URLs with credentials (Earthly reads them from its environment). */
export function commandLineArgs(inputs: Inputs): KeyValue[] {
  return proxies(inputs).filter(([, url]) => hasCredentials(url));
}

export function buildFilesPlan(inputs: Inputs, files: CanvosFiles): BuildFilesPlan {
  const argsBefore: KeyValue[] = [
    ['CUSTOM_TAG', inputs.customTag],
    ['IMAGE_REGISTRY', inputs.imageRegistry],
    ['OS_DISTRIBUTION', inputs.osDistribution],
    ['IMAGE_REPO', inputs.imageRepo ?? inputs.osDistribution],
    ['OS_VERSION', inputs.osVersion],
    ['K8S_DISTRIBUTION', inputs.k8sDistribution],
    ['ARCH', inputs.arch],
    ['UPDATE_KERNEL', String(inputs.updateKernel)],
    ['TWO_NODE', String(inputs.twoNode)],
  ];
  const argsAfter = proxies(inputs).filter(([, url]) => !hasCredentials(url));
  if (inputs.noProxy) argsAfter.push(['NO_PROXY', inputs.noProxy]);
  const otherFiles: CheckoutFile[] = [];

  if (inputs.proxyCaCerts.length) {
    if (certsLayout(files.earthfile) === 'sc-crt') {
      otherFiles.push({ path: 'sc.crt', content: `${inputs.proxyCaCerts.join('\n')}\n` });
      argsAfter.push(['PROXY_CERT_PATH', 'sc.crt']);
    } else {
      inputs.proxyCaCerts.forEach((cert, i) =>
        otherFiles.push({ path: `certs/proxy-ca-${i + 1}.crt`, content: `${cert}\n` }),
      );
    }
  }

  // From CanvOS v4.10.0 the key is an Earthly secret, read only when UBUNTU_PRO_ATTACH=true.
  const proKey = inputs.secrets.some(([key]) => key === 'UBUNTU_PRO_KEY');
  if (proKey && /^\s*ARG\s+UBUNTU_PRO_ATTACH\b/m.test(files.earthfile)) {
    if (!secretIsBuildArg(files.earthfile, 'UBUNTU_PRO_KEY'))
      argsAfter.push(['UBUNTU_PRO_ATTACH', 'true']);
  }

  const namedCustomConfig = inputs.buildArgs.find(([key]) => key === 'EDGE_CUSTOM_CONFIG')?.[1];
  if (inputs.signingPublicKey) {
    const name = namedCustomConfig ?? readEdgeCustomConfig(files.earthfile);
    if (name.startsWith('/') || name.split('/').includes('..')) {
      throw new InputError(
        'build-args',
        'EDGE_CUSTOM_CONFIG must be a relative path inside the CanvOS checkout',
      );
    }
    otherFiles.push({ path: name, content: signingConfig(inputs.signingPublicKey) });
    if (!namedCustomConfig) argsAfter.push(['EDGE_CUSTOM_CONFIG', name]);
  }
  argsAfter.push(...inputs.buildArgs);

  return {
    distribution: inputs.k8sDistribution,
    argsBefore,
    argsAfter,
    otherFiles,
    k8sVersionLists: parseK8sVersionJson(files.k8sVersionJson ?? '{}'),
    namedCustomConfig,
  };
}

/** The files for building `versions`: one version goes in `.arg`, several in a trimmed list. */
export function checkoutFiles(plan: BuildFilesPlan, versions: string[]): CheckoutFile[] {
  const one = versions.length === 1;
  const args = [...plan.argsBefore, ...(one ? [['K8S_VERSION', versions[0]] as const] : [])];
  const files: CheckoutFile[] = [
    { path: '.arg', content: renderArgFile([...args, ...plan.argsAfter]) },
  ];
  if (!one) {
    const lists = { ...plan.k8sVersionLists, [plan.distribution]: versions };
    files.push({ path: 'k8s_version.json', content: `${JSON.stringify(lists, null, 2)}\n` });
  }
  return [...files, ...plan.otherFiles];
}

function proxies(inputs: Inputs): KeyValue[] {
  const urls: [string, string | undefined][] = [
    ['HTTP_PROXY', inputs.httpProxy],
    ['HTTPS_PROXY', inputs.httpsProxy],
  ];
  return urls.filter((entry): entry is [string, string] => Boolean(entry[1]));
}

function hasCredentials(url: string): boolean {
  const parsed = new URL(url);
  return parsed.username !== '' || parsed.password !== '';
}

/** The YAML CanvOS copies into the image for signed content. */
export function signingConfig(publicKeyPem: string): string {
  const encoded = Buffer.from(`${publicKeyPem}\n`).toString('base64');
  return [
    'content:',
    '  signing:',
    '    publicKey:',
    `      base64EncodedValue: ${encoded}`,
    '',
  ].join('\n');
}

/**
 * `.arg` is read by Earthly (godotenv) and sourced by bash in CanvOS's wrapper: plain values stay
 * bare, anything else is single-quoted, which both read literally (no `$` or backtick expansion).
 */
export function renderArgFile(entries: readonly KeyValue[]): string {
  const lines = ['# Written by the CanvOS provider images action: inputs first, then build-args.'];
  for (const [key, value] of entries) {
    if (value.includes("'") || /[\r\n]/.test(value) || value.endsWith('\\')) {
      throw new Error(`unsafe .arg value for ${key}`);
    }
    lines.push(/^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? `${key}=${value}` : `${key}='${value}'`);
  }
  return `${lines.join('\n')}\n`;
}

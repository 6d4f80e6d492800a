import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_CANVOS_REPOSITORY, type Inputs } from '../../src/core/inputs/types.js';
import {
  type CanvosCheckout,
  type PlanContext,
  makePlan as makePlanIn,
} from '../../src/core/plan.js';
import { InputError } from '../../src/errors.js';

/** Runs fn and returns the InputError it throws; anything else fails the test. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

// --- A plan's ingredients, shared by the core's tests ------------------------------------

export const PLAN_CONTEXT: PlanContext = {
  runnerArch: 'amd64',
  tempDir: '/tmp/canvos-action-test',
};
/** makePlan on an amd64 runner with a fixed temporary folder. */
export const makePlan = (i: Inputs, checkout: CanvosCheckout) =>
  makePlanIn(i, checkout, PLAN_CONTEXT);

export const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

export const K8S_V4_10 = fixture('k8s_version.v4.10.0-rc.10.json'); // identical to v4.10.0's
export const K8S_V4_4_12 = fixture('k8s_version.v4.4.12.json');
export const [CERT_1, CERT_2] = fixture('proxy-ca-certs.pem').match(
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
)!;
export const PUBLIC_KEY = (
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string
).trim();
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** A checkout like CanvOS v4.10.0: its Earthfile says PE_VERSION=v4.9.21 and copies certs/. */
export function checkoutV4_10(files: Partial<CanvosCheckout['files']> = {}): CanvosCheckout {
  return {
    tag: 'v4.10.0',
    commit: COMMIT,
    path: '/tmp/canvos',
    files: {
      earthfile: `${fixture('Earthfile.v4.10.0.head.txt')}\nbase-image:\n    COPY --if-exists certs/ /etc/ssl/certs/\n`,
      earthlySh: fixture('earthly.sh.v4.10.0.excerpt.txt'),
      k8sVersionJson: K8S_V4_10,
      ...files,
    },
  };
}

/** A checkout like CanvOS v4.4.12: one sc.crt named by PROXY_CERT_PATH, Earthly v0.8.5. */
export function checkoutV4_4_12(): CanvosCheckout {
  return {
    tag: 'v4.4.12',
    commit: COMMIT,
    path: '/tmp/canvos',
    files: {
      earthfile: fixture('Earthfile.v4.4.12.head.txt'),
      earthlySh: fixture('earthly.sh.v4.4.12.excerpt.txt'),
      k8sVersionJson: K8S_V4_4_12,
    },
  };
}

/** Inputs as parsed from a typical workflow: ghcr.io/acme, k3s 1.32.3, custom tag demo. */
export function inputs(
  overrides: Partial<Inputs> = {},
  earthly: Partial<Inputs['earthly']> = {},
): Inputs {
  const base: Inputs = {
    canvos: { version: 'latest', prerelease: false, repository: DEFAULT_CANVOS_REPOSITORY },
    imageRegistry: 'ghcr.io/acme',
    customTag: 'demo',
    osDistribution: 'ubuntu',
    osVersion: '22.04',
    k8sDistribution: 'k3s',
    k8sVersion: { kind: 'list', items: ['1.32.3'] },
    arch: 'amd64',
    twoNode: false,
    updateKernel: false,
    proxyCaCerts: [],
    buildArgs: [],
    secrets: [],
    earthly: { version: 'auto', distribution: 'earthly', args: [], config: [] },
    push: true,
    skipExisting: false,
    diskCheck: 'warn',
    dryRun: false,
    summary: true,
    notices: [],
  };
  return { ...base, ...overrides, earthly: { ...base.earthly, ...earthly } };
}

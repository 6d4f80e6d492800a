// Getting CanvOS for real: clones from the harness's git server, and a workflow's own checkout on
// disk with the build files written into it and what to put back recorded for the post step.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cloneCanvos,
  readCanvosFiles,
  useCheckout,
  writeCheckoutFiles,
} from '../../../src/canvos/checkout.js';
import { planBuild } from '../../../src/core/plan.js';
import { ActionError } from '../../../src/errors.js';
import { State } from '../../../src/state.js';
import { HARNESS_GITHUB_TOKEN, gitClone, parseCommandFile } from '../../harness/index.js';
import { useCanvosGit } from '../../harness/suite.js';
import { CERT_1, captureStdout, inputs, makePlan, rejection, useSandbox } from '../support.js';

const server = useCanvosGit();
const sandbox = useSandbox('checkout-test-', (dir) => ({
  HOME: dir,
  GIT_CONFIG_NOSYSTEM: '1',
  GITHUB_SERVER_URL: undefined,
  GITHUB_STATE: join(dir, 'state'),
}));
const source = (version: string, extra = {}) => ({
  repository: server.canvos.url,
  version,
  prerelease: false,
  ...extra,
});

describe('cloneCanvos', () => {
  it('resolves a range to a tag, tells onTag before cloning, and reads the three files', async () => {
    const heard: string[] = [];
    const checkout = await cloneCanvos(source('~4.9'), sandbox.dir, (tag) => {
      heard.push(tag);
      expect(existsSync(join(sandbox.dir, 'canvos'))).toBe(false); // not cloned yet
    });
    expect(heard).toEqual(['v4.9.40']);
    expect(checkout).toMatchObject({
      tag: 'v4.9.40',
      commit: server.canvos.tags['v4.9.40'].commit,
      path: join(sandbox.dir, 'canvos'),
      repository: server.canvos.url,
    });
    expect(checkout.files.earthfile).toContain('ARG PE_VERSION=v4.9.40');
    expect(checkout.files.earthlySh).toContain('EARTHLY_VERSION=v0.8.15');
    expect(JSON.parse(checkout.files.k8sVersionJson ?? '')).toHaveProperty('k3s');
  });

  it('clones an exact tag without listing the tags first', async () => {
    const listingsBefore = server.git.listings().length;
    const checkout = await cloneCanvos(source('v4.10.0'), sandbox.dir);
    expect(checkout.tag).toBe('v4.10.0');
    // One ref advertisement: the clone's own.
    expect(server.git.listings().length - listingsBefore).toBe(1);
  });

  it('sends the github-token to a private repository on the workflow’s server only', async () => {
    const privately = source('v4.9.38', {
      repository: server.canvos.privateUrl,
      token: HARNESS_GITHUB_TOKEN,
    });
    // github.com's token is not for this server: git gets no credentials and fails.
    const error = await rejection(cloneCanvos(privately, join(sandbox.dir, 'a')));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).not.toContain(HARNESS_GITHUB_TOKEN);
    process.env.GITHUB_SERVER_URL = server.git.baseUrl;
    const checkout = await cloneCanvos(privately, join(sandbox.dir, 'b'));
    expect(checkout.commit).toBe(server.canvos.tags['v4.9.38'].commit);
  });
});

describe('useCheckout and readCanvosFiles', () => {
  it('describes a workflow’s own checkout by its tag and commit', async () => {
    const dir = join(sandbox.dir, 'own');
    await gitClone(server.canvos.url, 'v4.4.12', dir);
    const checkout = await useCheckout(dir);
    expect(checkout).toMatchObject({
      tag: 'v4.4.12',
      commit: server.canvos.tags['v4.4.12'].commit,
      path: dir,
    });
    expect(checkout.repository).toBeUndefined();
  });

  it('takes a folder that is not a git checkout as it is', async () => {
    const dir = join(sandbox.dir, 'copied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Earthfile'), 'VERSION 0.6\n');
    await expect(useCheckout(dir)).resolves.toEqual({
      tag: 'local checkout',
      commit: '',
      path: dir,
      files: { earthfile: 'VERSION 0.6\n', earthlySh: undefined, k8sVersionJson: undefined },
    });
  });

  it('a folder without an Earthfile is not CanvOS', async () => {
    await expect(readCanvosFiles(sandbox.dir)).rejects.toThrow(
      new ActionError(`${sandbox.dir} has no Earthfile: is it a CanvOS checkout?`),
    );
  });
});

describe('writeCheckoutFiles', () => {
  /** A workflow's own checkout of v4.9.38 with an .arg of its own, planned with certificates. */
  async function ownCheckout(buildArgs: [string, string][] = []) {
    const dir = join(sandbox.dir, 'workspace', 'CanvOS');
    await gitClone(server.canvos.url, 'v4.9.38', dir);
    writeFileSync(join(dir, '.arg'), 'CUSTOM_TAG=mine\n');
    const checkout = await useCheckout(dir);
    const plan = makePlan(inputs({ proxyCaCerts: [CERT_1], buildArgs }), checkout);
    const temp = join(sandbox.dir, 'temp');
    mkdirSync(temp);
    writeFileSync(join(sandbox.dir, 'state'), '');
    return { dir, plan, temp };
  }
  const savedRestore = () =>
    JSON.parse(
      parseCommandFile(readFileSync(join(sandbox.dir, 'state'), 'utf8'))[State.restore],
    ) as unknown;

  it('backs up what it overwrites and records what it creates, for the post step', async () => {
    captureStdout();
    const { dir, plan, temp } = await ownCheckout();
    const { files } = planBuild(plan, new Map());
    await writeCheckoutFiles(plan, files, temp);

    expect(readFileSync(join(dir, '.arg'), 'utf8')).toContain('IMAGE_REGISTRY=ghcr.io/acme');
    expect(readFileSync(join(temp, 'backup-0'), 'utf8')).toBe('CUSTOM_TAG=mine\n');
    const certPath = files.find((f) => f.path.startsWith('certs/'))!.path;
    expect(readFileSync(join(dir, certPath), 'utf8')).toContain(CERT_1);
    expect(savedRestore()).toEqual([
      { path: join(dir, '.arg'), backup: join(temp, 'backup-0') },
      { path: join(dir, certPath) },
      { path: join(dir, 'certs'), directory: true },
    ]);
  });

  it('records nothing in a checkout it cloned itself, and warns about a missing custom config', async () => {
    const printed = captureStdout();
    const checkout = await cloneCanvos(source('v4.9.38'), sandbox.dir);
    const plan = makePlan(
      inputs({ buildArgs: [['EDGE_CUSTOM_CONFIG', 'missing.yaml']] }),
      checkout,
    );
    writeFileSync(join(sandbox.dir, 'state'), '');
    await writeCheckoutFiles(plan, planBuild(plan, new Map()).files, sandbox.dir);
    expect(existsSync(join(checkout.path, '.arg'))).toBe(true);
    expect(readFileSync(join(sandbox.dir, 'state'), 'utf8')).toBe('');
    expect(printed).toContain(
      '::warning::EDGE_CUSTOM_CONFIG names missing.yaml, which is not in the CanvOS checkout: the image gets no custom config',
    );
  });
});

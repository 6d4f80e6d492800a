// 6. The post step: logs out only what the main step logged in to (no login, no logout; a login
// made before the job survives), removes what the main step created (a workflow's own checkout
// ends up exactly as it was, the temporary folder goes), can run twice, and never fails the job
// for a cleanup problem: it warns and carries on with the rest.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../harness/index.js';
import { readShimLog } from '../harness/shims.js';
import { type Job, buildInputs, runMain, useSuite, stepEnv } from './support.js';

const s = useSuite();
const mounts: string[] = [];
// Runs before the suite stops (afterAll hooks run in reverse order): a mounted dir blocks removal.
afterAll(() => {
  for (const dir of mounts) execFileSync('umount', [dir], { stdio: 'ignore' });
});

const PEM = readFileSync(new URL('../fixtures/proxy-ca-certs.pem', import.meta.url), 'utf8');
const SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

function dockerConfig(workDir: string): { auths?: Record<string, unknown> } {
  const file = join(workDir, 'home', '.docker', 'config.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> })
    : {};
}

function writeDockerConfig(workDir: string, auths: Record<string, { auth: string }>): void {
  mkdirSync(join(workDir, 'home', '.docker'), { recursive: true });
  writeFileSync(
    join(workDir, 'home', '.docker', 'config.json'),
    JSON.stringify({ auths }, null, 2),
  );
}

const basicAuth = (user: string, password: string) => ({
  auth: Buffer.from(`${user}:${password}`).toString('base64'),
});

const logouts = (job: Job) =>
  (job.post?.calls ?? [])
    .filter((c) => c.name === 'docker' && c.argv[0] === 'logout')
    .map((c) => c.argv[1]);

/** Every file and folder under `dir` (without .git), with file contents: a tree to compare. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const rel = relative(dir, path);
      if (rel === '.git') continue;
      if (lstatSync(path).isDirectory()) {
        out[`${rel}/`] = '(dir)';
        walk(path);
      } else out[rel] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** A folder the post step cannot write to, even as root: a tmpfs remounted read-only. */
function readOnlyDir(prepare: (dir: string) => void, parent = s.h.workDir): string {
  const dir = mkdtempSync(join(parent, 'ro-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  mounts.push(dir);
  prepare(dir);
  execFileSync('mount', ['-o', 'remount,ro', dir]);
  return dir;
}

/** A job folder for postOnly(), and a temporary folder where the main step makes its own. */
function postJob(): { workDir: string; temp: string } {
  const workDir = s.h.jobDir('post-only');
  mkdirSync(join(workDir, 'runner-temp'), { recursive: true });
  return { workDir, temp: mkdtempSync(join(workDir, 'runner-temp', 'canvos-action-')) };
}

/** The post step alone, with the state a main step would have left. */
async function postOnly(
  state: Record<string, string>,
  env: Record<string, string | undefined> = {},
  workDir = s.h.jobDir('post-only'),
) {
  const log = join(workDir, 'shim-log', 'post');
  const result = await runAction({
    inputs: {},
    workDir,
    step: 'post',
    state,
    env: stepEnv(s, log, env),
  });
  return { workDir, result, calls: readShimLog(log) };
}

describe('6. post step', () => {
  describe('logs out only what the main step logged in to', () => {
    it('no login in the main step: no logout', async () => {
      const job = await runMain(s, {
        name: 'no-login',
        inputs: buildInputs(s.h, {
          push: 'false',
          'registry-username': '',
          'registry-password': '',
        }),
      });
      expect(job.main.result.code).toBe(0);
      expect(job.main.result.state['registry-host']).toBe('');
      const post = await job.runPost();
      expect(post.result.code).toBe(0);
      expect(post.result.warnings).toEqual([]);
      expect(logouts(job)).toEqual([]);
      expect(post.result.stdout).not.toMatch(/Logged out/);
    });

    it('a login to another host made before the job survives; the action’s own login goes', async () => {
      const workDir = s.h.jobDir('other-login');
      writeDockerConfig(workDir, { 'other.example.com': basicAuth('someone', 'elsewhere') });
      const before = dockerConfig(workDir).auths!['other.example.com'];
      const job = await runMain(s, { workDir, inputs: buildInputs(s.h) });
      expect(job.main.result.code).toBe(0);
      expect(Object.keys(dockerConfig(workDir).auths ?? {}).sort()).toEqual(
        [s.h.registry.host, 'other.example.com'].sort(),
      );
      await job.runPost();
      expect(job.post!.result.code).toBe(0);
      expect(logouts(job)).toEqual([s.h.registry.host]);
      expect(dockerConfig(workDir).auths).toEqual({ 'other.example.com': before });
    });

    it('a login to the same registry made before the job (docker/login-action) is used and survives', async () => {
      const workDir = s.h.jobDir('earlier-login');
      writeDockerConfig(workDir, {
        [s.h.registry.host]: basicAuth(s.h.registry.username, s.h.registry.password),
      });
      const job = await runMain(s, {
        workDir,
        inputs: buildInputs(s.h, {
          'registry-username': '',
          'registry-password': '',
          'custom-tag': 'earlier-login',
        }),
      });
      expect(job.main.result.errors).toEqual([]);
      expect(job.main.calls.filter((c) => c.name === 'docker' && c.argv[0] === 'login')).toEqual(
        [],
      );
      expect(job.main.result.outputs.digests).toMatch(/@sha256:/); // pushed with the earlier login
      await job.runPost();
      expect(job.post!.result.code).toBe(0);
      expect(logouts(job)).toEqual([]);
      expect(Object.keys(dockerConfig(workDir).auths ?? {})).toEqual([s.h.registry.host]);
    });
  });

  describe('removes what it created, and can run twice', () => {
    it('a workflow’s own checkout ends exactly as it was; the temporary folder goes; twice is harmless', async () => {
      const workDir = s.h.jobDir('own-checkout');
      const checkout = join(workDir, 'workspace', 'CanvOS');
      await s.h.clone('v4.9.38', { dest: checkout });
      writeFileSync(join(checkout, '.arg'), '# the workflow’s own .arg\nCUSTOM_TAG=mine\n');
      const before = snapshot(checkout);
      const job = await runMain(s, {
        workDir,
        inputs: buildInputs(s.h, {
          'canvos-path': 'CanvOS',
          'k8s-version': '1.32,1.31', // several versions: a trimmed k8s_version.json
          'proxy-ca-certs': PEM, // certs/proxy-ca-1.crt
          'signing-public-key': SIGNING_KEY, // .edge-custom-config.yaml
          push: 'false',
        }),
      });
      expect(job.main.result.errors).toEqual([]);
      const during = snapshot(checkout);
      expect(during['.arg']).not.toBe(before['.arg']);
      for (const path of ['certs/', 'certs/proxy-ca-1.crt', '.edge-custom-config.yaml'])
        expect(during).toHaveProperty([path]);
      expect(during['k8s_version.json']).not.toBe(before['k8s_version.json']);

      for (const round of [1, 2]) {
        const post = await job.runPost();
        expect(post.result.code, `post run ${round}`).toBe(0);
        expect(post.result.warnings, `post run ${round}`).toEqual([]);
        expect(snapshot(checkout), `post run ${round}`).toEqual(before);
        expect(readdirSync(join(workDir, 'runner-temp')), `post run ${round}`).toEqual([]);
        expect(dockerConfig(workDir).auths ?? {}, `post run ${round}`).toEqual({});
      }
    });
  });

  describe('never fails the job for a cleanup problem', () => {
    it('a file it cannot restore: a warning naming it, exit 0, and the rest still cleaned', async () => {
      const { workDir, temp } = postJob();
      const checkout = mkdtempSync(join(workDir, 'checkout-'));
      const ro = readOnlyDir(
        (dir) => writeFileSync(join(dir, '.arg'), 'CUSTOM_TAG=changed\n'),
        checkout,
      );
      writeFileSync(join(temp, 'backup-0'), 'CUSTOM_TAG=original\n');
      writeFileSync(join(checkout, 'new-file'), 'written by main\n');
      writeFileSync(join(temp, 'earthly-config.yml'), 'global: {}\n');
      const { result } = await postOnly(
        {
          checkout,
          restore: JSON.stringify([
            { path: join(ro, '.arg'), backup: join(temp, 'backup-0') },
            { path: join(checkout, 'new-file') },
          ]),
          'temp-dir': temp,
        },
        {},
        workDir,
      );
      expect(result.code).toBe(0);
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        expect.stringMatching(new RegExp(`^Could not restore ${join(ro, '.arg')}: EROFS`)),
      ]);
      expect(existsSync(join(checkout, 'new-file'))).toBe(false);
      expect(existsSync(temp)).toBe(false);
    });

    it('a temporary folder it cannot remove: a warning, exit 0', async () => {
      const ro = readOnlyDir((dir) => {
        mkdirSync(join(dir, 'canvos-action-Xy12ab'));
        writeFileSync(join(dir, 'canvos-action-Xy12ab', 'earthly-config.yml'), 'global: {}\n');
      });
      const { result } = await postOnly(
        { 'temp-dir': join(ro, 'canvos-action-Xy12ab') },
        { RUNNER_TEMP: ro },
      );
      expect(result.code).toBe(0);
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        expect.stringMatching(/^Could not remove .*canvos-action-Xy12ab: EROFS/),
      ]);
    });

    it('a logout that fails: a warning, exit 0, and the rest still cleaned', async () => {
      const host = s.h.registry.host;
      const config = readOnlyDir((dir) =>
        writeFileSync(
          join(dir, 'config.json'),
          JSON.stringify({ auths: { [host]: basicAuth('u', 'p') } }),
        ),
      );
      const { workDir, temp } = postJob();
      const { result, calls } = await postOnly(
        { 'registry-host': host, 'temp-dir': temp },
        { DOCKER_CONFIG: config },
        workDir,
      );
      expect(result.code).toBe(0);
      expect(result.errors).toEqual([]);
      expect(calls.map((c) => c.argv)).toEqual([['logout', host]]);
      expect(result.warnings).toEqual([
        expect.stringMatching(new RegExp(`^docker logout ${host} failed: `)),
      ]);
      expect(existsSync(temp)).toBe(false);
    });

    it('no docker on PATH: a warning, exit 0, and the rest still cleaned', async () => {
      const { workDir, temp } = postJob();
      const { result } = await postOnly(
        { 'registry-host': s.h.registry.host, 'temp-dir': temp },
        { PATH: '/nonexistent-bin' },
        workDir,
      );
      expect(result.code).toBe(0);
      expect(result.warnings).toEqual([expect.stringMatching(/^docker logout .* failed: /)]);
      expect(existsSync(temp)).toBe(false);
    });

    it('a damaged restore list: a warning, exit 0, and the temporary folder still removed', async () => {
      const { workDir, temp } = postJob();
      const { result } = await postOnly(
        { checkout: workDir, restore: '[{"path": ', 'temp-dir': temp },
        {},
        workDir,
      );
      expect(result.code).toBe(0);
      expect(result.errors).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(existsSync(temp)).toBe(false);
    });

    it('after a main step that stopped at its inputs: nothing to do, no warning', async () => {
      const job = await runMain(s, {
        name: 'bad-then-post',
        inputs: buildInputs(s.h, { push: 'maybe' }),
      });
      expect(job.main.result.code).toBe(1);
      const post = await job.runPost();
      expect(post.result.code).toBe(0);
      expect(post.result.warnings).toEqual([]);
      expect(post.calls).toEqual([]);
    });
  });
});

// 7. Hardening: each attack an adversarial review found (issue 12), performed against dist/ on the
// harness: a replaced binary in a shared tool cache, a git server that redirects a token-bearing
// clone elsewhere, credentials in a mirror URL, a symlinked checkout, YAML line breaks in
// earthly-config, a job environment that forges the post step's state, file inputs that point
// outside the workspace, a docker login cut short, and secret names that change how programs start.
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY, closeServer, listen, runAction } from '../harness/index.js';
import {
  type Suite,
  STEP_TAG,
  buildInputs,
  errorLines,
  pidsWithEnv,
  runMain,
  shown,
  stepEnv,
  useSuite,
} from './support.js';

const s: Suite = useSuite();

const PEM = readFileSync(new URL('../fixtures/proxy-ca-certs.pem', import.meta.url), 'utf8');
const KEYS = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_KEY = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_KEY = KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A clone of v4.9.38 inside the job's workspace, as actions/checkout leaves one. */
async function ownCheckout(workDir: string): Promise<string> {
  const checkout = join(workDir, 'workspace', 'CanvOS');
  await s.h.clone('v4.9.38', { dest: checkout });
  return checkout;
}

/** The step failed with exactly one error, which starts with `prefix`. */
function failedWithOne(result: { code: number | null; stdout: string; errors: string[] }) {
  expect(errorLines(result as never), result.stdout).toHaveLength(1);
  expect(result.code).toBe(1);
  return result.errors[0];
}

describe('7. hardening', () => {
  // src/earthly/tool-cache.ts; SECURITY.md: "checked before it is cached or run".
  it('1. a cached binary replaced with the same size and mtime is hashed, refused and replaced', async () => {
    const workDir = s.h.jobDir('cache-swap');
    const inputs = buildInputs(s.h, {
      push: 'false',
      'earthly-version': 'v0.8.15',
      'earthly-sha256': s.h.releases.assetSha256('earthly', 'v0.8.15', 'amd64'),
    });
    const first = await runMain(s, { workDir, inputs });
    expect(first.main.result.errors).toEqual([]);
    const binary = join(workDir, 'tool-cache', 'earthly', '0.8.15', 'x64', 'earthly');
    const { size, atime, mtime } = statSync(binary);
    const marker = join(s.markerDir, 'cache-swap');
    const evil = `#!/bin/sh\necho swapped > ${marker}\nexit 0\n`;
    writeFileSync(binary, evil.padEnd(size, '#'));
    utimesSync(binary, atime, mtime);
    expect(statSync(binary).size).toBe(size);
    // Whoever can write the cache can rewrite any size/mtime record kept beside the binary too.
    const record = join(binary, '..', '.stat');
    if (existsSync(record)) writeFileSync(record, `${size} ${statSync(binary).mtimeMs}`);

    const downloads = s.h.releases.downloads().length;
    const second = await runMain(s, { workDir, inputs });
    expect(existsSync(marker)).toBe(false);
    expect(second.main.result.errors).toEqual([]);
    expect(shown(second.main.result)).toMatch(/no longer matches its recorded sha256/);
    expect(s.h.releases.downloads().length).toBe(downloads + 1);
    await second.runPost();
  });

  // git's http.c: http.followRedirects=false makes every redirect an error ("initial", the
  // default, follows the first request's redirect and sends the extra header to the new base).
  it('2. a github-token never follows a redirect to another origin', async () => {
    const git = s.h.git.baseUrl;
    // The workflow's server sends the clone to another origin that serves it without auth; git
    // then makes its later requests (the POST of upload-pack) there, with the extra header.
    const redirector: Server = createServer((req, res) => {
      const elsewhere = (req.url ?? '/').replace('/private/', '/spectrocloud/');
      res.writeHead(302, { location: `${git}${elsewhere}` }).end();
    });
    const port = await listen(redirector);
    try {
      const server = `http://127.0.0.1:${port}`;
      const before = s.h.git.requests.length;
      const job = await runMain(s, {
        name: 'redirect',
        inputs: buildInputs(s.h, { 'canvos-repository': `${server}/private/CanvOS.git` }),
        env: { GITHUB_SERVER_URL: server },
      });
      const seen = s.h.git.requests.slice(before);
      expect(seen.filter((request) => request.authorization)).toEqual([]);
      expect(failedWithOne(job.main.result)).toMatch(/^Could not clone CanvOS v4\.9\.38 from /);
      await job.runPost();
    } finally {
      await closeServer(redirector);
    }
  });

  // tool-cache's downloadTool logs the URL with core.debug.
  it('5. credentials in earthly-download-url: user-info refused, query values masked', async () => {
    const refused = await runMain(s, {
      name: 'mirror-userinfo',
      inputs: buildInputs(s.h, {
        'earthly-download-url': s.h.releases.downloadUrlTemplate.replace(
          'http://',
          'http://mirror:S3cret-M1rror@',
        ),
      }),
    });
    expect(failedWithOne(refused.main.result)).toMatch(
      /^earthly-download-url: must not contain credentials/,
    );
    expect(refused.main.result.stdout).not.toContain('S3cret-M1rror');

    const signed = 'Sig-0f9e8d7c6b5a';
    const job = await runMain(s, {
      name: 'mirror-query',
      inputs: buildInputs(s.h, {
        push: 'false',
        'earthly-download-url': `${s.h.releases.downloadUrlTemplate}?sig=${signed}`,
      }),
      env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' },
    });
    const lines = job.main.result.stdout.split('\n');
    const masked = lines.findIndex((line) => line === `::add-mask::${signed}`);
    expect(masked).toBeGreaterThanOrEqual(0);
    const firstUse = lines.findIndex(
      (line) => line.includes(signed) && !line.startsWith('::add-mask::'),
    );
    expect(firstUse === -1 || firstUse > masked).toBe(true);
    await job.runPost();
  });

  describe('6. a symlinked checkout: nothing read, written or restored outside it', () => {
    it('.arg linked to a file outside: refused, the file untouched', async () => {
      const workDir = s.h.jobDir('link-arg');
      const checkout = await ownCheckout(workDir);
      const victim = join(workDir, 'victim.sh');
      writeFileSync(victim, 'echo original\n');
      symlinkSync(victim, join(checkout, '.arg'));
      const job = await runMain(s, {
        workDir,
        inputs: buildInputs(s.h, { 'canvos-path': 'CanvOS', push: 'false' }),
      });
      expect(failedWithOne(job.main.result)).toMatch(/\.arg is a symbolic link/);
      expect(readFileSync(victim, 'utf8')).toBe('echo original\n');
      await job.runPost();
      expect(readFileSync(victim, 'utf8')).toBe('echo original\n');
    });

    it('certs/ linked to a folder outside: refused, nothing written there', async () => {
      const workDir = s.h.jobDir('link-certs');
      const checkout = await ownCheckout(workDir);
      const outside = join(workDir, 'outside');
      mkdirSync(outside);
      symlinkSync(outside, join(checkout, 'certs'));
      const job = await runMain(s, {
        workDir,
        inputs: buildInputs(s.h, { 'canvos-path': 'CanvOS', 'proxy-ca-certs': PEM }),
      });
      expect(failedWithOne(job.main.result)).toMatch(/certs is a symbolic link/);
      expect(readdirSync(outside)).toEqual([]);
      await job.runPost();
      expect(readdirSync(outside)).toEqual([]);
    });

    it.each(['k8s_version.json', 'earthly.sh', 'Earthfile'])(
      '%s linked to a secret file: refused, its content never echoed',
      async (name) => {
        const workDir = s.h.jobDir('link-read');
        const checkout = await ownCheckout(workDir);
        const secret = join(workDir, 'secret.txt');
        writeFileSync(secret, 'TOPSECRET-not-json\n');
        rmSync(join(checkout, name));
        symlinkSync(secret, join(checkout, name));
        const job = await runMain(s, {
          workDir,
          inputs: buildInputs(s.h, { 'canvos-path': 'CanvOS', 'dry-run': 'true' }),
        });
        const message = failedWithOne(job.main.result);
        expect(message).toContain(`${name} is a symbolic link`);
        expect(shown(job.main.result)).not.toMatch(/TOPSECRET/);
      },
    );
  });

  it('7. earthly-config: a NEL (U+0085) cannot add a global key', async () => {
    const workDir = s.h.jobDir('nel');
    const before = s.h.git.requests.length;
    const result = await runAction({
      workDir,
      inputs: buildInputs(s.h, {
        'earthly-config': 'tlsca: /ca.pem\u0085disable_analytics: false',
        'dry-run': 'true',
      }),
      env: s.h.env(),
    });
    expect(failedWithOne(result)).toBe(
      'earthly-config: allows printable ASCII only (no tabs or line-break characters)',
    );
    expect(s.h.git.requests.length).toBe(before); // nothing touched
  });

  describe('8. the post step cannot be forged from the job environment', () => {
    it('STATE_isPost and STATE_restore in the env do not turn the main step into a cleanup', async () => {
      const workDir = s.h.jobDir('forged-main');
      const victim = join(workDir, 'victim.txt');
      writeFileSync(victim, 'keep me\n');
      const result = await runAction({
        workDir,
        entry: DEFAULT_ENTRY, // the main step's script, as action.yml's runs.main names it
        inputs: { 'k8s-version': '1.32.3' }, // image-registry missing: the main step stops there
        env: {
          ...s.h.env(),
          STATE_isPost: 'true',
          STATE_restore: JSON.stringify([{ path: victim }]),
        },
      });
      expect(failedWithOne(result)).toMatch(/^image-registry: /);
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    });

    it('STATE_* in the env after a main step that failed early reach nothing', async () => {
      const workDir = s.h.jobDir('forged-post');
      const victim = join(workDir, 'victim-dir');
      mkdirSync(victim);
      writeFileSync(join(victim, 'file'), 'keep me\n');
      const forged = {
        'STATE_temp-dir': victim,
        STATE_restore: JSON.stringify([{ path: join(victim, 'file') }]),
        STATE_checkout: workDir,
      };
      const job = await runMain(s, {
        workDir,
        inputs: buildInputs(s.h, { push: 'maybe' }),
        env: forged,
      });
      expect(job.main.result.code).toBe(1);
      const post = await job.runPost({ env: forged });
      expect(post.result.code).toBe(0);
      expect(readFileSync(join(victim, 'file'), 'utf8')).toBe('keep me\n');
    });

    it('saved state outside RUNNER_TEMP and the checkout is refused, not deleted', async () => {
      const workDir = s.h.jobDir('bad-state');
      const checkout = await ownCheckout(workDir);
      const victim = join(workDir, 'victim-dir');
      mkdirSync(victim);
      writeFileSync(join(victim, 'file'), 'keep me\n');
      const log = join(workDir, 'shim-log', 'post');
      const result = await runAction({
        workDir,
        inputs: {},
        step: 'post',
        state: {
          'temp-dir': victim,
          checkout,
          restore: JSON.stringify([
            { path: join(victim, 'file') },
            { path: join(checkout, '..', 'victim-dir'), directory: true },
          ]),
        },
        env: stepEnv(s, log),
      });
      expect(result.code).toBe(0);
      expect(readFileSync(join(victim, 'file'), 'utf8')).toBe('keep me\n');
      expect(result.warnings.join('\n')).toMatch(/Not removing .*victim-dir/);
    });
  });

  describe('9. file inputs stay in the workspace and RUNNER_TEMP', () => {
    it.each([
      ['proxy-ca-certs', '/etc/ssl/certs/ca-certificates.crt'],
      ['signing-public-key', '/etc/hostname'],
      ['canvos-path', '/etc'],
    ])('%s: %s is refused before anything runs', async (input, path) => {
      const before = s.h.git.requests.length;
      const result = await runAction({
        workDir: s.h.jobDir('outside'),
        inputs: buildInputs(s.h, { [input]: path }),
        env: s.h.env(),
      });
      expect(failedWithOne(result)).toBe(
        `${input}: ${JSON.stringify(path)} is outside the workspace and RUNNER_TEMP`,
      );
      expect(s.h.git.requests.length).toBe(before);
    });

    it('a link in the workspace to a file outside is refused too', async () => {
      const workDir = s.h.jobDir('outside-link');
      const secret = join(workDir, 'id.pub');
      writeFileSync(secret, PUBLIC_KEY);
      mkdirSync(join(workDir, 'workspace'), { recursive: true });
      symlinkSync(secret, join(workDir, 'workspace', 'key.pub'));
      const result = await runAction({
        workDir,
        inputs: buildInputs(s.h, { 'signing-public-key': 'key.pub' }),
        env: s.h.env(),
      });
      expect(failedWithOne(result)).toBe(
        'signing-public-key: "key.pub" is outside the workspace and RUNNER_TEMP',
      );
    });

    it('a signing key file that also holds a private key never reaches the image', async () => {
      const workDir = s.h.jobDir('private-key');
      mkdirSync(join(workDir, 'workspace'), { recursive: true });
      writeFileSync(
        join(workDir, 'workspace', 'keys.pem'),
        `${PUBLIC_KEY}${PRIVATE_KEY}${PUBLIC_KEY}`,
      );
      const result = await runAction({
        workDir,
        inputs: buildInputs(s.h, { 'signing-public-key': 'keys.pem', 'dry-run': 'true' }),
        env: s.h.env(),
      });
      expect(failedWithOne(result)).toBe(
        'signing-public-key: holds a private key: give the public key only',
      );
      expect(readdirSync(join(workDir, 'runner-temp'))).toEqual([]);
    });
  });

  it('10a. a docker login cut short is still logged out by the post step', async () => {
    const workDir = s.h.jobDir('login-cut');
    const marker = join(workDir, 'logged-in');
    const slow = join(workDir, 'slow-docker');
    mkdirSync(slow);
    // docker that stores the credentials and then hangs (a slow credential helper, say).
    writeFileSync(
      join(slow, 'docker'),
      `#!/bin/sh\nif [ "$1" = login ]; then ${s.shims.real.docker} "$@" && touch ${marker} && exec sleep 60; fi\nexec ${s.shims.real.docker} "$@"\n`,
    );
    chmodSync(join(slow, 'docker'), 0o755);
    const tag = `login-cut-${Date.now()}`;
    const cancel = (async () => {
      const deadline = Date.now() + 60_000;
      while (!existsSync(marker) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      for (const pid of pidsWithEnv(STEP_TAG, tag, (argv) => argv.includes(DEFAULT_ENTRY)))
        process.kill(pid, 'SIGTERM');
    })();
    const job = await runMain(s, {
      workDir,
      inputs: buildInputs(s.h),
      env: { PATH: `${slow}:${s.shims.dir}:${process.env.PATH}`, [STEP_TAG]: tag },
    });
    await cancel;
    expect(existsSync(marker)).toBe(true);
    expect(job.main.result.code).not.toBe(0);
    const config = join(workDir, 'home', '.docker', 'config.json');
    const auths = () =>
      (JSON.parse(readFileSync(config, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {};
    expect(Object.keys(auths())).toEqual([s.h.registry.host]);
    const post = await job.runPost();
    expect(post.result.code).toBe(0);
    expect(auths()).toEqual({});
  });

  it('10b. a secret named NODE_OPTIONS (or LD_PRELOAD, GIT_*, …) is refused before anything runs', async () => {
    const workDir = s.h.jobDir('secret-names');
    const marker = join(s.markerDir, 'node-options');
    const hook = join(workDir, 'hook.cjs');
    writeFileSync(hook, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const job = await runMain(s, {
      workDir,
      inputs: buildInputs(s.h, { push: 'false', secrets: `NODE_OPTIONS=--require=${hook}` }),
    });
    expect(failedWithOne(job.main.result)).toBe(
      'secrets: NODE_OPTIONS is a reserved environment variable name',
    );
    expect(existsSync(marker)).toBe(false);
    for (const name of ['LD_PRELOAD', 'BASH_ENV', 'ENV', 'GIT_CONFIG_COUNT', 'GIT_SSH_COMMAND']) {
      const result = await runAction({
        workDir: s.h.jobDir('secret-name'),
        inputs: buildInputs(s.h, { secrets: `${name}=x` }),
        env: s.h.env(),
      });
      expect(failedWithOne(result)).toBe(
        `secrets: ${name} is a reserved environment variable name`,
      );
    }
  });
});

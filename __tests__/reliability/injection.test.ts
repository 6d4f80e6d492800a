// 2. Injection: every payload (command substitution, backticks, ; and |, line breaks that try to
// start a new key, values that look like flags, quote breaks, comments) in every input that takes
// free text. Each is either rejected by validation (one error line naming the input, nothing
// started) or accepted and provably inert, checked on what actually ran and was written:
// - no marker file anywhere (no shell ever ran the payload; `.arg` is also sourced by bash here,
//   as CanvOS's earthly.sh does);
// - `.arg`, read by its own grammar and by bash, holds exactly the intended keys, and the value
//   that carried the payload reads back verbatim;
// - Earthly's argv (the stand-in's log): everything before `+build-provider-images` is exactly
//   the intended option list, and after it only the intended build args;
// - every git and docker command (logged by PATH shims) matches its intended argument list.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type StandinInvocation } from '../harness/index.js';
import type { ShimCall } from '../harness/shims.js';
import {
  INJECTION_PAYLOADS,
  INJECTION_SLOTS,
  type InjectionContext,
  type InjectionSlot,
} from './corpus.js';
import {
  type Job,
  buildInputs,
  checkoutOf,
  errorLines,
  hasStackTrace,
  parseArgFile,
  runMain,
  sourceInBash,
  useSuite,
  walkFiles,
} from './support.js';

/** The BuildKit mirror CanvOS v4.9.38's earthly.sh names for its pinned Earthly v0.8.15. */
const MIRROR = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
const TARGET = '+build-provider-images';

const s = useSuite();
let ctx: InjectionContext;
let toolCache: string;
const outcomes: { slot: string; payload: string; outcome: string }[] = [];

beforeAll(() => {
  ctx = { registryHost: s.h.registry.host, gitUrl: s.h.canvos.url };
  toolCache = join(s.h.workDir, 'shared-tool-cache');
});
afterAll(() => {
  const table = new Map<string, Record<string, number>>();
  for (const o of outcomes) {
    const row = table.get(o.slot) ?? {};
    row[o.outcome] = (row[o.outcome] ?? 0) + 1;
    table.set(o.slot, row);
  }
  if (table.size) {
    console.log(
      'injection outcomes per input:\n' +
        [...table].map(([slot, row]) => `  ${slot.padEnd(28)} ${JSON.stringify(row)}`).join('\n'),
    );
  }
});

/** Inputs for a local build with every free-text input set to something benign. */
function baseInputs(): Record<string, string> {
  return buildInputs(s.h, {
    push: 'false',
    'custom-tag': 'inj',
    'build-args': 'FOO=bar',
    secrets: 'MY_SECRET=s3cr3t-value',
    'no-proxy': 'localhost',
    'http-proxy': 'http://proxy.example.com:3128',
    'https-proxy': 'http://user:pw@proxy.example.com:3128',
    'earthly-args': '--verbose',
    'remote-cache': `${s.h.registry.host}/edge/cache:k3s`,
  });
}

function slotInputs(slot: InjectionSlot | undefined, payload: string): Record<string, string> {
  const inputs = baseInputs();
  if (!slot) return inputs;
  inputs[slot.input] = slot.value(payload, ctx);
  // The token is only sent to the workflow's own server: clone the private fork from there.
  if (slot.input === 'github-token') inputs['canvos-repository'] = s.h.canvos.privateUrl;
  return inputs;
}

const hasCredentials = (url: string) => {
  const u = new URL(url);
  return u.username !== '' || u.password !== '';
};

/** `KEY=VALUE` lines as the action documents them: trimmed lines, `#` comments, key before the first `=`. */
function keyValueLines(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1)]);
}

/** What `.arg` must hold for these inputs (one Kubernetes version, no certificates). */
function intendedArg(inputs: Record<string, string>): Record<string, string> {
  const get = (name: string) => (inputs[name] ?? '').trim();
  const arg: Record<string, string> = {
    CUSTOM_TAG: get('custom-tag'),
    IMAGE_REGISTRY: get('image-registry'),
    OS_DISTRIBUTION: 'ubuntu',
    IMAGE_REPO: get('image-repo') || 'ubuntu',
    OS_VERSION: '22.04',
    K8S_DISTRIBUTION: 'k3s',
    ARCH: 'amd64',
    UPDATE_KERNEL: 'false',
    TWO_NODE: 'false',
    K8S_VERSION: get('k8s-version'),
  };
  for (const key of ['http-proxy', 'https-proxy']) {
    const url = get(key);
    if (url && !hasCredentials(url)) arg[key.replace('-', '_').toUpperCase()] = url;
  }
  if (get('no-proxy')) arg.NO_PROXY = get('no-proxy');
  for (const [key, value] of keyValueLines(inputs['build-args'] ?? '')) arg[key] = value;
  return arg;
}

/** Earthly's argv as intended: every option before the target, then only proxy URLs with credentials. */
function intendedEarthly(
  inputs: Record<string, string>,
  tempDir: string,
): { options: string[]; buildArgs: string[] } {
  const get = (name: string) => (inputs[name] ?? '').trim();
  const options = [
    '--config',
    join(tempDir, 'earthly-config.yml'),
    '--ci',
    get('push') === 'false' ? '--output' : '--push',
    '--allow-privileged',
  ];
  // A loopback tcp:// or container address is a BuildKit Earthly starts itself: it keeps its image
  // (earthly/earthly util/containerutil/shell_shared.go IsLocal).
  const host = get('buildkit-host');
  const local =
    !host ||
    /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(host) ||
    /^(docker|podman)-container:/.test(host);
  if (local) options.push('--buildkit-image', get('buildkit-image') || MIRROR);
  if (host) options.push('--buildkit-host', host);
  if (get('remote-cache')) options.push('--remote-cache', get('remote-cache'));
  for (const [key] of keyValueLines(inputs.secrets ?? '')) options.push('--secret', key);
  // Proxy URLs with credentials: `--build-arg NAME`, the value from Earthly's environment
  // (earthly/earthly variables/parse.go); nothing after the target.
  for (const key of ['http-proxy', 'https-proxy']) {
    const url = get(key);
    if (url && hasCredentials(url))
      options.push('--build-arg', key.replace('-', '_').toUpperCase());
  }
  options.push(...(inputs['earthly-args'] ?? '').split(/\s+/).filter(Boolean));
  return { options, buildArgs: [] };
}

/** Every git and docker command the action may run, with exactly these arguments. */
function intendedCalls(
  inputs: Record<string, string>,
  tempDir: string,
): { git: string[][]; docker: string[][] } {
  const get = (name: string) => (inputs[name] ?? '').trim();
  const repo = get('canvos-repository');
  const tag = get('canvos-version');
  const registry = get('image-registry');
  const host = registry.split('/')[0];
  const repoPath = [...registry.split('/').slice(1), get('image-repo') || 'ubuntu'].join('/');
  const imageTag = `k3s-${get('k8s-version')}-v4.9.38${get('custom-tag') ? `-${get('custom-tag')}` : ''}`;
  return {
    git: [
      ['ls-remote', '--tags', repo],
      [
        '-c',
        'advice.detachedHead=false',
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--branch',
        tag,
        '--single-branch',
        '--no-tags',
        '--',
        repo,
        join(tempDir, 'canvos'),
      ],
      ['rev-parse', 'HEAD'],
    ],
    docker: [
      ['login', `--username=${get('registry-username')}`, '--password-stdin', '--', host],
      ['info', '--format', '{{.DockerRootDir}}'],
      // CanvOS's BuildKit mirror for v4.9.38's pin, checked for the runner's arch.
      [
        'image',
        'inspect',
        '--format',
        '{{.Os}}/{{.Architecture}}',
        'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
      ],
      ['image', 'inspect', '--format', '{{.Id}}', `${host}/${repoPath}:${imageTag}`],
      ['logout', host],
    ],
  };
}

function expectCallsAsIntended(
  calls: ShimCall[],
  intended: { git: string[][]; docker: string[][] },
): void {
  for (const call of calls) {
    const allowed = call.name === 'git' ? intended.git : intended.docker;
    const match = allowed.some(
      (argv) => argv.length === call.argv.length && argv.every((a, i) => a === call.argv[i]),
    );
    expect(match, `unexpected ${call.name} argv ${JSON.stringify(call.argv)}`).toBe(true);
  }
}

/** Markers a shell would have left: absolute ones in the marker dir, bare ones anywhere we can look. */
function markersFor(id: string, job: Job): string[] {
  const found = readdirSync(s.markerDir).filter((f) => f === `m-${id}`);
  const bare = `pwned-${id}`;
  found.push(...walkFiles(job.workDir).filter((f) => f.endsWith(`/${bare}`)));
  if (existsSync(join(REPO_ROOT, bare))) found.push(join(REPO_ROOT, bare));
  return found;
}

function earthlyRunsIn(checkout: string): StandinInvocation[] {
  return s.h.invocations().filter((run) => run.target === TARGET && run.cwd === checkout);
}

async function tryPayload(
  slot: InjectionSlot | undefined,
  payloadName: string,
  template: string,
  id: string,
) {
  const payload = template
    .replaceAll('{M}', join(s.markerDir, `m-${id}`))
    .replaceAll('{R}', `pwned-${id}`);
  const inputs = slotInputs(slot, payload);
  const env: Record<string, string> = { RUNNER_TOOL_CACHE: toolCache };
  if (slot?.input === 'github-token') env.GITHUB_SERVER_URL = new URL(s.h.canvos.privateUrl).origin;
  const job = await runMain(s, { name: `inj-${id}`, inputs, env });
  const { result, calls } = job.main;
  const tempDir = result.state['temp-dir'];
  const started = tempDir !== undefined;

  expect(result.timedOut).toBe(false);
  expect(hasStackTrace(result), result.stdout).toBe(false);
  expect(markersFor(id, job)).toEqual([]);
  let outcome: string;
  if (!started) {
    // Rejected by validation: as in the bad-input corpus.
    outcome = 'rejected by validation';
    expect(errorLines(result), result.stdout).toHaveLength(1);
    expect(result.errors[0].startsWith(`${slot?.input}: `), result.errors[0]).toBe(true);
    expect(result.code).toBe(1);
    expect(calls).toEqual([]);
    expect(readdirSync(join(job.workDir, 'runner-temp'))).toEqual([]);
    expect(earthlyRunsIn(join(job.workDir, 'runner-temp'))).toEqual([]);
  } else {
    const intended = intendedCalls(inputs, tempDir);
    expectCallsAsIntended(calls, intended);
    const checkout = checkoutOf(result);
    const argFile = checkout && join(checkout, '.arg');
    if (argFile && existsSync(argFile)) {
      const expected = intendedArg(inputs);
      const written = Object.fromEntries(parseArgFile(readFileSync(argFile, 'utf8')));
      expect(written).toEqual(expected);
      const sandbox = join(job.workDir, 'bash-sandbox');
      mkdirSync(sandbox, { recursive: true });
      const sourced = sourceInBash(argFile, sandbox);
      expect(sourced).toEqual(expected);
      expect(readdirSync(sandbox)).toEqual([]);
      expect(markersFor(id, job)).toEqual([]);
    }
    const runs = checkout ? earthlyRunsIn(checkout) : [];
    if (runs.length) {
      expect(runs).toHaveLength(1);
      const { argv } = runs[0];
      const { options, buildArgs } = intendedEarthly(inputs, tempDir);
      expect(argv.filter((a) => a === TARGET)).toHaveLength(1);
      expect(argv.slice(0, argv.indexOf(TARGET))).toEqual(options);
      expect(argv.slice(argv.indexOf(TARGET) + 1)).toEqual(buildArgs);
      if (slot?.input === 'build-args' && argFile) {
        // A third reader, godotenv-like (the stand-in), sees the same value.
        for (const [key, value] of keyValueLines(inputs['build-args']))
          expect(runs[0].buildArgs[key]).toBe(value);
      }
      outcome = result.code === 0 ? 'accepted, built' : 'accepted, Earthly failed';
    } else {
      outcome = `accepted, stopped: ${(result.errors[0] ?? '').split(':')[0].slice(0, 40)}`;
      expect(result.code).toBe(1);
      expect(result.errors).toHaveLength(1);
    }
  }
  outcomes.push({ slot: slot?.name ?? 'control', payload: payloadName, outcome });
  // The post step of a started run: its docker logout is one more command line to check.
  if (started && !slot) {
    const post = await job.runPost();
    expect(post.result.code).toBe(0);
    expectCallsAsIntended(post.calls, intendedCalls(inputs, tempDir));
  }
  expect(markersFor(id, job)).toEqual([]);
  return { job, outcome };
}

const cases = INJECTION_SLOTS.flatMap((slot, i) =>
  Object.entries(INJECTION_PAYLOADS).map(([payloadName, template], j) => ({
    title: `${slot.name} ← ${payloadName}`,
    slot,
    payloadName,
    template,
    id: `${i}-${j}`,
  })),
);

describe('2. injection', () => {
  describe('setup', () => {
    it('the checks catch what they are for: unsafe .arg lines, a shell that ran, a stack trace', () => {
      for (const line of ['A=$(touch x)', 'A=`id`', 'A="x"', "A='x", 'A=x y', 'a=x', 'A=x #c']) {
        expect(() => parseArgFile(`${line}\n`), line).toThrow();
      }
      expect(parseArgFile("A='$(touch x)'\nB=plain\n")).toEqual([
        ['A', '$(touch x)'],
        ['B', 'plain'],
      ]);
      // Outside the harness folder, which the last check searches for markers.
      const dir = mkdtempSync(join(tmpdir(), 'reliability-self-test-'));
      const argFile = join(dir, 'unsafe.arg');
      writeFileSync(argFile, 'A=$(touch pwned-self-test)\n');
      expect(sourceInBash(argFile, dir)).toEqual({ A: '' });
      expect(readdirSync(dir).sort()).toEqual(['pwned-self-test', 'unsafe.arg']);
      rmSync(dir, { recursive: true });
      const trace = { stdout: 'Error: x\n    at main (/a/b.js:1:2)\n', stderr: '' };
      expect(hasStackTrace(trace as Parameters<typeof hasStackTrace>[0])).toBe(true);
    });

    it('control: the benign base builds, and every check above applies to it', async () => {
      const { job, outcome } = await tryPayload(undefined, 'none', '', 'control');
      expect(outcome).toBe('accepted, built');
      expect(job.main.calls.map((c) => `${c.name} ${c.argv[0]}`)).toEqual(
        expect.arrayContaining(['git -c', 'docker login', 'docker info', 'docker image']),
      );
    });
  });

  describe('payloads', () => {
    it.concurrent.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
      await tryPayload(c.slot, c.payloadName, c.template, c.id);
    });
  });

  describe('after the payloads', () => {
    it('no marker file was created by any case', () => {
      expect(readdirSync(s.markerDir)).toEqual([]);
      expect(walkFiles(s.h.workDir).filter((f) => /\/pwned-/.test(f))).toEqual([]);
    });
  });
});

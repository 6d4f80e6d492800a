// `npm run bench`: the action's own cost, measured on the local end-to-end harness (isolated
// dockerd, registry, smart-HTTP git server, Earthly release server, stand-in earthly), medians of
// BENCH_REPS (default 5) repetitions, printed as a Markdown table and written to
// .tmp/bench-results.md. A benchmark, not a test: it exits 0 when a target is missed, and says FAIL.
//   BENCH_REPS=5          repetitions (fewer than 5 is for trying the script out only)
//   BENCH_ASSET_MB=100    size the Earthly release asset is padded to
//   BENCH_DOWNLOAD_MIBPS=100  release server bandwidth in MiB/s (0: unthrottled loopback)
//   ACTION_NODE=<node>    also time start-up under this Node (e.g. Node 24)
//   BENCH_ACTION=<file>   measure this bundle instead of dist/index.js (e.g. a candidate change)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type ActionResult,
  type Harness,
  DEFAULT_ENTRY,
  REPO_ROOT,
  exec,
  makeLargeRepo,
  runAction,
  startHarness,
} from '../__tests__/harness/index.js';
import { Timeline } from './bench/timeline.js';

const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 5));
const ASSET_BYTES = Number(process.env.BENCH_ASSET_MB ?? 100) * 1024 * 1024;
const DOWNLOAD_BPS = Number(process.env.BENCH_DOWNLOAD_MIBPS ?? 100) * 1024 * 1024;
const ACTION = process.env.BENCH_ACTION || DEFAULT_ENTRY;
const STARTUP_REPS = Math.max(10, REPS * 2);
const K8S_VERSION = '1.32.3';
const EXACT_EARTHLY = 'v0.8.15'; // what the fixture's earthly.sh pins
const BENCH_DIR = join(REPO_ROOT, 'scripts', 'bench');
const RESULTS = join(REPO_ROOT, '.tmp', 'bench-results.md');
/** The Node major version action.yml runs on (`runs.using: node24`). */
const RUNTIME = /^\s+using:\s*['"]?node(\d+)/m.exec(
  readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8'),
)?.[1];

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number): string => `${Math.round(ms)} ms`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '-');
/** `median (min–max)` */
function spread(values: number[], fmt: (ms: number) => string = secs): string {
  if (values.length === 0) return '-';
  return `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

interface Context {
  h: Harness;
  url: string;
  tag: string;
  warmCache: string;
}

const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
});

function actionInputs(ctx: Context, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'canvos-repository': ctx.url, // canvos-version: latest (the default): ls-remote + resolve
    'image-registry': `${ctx.h.registry.host}/edge`,
    'earthly-download-url': ctx.h.releases.downloadUrlTemplate,
    'registry-username': ctx.h.registry.username,
    'registry-password': ctx.h.registry.password,
    'k8s-version': K8S_VERSION,
    'custom-tag': 'bench',
    ...extra,
  };
}

function check(result: ActionResult, what: string): void {
  if (result.code === 0 && result.errors.length === 0) return;
  const tail = result.stdout.trim().split('\n').slice(-15).join('\n');
  throw new Error(`${what} failed (exit ${result.code}): ${result.errors.join('; ')}\n${tail}`);
}

interface DryRun {
  planMs: number; // CanvOS checkout → end of Build files (resolve, partial clone, plan, .arg)
  wallMs: number; // the whole main step: node start-up to exit
  checkoutMs: number; // the CanvOS checkout phase alone (ls-remote + partial clone), nothing beside it
  gitBytes: number; // size of the clone's .git/objects: what crossed the wire
}

/** Total size of the files under `dir`. */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

async function dryRun(ctx: Context, canvosVersion = 'latest'): Promise<DryRun> {
  const timeline = new Timeline();
  const result = await runAction({
    entry: ACTION,
    workDir: ctx.h.jobDir('dry-run'),
    env: ctx.h.env(),
    inputs: actionInputs(ctx, { 'dry-run': 'true', 'canvos-version': canvosVersion }),
    onData: timeline.onData,
  });
  check(result, 'dry run');
  if (result.outputs['canvos-version'] !== ctx.tag) {
    throw new Error(`the dry run resolved ${result.outputs['canvos-version']}, not ${ctx.tag}`);
  }
  return {
    planMs: timeline.between('CanvOS checkout', 'Build files'),
    wallMs: result.durationMs,
    checkoutMs: timeline.phase('CanvOS checkout'),
    gitBytes: dirBytes(join(result.outputs['canvos-path'], '.git', 'objects')),
  };
}

interface Manual {
  ms: number;
  gitBytes: number;
}

/** The seed guide's manual steps: full clone, check out the tag, write .arg. */
async function manualSteps(ctx: Context): Promise<Manual> {
  const dir = ctx.h.jobDir('manual');
  const checkout = join(dir, 'CanvOS');
  const env = gitEnv(dir);
  const started = performance.now();
  await exec('git', ['clone', '-q', ctx.url, checkout], { env });
  await exec('git', ['-c', 'advice.detachedHead=false', 'checkout', '-q', ctx.tag], {
    env,
    cwd: checkout,
  });
  writeFileSync(
    join(checkout, '.arg'),
    [
      'CUSTOM_TAG=bench',
      `IMAGE_REGISTRY=${ctx.h.registry.host}/edge`,
      'OS_DISTRIBUTION=ubuntu',
      'IMAGE_REPO=ubuntu',
      'OS_VERSION=22.04',
      'K8S_DISTRIBUTION=k3s',
      'ARCH=amd64',
      `K8S_VERSION=${K8S_VERSION}`,
      '',
    ].join('\n'),
  );
  const ms = performance.now() - started;
  return { ms, gitBytes: dirBytes(join(checkout, '.git', 'objects')) };
}

interface FullRun {
  wallMs: number; // main + post step
  mainMs: number;
  postMs: number;
  buildMs: number; // the stand-in build's own time: `[command]` line → end of the Build phase
  overheadMs: number; // wallMs - buildMs
  checkoutMs: number; // the CanvOS checkout phase (ls-remote + shallow clone)
  fetchSpanMs: number; // CanvOS checkout start → Earthly ready (end of Install Earthly)
  installWaitMs: number; // the Install Earthly phase: how long the build waited for Earthly
  /** Share of the clone (checkout phase) during which the Earthly download was already running. */
  cloneOverlap: number;
  phases: Map<string, number>;
  rssKb: number;
  cacheHit: boolean;
}

async function fullRun(
  ctx: Context,
  opts: { toolCache?: string; earthlyVersion?: string; name: string },
): Promise<FullRun> {
  const workDir = ctx.h.jobDir(opts.name);
  const env = ctx.h.env({
    ...(opts.toolCache ? { RUNNER_TOOL_CACHE: opts.toolCache } : {}),
    BENCH_ENTRY: ACTION,
    BENCH_RSS_FILE: join(workDir, 'rss-main.txt'),
  });
  const inputs = actionInputs(ctx, { 'earthly-version': opts.earthlyVersion ?? 'auto' });
  const entry = join(BENCH_DIR, 'rss-entry.mjs');
  const timeline = new Timeline();
  const main = await runAction({ workDir, env, inputs, entry, onData: timeline.onData });
  check(main, `${opts.name} run`);
  const post = await runAction({
    workDir,
    step: 'post',
    env: { ...env, BENCH_RSS_FILE: join(workDir, 'rss-post.txt') },
    inputs,
    entry,
  });
  check(post, `${opts.name} post step`);

  const command = timeline.find(/^\[command\]/);
  const build = timeline.groups().get('Build');
  if (!command || !build) throw new Error(`${opts.name}: no Earthly run in the log`);
  const buildMs = build.end - command.ms;
  // tool-cache logs `::debug::Downloading <url>` as each download starts (checksum.asc first).
  const download = timeline.find(/^::debug::Downloading /);
  const checkout = timeline.groups().get('CanvOS checkout');
  if (!checkout) throw new Error(`${opts.name}: no CanvOS checkout phase in the log`);
  const cloneOverlap =
    download && !opts.toolCache
      ? Math.max(0, Math.min(1, (checkout.end - download.ms) / (checkout.end - checkout.start)))
      : 0;
  const wallMs = main.durationMs + post.durationMs;
  const phases = new Map<string, number>();
  for (const [name, span] of timeline.groups()) phases.set(name, span.end - span.start);
  phases.set('Post step (cleanup)', post.durationMs);
  return {
    wallMs,
    mainMs: main.durationMs,
    postMs: post.durationMs,
    buildMs,
    overheadMs: wallMs - buildMs,
    checkoutMs: timeline.phase('CanvOS checkout'),
    fetchSpanMs: timeline.between('CanvOS checkout', 'Install Earthly'),
    installWaitMs: timeline.phase('Install Earthly'),
    cloneOverlap,
    phases,
    rssKb: Number(readFileSync(join(workDir, 'rss-main.txt'), 'utf8')),
    cacheHit: /\(cached\)/.test(main.stdout),
  };
}

/** A re-run release with skip-existing: every image is in the registry already. */
async function skipRun(ctx: Context): Promise<number> {
  const workDir = ctx.h.jobDir('skip-existing');
  const inputs = actionInputs(ctx, { 'skip-existing': 'true' });
  const main = await runAction({ entry: ACTION, workDir, env: ctx.h.env(), inputs });
  check(main, 'skip-existing run');
  if (!/nothing to build/.test(main.stdout)) throw new Error('skip-existing run built something');
  const post = await runAction({ entry: ACTION, workDir, step: 'post', env: ctx.h.env(), inputs });
  check(post, 'skip-existing post step');
  return main.durationMs + post.durationMs;
}

/**
 * The action's Earthly install alone, on an empty tool cache: a run on a workflow's own checkout
 * (`canvos-path`, no clone) with an exact version, so the install starts at once. Measured from
 * the start of the checkout phase (the install starts just before it) to Earthly being ready.
 */
async function installAlone(ctx: Context): Promise<number> {
  const workDir = ctx.h.jobDir('install-alone');
  await ctx.h.clone('v4.9.38', { dest: join(workDir, 'workspace', 'CanvOS') });
  const timeline = new Timeline();
  const main = await runAction({
    entry: ACTION,
    workDir,
    env: ctx.h.env(),
    inputs: actionInputs(ctx, { 'canvos-path': 'CanvOS', 'earthly-version': EXACT_EARTHLY }),
    onData: timeline.onData,
  });
  check(main, 'install-alone run');
  return timeline.between('CanvOS checkout', 'Install Earthly');
}

interface PlainRun {
  wallMs: number;
  buildMs: number;
  overheadMs: number;
}

async function plainScript(ctx: Context): Promise<PlainRun> {
  const dir = ctx.h.jobDir('plain-script');
  const started = performance.now();
  const { stderr } = await exec('bash', [join(BENCH_DIR, 'plain-steps.sh')], {
    env: {
      ...gitEnv(dir),
      ...ctx.h.env(),
      REPO_URL: ctx.url,
      URL_TEMPLATE: ctx.h.releases.downloadUrlTemplate,
      EARTHLY_VERSION: EXACT_EARTHLY,
      REGISTRY: ctx.h.registry.host,
      REGISTRY_USER: ctx.h.registry.username,
      REGISTRY_PASSWORD: ctx.h.registry.password,
      K8S_VERSION,
      CUSTOM_TAG: 'plain',
      WORK: dir,
    },
  });
  const wallMs = performance.now() - started;
  const buildMs = Number(/BUILD_MS=(\d+)/.exec(stderr)?.[1] ?? NaN);
  if (!Number.isFinite(buildMs)) throw new Error(`plain script printed no BUILD_MS:\n${stderr}`);
  return { wallMs, buildMs, overheadMs: wallMs - buildMs };
}

/** `git clone --depth 1 --branch <tag>` of the bench repository into `dest`, plus `extra`. */
function shallowClone(ctx: Context, dest: string, extra: string[] = []): string[] {
  const options = ['-q', '--depth', '1', '--branch', ctx.tag, ...extra];
  return ['-c', 'advice.detachedHead=false', 'clone', ...options, '--', ctx.url, dest];
}

/** ls-remote + the same shallow clone the action does for a build, by the git CLI alone. */
async function cloneAlone(ctx: Context): Promise<number> {
  const dir = ctx.h.jobDir('clone-alone');
  const env = gitEnv(dir);
  const started = performance.now();
  await exec('git', ['ls-remote', '--tags', ctx.url], { env });
  const dest = join(dir, 'CanvOS');
  await exec('git', shallowClone(ctx, dest, ['--single-branch', '--no-tags']), { env });
  return performance.now() - started;
}

/** A dry run's limit: git's own `git clone --depth 1 --branch <tag>`, nothing else. */
async function bareClone(ctx: Context): Promise<Manual> {
  const dir = ctx.h.jobDir('bare-clone');
  const checkout = join(dir, 'CanvOS');
  const started = performance.now();
  await exec('git', shallowClone(ctx, checkout), { env: gitEnv(dir) });
  return { ms: performance.now() - started, gitBytes: dirBytes(join(checkout, '.git', 'objects')) };
}

/** checksum.asc + the binary with curl: the raw transfer, no verification or caching. */
async function curlAlone(ctx: Context): Promise<number> {
  const dir = ctx.h.jobDir('curl-alone');
  const url = (asset: string): string =>
    ctx.h.releases.downloadUrlTemplate
      .replace('{version}', EXACT_EARTHLY)
      .replace('{asset}', asset);
  const started = performance.now();
  await exec('curl', ['-fsSL', '-o', join(dir, 'checksum.asc'), url('checksum.asc')]);
  await exec('curl', ['-fsSL', '-o', join(dir, 'earthly'), url('earthly-linux-amd64')]);
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------

/** Milliseconds from spawn to the first byte on stdout; the process is killed then. */
function firstByte(node: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let at: number | undefined;
    child.stdout.once('data', () => {
      at = performance.now() - started;
      child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('close', () =>
      at === undefined
        ? reject(new Error(`${node} ${args.join(' ')} printed nothing`))
        : resolve(at),
    );
  });
}

interface Startup {
  node: string;
  version: string;
  actionMs: number[];
  bareMs: number[];
}

async function startup(node: string, scratch: string): Promise<Startup> {
  mkdirSync(scratch, { recursive: true });
  const files: Record<string, string> = {};
  for (const name of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH']) {
    files[name] = join(scratch, name.toLowerCase());
    writeFileSync(files[name], '');
  }
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    RUNNER_TEMP: scratch,
    GITHUB_ACTIONS: 'true',
    ...files,
  };
  const { stdout: version } = await exec(node, ['--version']);
  const actionMs: number[] = [];
  const bareMs: number[] = [];
  await firstByte(node, [ACTION], env); // page cache
  for (let i = 0; i < STARTUP_REPS; i++) {
    actionMs.push(await firstByte(node, [ACTION], env));
    bareMs.push(await firstByte(node, ['-e', 'process.stdout.write("x")'], env));
  }
  return { node, version: version.trim(), actionMs, bareMs };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Results {
  repo: { commits: number; tags: number; branches: number; tag: string };
  manual: Manual[];
  bare: Manual[];
  dry: DryRun[];
  dryExact: DryRun[];
  coldAuto: FullRun[];
  coldExact: FullRun[];
  warm: FullRun[];
  plain: PlainRun[];
  install: number[];
  clone: number[];
  curl: number[];
  skip: number[];
  startups: Startup[];
  bundleBytes: number;
  staleDist: string[];
  totalMs: number;
  load: number[];
}

function report(r: Results): { markdown: string; failures: number } {
  const pick = <T>(runs: T[], f: (run: T) => number): number[] => runs.map(f);
  const m = <T>(runs: T[], f: (run: T) => number): number => median(pick(runs, f));

  const manualMs = r.manual.map((x) => x.ms);
  const manual = median(manualMs);
  const plan = m(r.dry, (d) => d.planMs);
  const warmOverhead = m(r.warm, (w) => w.overheadMs);
  const coldOverhead = m(r.coldAuto, (c) => c.overheadMs);
  const plainOverhead = m(r.plain, (p) => p.overheadMs);
  const clone = m(r.dry, (d) => d.checkoutMs);
  const install = median(r.install);
  const overlapBudget = 1.2 * Math.max(clone, install);
  const spanAuto = m(r.coldAuto, (c) => c.fetchSpanMs);
  const spanExact = m(r.coldExact, (c) => c.fetchSpanMs);
  const overlapAuto = m(r.coldAuto, (c) => c.cloneOverlap);
  const overlapExact = m(r.coldExact, (c) => c.cloneOverlap);
  const pct = (share: number): string => `${Math.round(share * 100)} %`;
  const dryMain = m(r.dryExact, (d) => d.wallMs);
  const bare = m(r.bare, (b) => b.ms);
  const dryBytes = m(r.dry, (d) => d.gitBytes);
  const fullBytes = m(r.manual, (x) => x.gitBytes);
  const runtimeStartup = r.startups.find((s) => s.version.startsWith(`v${RUNTIME}.`));

  const lines: string[] = [];
  const row = (...cells: string[]): number => lines.push(`| ${cells.join(' | ')} |`);

  lines.push(
    '## Benchmark: the action’s own cost',
    '',
    `${cpus().length} cores, Node ${process.version}; medians of ${REPS} repetitions (min–max in brackets).` +
      ` Load average ${r.load.map((l) => l.toFixed(1)).join(' → ')} (1 min, at start → end): anything` +
      ' else running on the machine shows in the spread.',
    `Repository: ${r.repo.commits} commits, ${r.repo.tags} tags, ${r.repo.branches} branches on the` +
      ` harness’s smart-HTTP git server; \`latest\` resolves to ${r.repo.tag}.` +
      ` Earthly asset: the stand-in padded to ${(ASSET_BYTES / 1024 ** 2).toFixed(0)} MiB,` +
      (DOWNLOAD_BPS
        ? ` served at ${(DOWNLOAD_BPS / 1024 ** 2).toFixed(0)} MiB/s.`
        : ' served as fast as loopback goes.') +
      ` All traffic on loopback. Total benchmark time ${secs(r.totalMs)}.`,
    '',
  );
  if (Math.max(...r.load) > cpus().length) {
    lines.push(
      `**The machine was busy (load average up to ${Math.max(...r.load).toFixed(1)} on ${cpus().length} cores): expect noisy numbers; run again when it is idle.**`,
      '',
    );
  }
  if (ACTION !== DEFAULT_ENTRY) lines.push(`**Measuring ${ACTION}, not dist/index.js.**`, '');
  if (REPS < 5) lines.push(`**Only ${REPS} repetition(s): numbers are indicative.**`, '');
  if (r.staleDist.length) {
    lines.push(
      `**dist/index.js is older than ${r.staleDist.join(', ')}: run \`npm run bundle\` to measure the current code.**`,
      '',
    );
  }

  lines.push('### Side by side', '');
  row('Measurement', 'Action', 'Baseline', 'Action / baseline');
  row('---', '---', '---', '---');
  row(
    'Plan phase (resolve `latest` + partial clone + .arg) vs manual (full `git clone` + `git checkout <tag>` + .arg)',
    spread(pick(r.dry, (d) => d.planMs)),
    spread(manualMs),
    ratio(plan, manual),
  );
  row(
    `Plan phase with an exact tag (\`canvos-version: ${r.repo.tag}\`: no ls-remote) vs manual`,
    spread(pick(r.dryExact, (d) => d.planMs)),
    spread(manualMs),
    ratio(
      m(r.dryExact, (d) => d.planMs),
      manual,
    ),
  );
  row(
    'Whole dry run (node start-up, inputs, plan phase) vs manual',
    spread(pick(r.dry, (d) => d.wallMs)),
    spread(manualMs),
    ratio(
      m(r.dry, (d) => d.wallMs),
      manual,
    ),
  );
  row(
    'Cold run (empty tool cache) vs warm run: wall time, main + post step',
    spread(pick(r.coldAuto, (c) => c.wallMs)),
    spread(pick(r.warm, (w) => w.wallMs)),
    ratio(
      m(r.coldAuto, (c) => c.wallMs),
      m(r.warm, (w) => w.wallMs),
    ),
  );
  row(
    'Overhead, warm (wall − stand-in build) vs plain sequential bash script (which always downloads)',
    spread(pick(r.warm, (w) => w.overheadMs)),
    spread(pick(r.plain, (p) => p.overheadMs)),
    ratio(warmOverhead, plainOverhead),
  );
  row(
    'Overhead, cold vs plain bash script',
    spread(pick(r.coldAuto, (c) => c.overheadMs)),
    spread(pick(r.plain, (p) => p.overheadMs)),
    ratio(coldOverhead, plainOverhead),
  );
  row(
    'Stand-in build’s own time (subtracted above): action vs script',
    spread(pick(r.warm, (w) => w.buildMs)),
    spread(pick(r.plain, (p) => p.buildMs)),
    ratio(
      m(r.warm, (w) => w.buildMs),
      m(r.plain, (p) => p.buildMs),
    ),
  );
  row(
    'Re-run release, `skip-existing: true`, every image present (cold tool cache) vs a warm build',
    spread(r.skip),
    spread(pick(r.warm, (w) => w.wallMs)),
    ratio(
      median(r.skip),
      m(r.warm, (w) => w.wallMs),
    ),
  );
  for (const s of r.startups) {
    row(
      `Start-up to first log line, ${s.version} vs bare \`node -e\``,
      spread(s.actionMs, millis),
      spread(s.bareMs, millis),
      ratio(median(s.actionMs), median(s.bareMs)),
    );
  }
  row(
    'Bundle size (dist/index.js)',
    `${(r.bundleBytes / 1024 ** 2).toFixed(2)} MiB (${r.bundleBytes} bytes)`,
    '',
    '',
  );
  row(
    'Peak RSS of the action’s node process (main step): warm / cold',
    `${(m(r.warm, (w) => w.rssKb) / 1024).toFixed(0)} MiB / ${(m(r.coldAuto, (c) => c.rssKb) / 1024).toFixed(0)} MiB`,
    '',
    '',
  );
  lines.push('');

  lines.push('### A dry run at git’s own cost', '');
  row('Measurement', 'Dry run', 'git alone', 'Dry run / git');
  row('---', '---', '---', '---');
  row(
    `Main step with an exact tag (node start-up to exit) vs \`git clone --depth 1 --branch ${r.repo.tag}\` (the limit)`,
    spread(pick(r.dryExact, (d) => d.wallMs)),
    spread(pick(r.bare, (b) => b.ms)),
    ratio(dryMain, bare),
  );
  row(
    'Of which the CanvOS checkout phase (partial clone, then the three files in one fetch) vs the limit',
    spread(pick(r.dryExact, (d) => d.checkoutMs)),
    spread(pick(r.bare, (b) => b.ms)),
    ratio(
      m(r.dryExact, (d) => d.checkoutMs),
      bare,
    ),
  );
  row(
    'Main step with `latest` vs `git ls-remote --tags` + the same clone',
    spread(pick(r.dry, (d) => d.wallMs)),
    spread(r.clone),
    ratio(
      m(r.dry, (d) => d.wallMs),
      median(r.clone),
    ),
  );
  row(
    'Git data kept (.git/objects): the dry run’s partial clone vs a full clone',
    kib(dryBytes),
    kib(fullBytes),
    ratio(dryBytes, fullBytes),
  );
  row(
    'For reference: the bare shallow clone’s git data vs a full clone',
    kib(m(r.bare, (b) => b.gitBytes)),
    kib(fullBytes),
    ratio(
      m(r.bare, (b) => b.gitBytes),
      fullBytes,
    ),
  );
  lines.push('');

  lines.push('### Cold run: does the Earthly download overlap the clone?', '');
  row('', '`earthly-version: auto` (default)', '`earthly-version: ' + EXACT_EARTHLY + '`');
  row('---', '---', '---');
  row(
    'Clone alone: the CanvOS checkout phase of dry runs (ls-remote + shallow clone, no install beside it)',
    spread(pick(r.dry, (d) => d.checkoutMs)),
    '″',
  );
  row(
    'Download alone: the action’s Earthly install on an empty cache, no clone beside it (checksum.asc, binary, sha256, cache, `--version`)',
    spread(r.install),
    '″',
  );
  row(
    'Fetch span of a cold run: checkout start → Earthly ready',
    spread(pick(r.coldAuto, (c) => c.fetchSpanMs)),
    spread(pick(r.coldExact, (c) => c.fetchSpanMs)),
  );
  row(
    'Overlap: share of the clone during which the download was already running (from the log)',
    pct(overlapAuto),
    pct(overlapExact),
  );
  row(
    'Of which the build waited for Earthly (Install Earthly phase)',
    spread(pick(r.coldAuto, (c) => c.installWaitMs)),
    spread(pick(r.coldExact, (c) => c.installWaitMs)),
  );
  row(
    'Cold overhead (wall − stand-in build)',
    spread(pick(r.coldAuto, (c) => c.overheadMs)),
    spread(pick(r.coldExact, (c) => c.overheadMs)),
  );
  row(
    'For reference: raw transfers (git CLI ls-remote + clone; curl checksum.asc + binary)',
    `clone ${spread(r.clone)}`,
    `curl ${spread(r.curl)}`,
  );
  lines.push('');

  lines.push('### Phases (medians, ms)', '');
  row('Phase', 'Warm', 'Cold (auto)', `Cold (${EXACT_EARTHLY})`);
  row('---', '---', '---', '---');
  const names = [...(r.coldAuto[0]?.phases.keys() ?? [])];
  const phase = (runs: FullRun[], name: string): string => {
    const values = runs.map((run) => run.phases.get(name)).filter((v) => v !== undefined);
    return values.length ? String(Math.round(median(values))) : '-';
  };
  for (const name of names) {
    row(name, phase(r.warm, name), phase(r.coldAuto, name), phase(r.coldExact, name));
  }
  row(
    'Main step wall time',
    String(Math.round(m(r.warm, (w) => w.mainMs))),
    String(Math.round(m(r.coldAuto, (c) => c.mainMs))),
    String(Math.round(m(r.coldExact, (c) => c.mainMs))),
  );
  lines.push('');

  const targets: [string, string, string, boolean][] = [
    [
      'Plan phase ≤ 0.5 × manual steps',
      secs(plan),
      `≤ ${secs(0.5 * manual)}`,
      plan <= 0.5 * manual,
    ],
    ['Warm overhead ≤ 1.5 s', secs(warmOverhead), '≤ 1.50 s', warmOverhead <= 1500],
    [
      'Cold run, `earthly-version: auto` (default): fetch span ≤ 1.2 × max(clone, download)',
      secs(spanAuto),
      `≤ ${secs(overlapBudget)}`,
      spanAuto <= overlapBudget,
    ],
    [
      'Cold run, `earthly-version: auto` (default): the download runs during the clone (for ≥ 50 %' +
        ' of it; a stricter reading of the target above, not in the issue)',
      pct(overlapAuto),
      '≥ 50 %',
      overlapAuto >= 0.5,
    ],
    [
      `Cold run, \`earthly-version: ${EXACT_EARTHLY}\`: fetch span ≤ 1.2 × max(clone, download)`,
      secs(spanExact),
      `≤ ${secs(overlapBudget)}`,
      spanExact <= overlapBudget,
    ],
    [
      `Dry-run main step (exact tag) ≤ 1.25 × \`git clone --depth 1 --branch <tag>\``,
      secs(dryMain),
      `≤ ${secs(1.25 * bare)}`,
      dryMain <= 1.25 * bare,
    ],
    [
      'Git data a dry run keeps ≤ 0.1 × a full clone',
      kib(dryBytes),
      `≤ ${kib(0.1 * fullBytes)}`,
      dryBytes <= 0.1 * fullBytes,
    ],
    ...(runtimeStartup ? [runtimeStartup] : []).map((s): [string, string, string, boolean] => [
      `Start-up to first log line ≤ 100 ms (${s.version}, the action’s runtime: node${RUNTIME})`,
      millis(median(s.actionMs)),
      '≤ 100 ms',
      median(s.actionMs) <= 100,
    ]),
  ];
  lines.push('### Targets', '');
  row('Target', 'Measured', 'Limit', 'Result');
  row('---', '---', '---', '---');
  for (const [name, measured, limit, ok] of targets) {
    row(name, measured, limit, ok ? 'PASS' : '**FAIL**');
  }
  lines.push('');
  const failures = targets.filter(([, , , ok]) => !ok).length;
  lines.push(
    failures
      ? `**${failures} of ${targets.length} targets FAIL.**`
      : `All ${targets.length} targets PASS.`,
    '',
    'Notes: “overhead” is wall time (main + post step) minus the stand-in build’s own time, read from' +
      ' the log (the `[command]` line to the end of the Build phase). The padded stand-in is a small sh' +
      ' launcher, so starting it costs what starting a real binary costs, not a parse of 100 MB.' +
      ` Start-up is the median of ${STARTUP_REPS} spawns to the first stdout byte.` +
      ' “Clone” and “download” are measured apart: the clone as the checkout phase of dry runs, the' +
      ' download as a run on its own checkout (no clone) with an exact Earthly version, from the start' +
      ' of the install to Earthly being ready. The release server is throttled so the' +
      ` ${(ASSET_BYTES / 1024 ** 2).toFixed(0)} MiB download` +
      ' is network-bound as on a runner; on loopback the git server is not, so the clone here is shorter' +
      ' than against github.com, which flatters a sequential clone-then-download in the 1.2 × max target.',
    '',
  );
  return { markdown: lines.join('\n'), failures };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function staleDist(): string[] {
  if (!existsSync(ACTION)) throw new Error(`${ACTION} is missing: run \`npm run bundle\``);
  if (ACTION !== DEFAULT_ENTRY) return [];
  const built = statSync(DEFAULT_ENTRY).mtimeMs;
  const src = join(REPO_ROOT, 'src');
  // src/ has a folder per outside system: look at every file, not only the top level.
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && statSync(join(src, f)).mtimeMs > built)
    .map((f) => `src/${f}`);
}

async function repoShape(h: Harness, url: string, bareDir: string): Promise<Results['repo']> {
  const env = gitEnv(h.workDir);
  const refs = (await exec('git', ['ls-remote', url], { env })).stdout.trim().split('\n');
  const commits = Number(
    (await exec('git', ['--git-dir', bareDir, 'rev-list', '--all', '--count'], { env })).stdout,
  );
  return {
    commits,
    tags: refs.filter((l) => /refs\/tags\//.test(l) && !l.endsWith('^{}')).length,
    branches: refs.filter((l) => /refs\/heads\//.test(l)).length,
    tag: '',
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const stale = staleDist();
  log(`starting the harness (Earthly asset padded to ${ASSET_BYTES} bytes)`);
  const h = await startHarness({
    releases: { padAssetsTo: ASSET_BYTES, bytesPerSecond: DOWNLOAD_BPS || undefined },
  });
  try {
    const bareDir = join(h.workDir, 'git', 'bench', 'large.git');
    const large = await makeLargeRepo(join(h.workDir, 'git'), { bareDir });
    const url = h.git.url('bench/large');
    const repo = { ...(await repoShape(h, url, bareDir)), tag: large.newestRelease };
    log(
      `large repo: ${repo.commits} commits, ${repo.tags} tags, ${repo.branches} branches (${large.durationMs} ms)`,
    );
    const ctx: Context = {
      h,
      url,
      tag: large.newestRelease,
      warmCache: join(h.workDir, 'warm-cache'),
    };

    // Warm-up, not measured: page cache, the registry's blobs, the release server's padded asset,
    // and the shared tool cache the warm runs use.
    log('warm-up');
    await dryRun(ctx);
    await fullRun(ctx, { toolCache: ctx.warmCache, name: 'warm-up' });
    await plainScript(ctx);
    await skipRun(ctx);

    const results: Omit<Results, 'startups' | 'bundleBytes' | 'staleDist' | 'totalMs' | 'load'> = {
      repo,
      manual: [],
      bare: [],
      dry: [],
      dryExact: [],
      coldAuto: [],
      coldExact: [],
      warm: [],
      plain: [],
      install: [],
      clone: [],
      curl: [],
      skip: [],
    };
    // Interleaved, so drift (page cache, registry growth) falls on every kind alike.
    for (let rep = 1; rep <= REPS; rep++) {
      log(`repetition ${rep}/${REPS}`);
      results.manual.push(await manualSteps(ctx));
      results.dry.push(await dryRun(ctx));
      results.dryExact.push(await dryRun(ctx, ctx.tag));
      results.bare.push(await bareClone(ctx));
      results.coldAuto.push(await fullRun(ctx, { name: 'cold-auto' }));
      results.coldExact.push(
        await fullRun(ctx, { name: 'cold-exact', earthlyVersion: EXACT_EARTHLY }),
      );
      const warm = await fullRun(ctx, { toolCache: ctx.warmCache, name: 'warm' });
      if (!warm.cacheHit) throw new Error('the warm run did not use the cached Earthly');
      results.warm.push(warm);
      results.plain.push(await plainScript(ctx));
      results.install.push(await installAlone(ctx));
      results.clone.push(await cloneAlone(ctx));
      results.curl.push(await curlAlone(ctx));
      results.skip.push(await skipRun(ctx));
    }

    log('start-up');
    const startups = [await startup(process.execPath, join(h.workDir, 'startup-20'))];
    const other = process.env.ACTION_NODE;
    if (other && existsSync(other))
      startups.push(await startup(other, join(h.workDir, 'startup-other')));
    else if (other) log(`ACTION_NODE=${other} does not exist: skipped`);

    const { markdown, failures } = report({
      ...results,
      startups,
      bundleBytes: statSync(ACTION).size,
      staleDist: stale,
      totalMs: performance.now() - started,
      load: [loadAtStart, loadavg()[0]],
    });
    process.stdout.write(`${markdown}\n`);
    mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
    writeFileSync(RESULTS, `${markdown}\n`);
    log(`written to ${RESULTS}${failures ? `; ${failures} target(s) FAIL` : ''}`);
  } finally {
    await h.stop();
  }
}

await main();

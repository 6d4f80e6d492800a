// Runs the bundled action (dist/index.js) the way the GitHub runner does: INPUT_* variables (with
// action.yml defaults filled in), command files, STATE_* for the post step, a hermetic minimal
// environment, and cancellation by signal. Results are parsed into outputs, state and annotations.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { BLACKHOLE_PROXY_ENV } from './net.js';
import { track } from './processes.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_ENTRY = join(REPO_ROOT, 'dist', 'index.js');

/**
 * The script the runner starts for a step: action.yml's `runs.main` or `runs.post`, relative to
 * the action's folder (actions/runner, src/Runner.Worker/Handlers/NodeScriptActionHandler.cs).
 */
export function actionEntry(
  step: 'main' | 'post',
  actionYml = join(REPO_ROOT, 'action.yml'),
): string {
  const doc = parseYaml(readFileSync(actionYml, 'utf8')) as { runs?: Record<string, string> };
  const target = doc.runs?.[step];
  if (!target) throw new Error(`action.yml has no runs.${step}`);
  return join(REPO_ROOT, target);
}
/** What `${{ github.token }}` evaluates to unless a test passes githubToken. */
export const HARNESS_GITHUB_TOKEN = 'ghs_harnessTokenNotARealSecret0000000';

/** A `with:` value as written in the workflow, without quotes: the runner reads it as YAML. */
export interface Unquoted {
  yaml: string;
}
export type InputValue = string | number | boolean | Unquoted | undefined;

/** `k8s-version: 1.30` in a workflow, which the action receives as "1.3". */
export const unquoted = (yaml: string): Unquoted => ({ yaml });

/**
 * What the runner hands an action for one `with:` value. A quoted or non-scalar value is a string
 * as is; an unquoted plain scalar is typed first (actions/runner
 * src/Sdk/DTObjectTemplating/ObjectTemplating/Yaml/YamlObjectReader.cs: null, boolean, integer,
 * 0x hex, 0o octal, float, .inf, .nan) and a number comes back as .NET's Double.ToString("G15")
 * (ExpressionConstants.NumberFormat): 15 significant digits, so `1.30` arrives as "1.3".
 */
export function runnerString(value: string | number | boolean | Unquoted): string {
  if (typeof value === 'number') return g15(value);
  if (typeof value !== 'object') return String(value);
  const text = value.yaml.trim();
  if (/^(null|Null|NULL|~|)$/.test(text)) return '';
  if (/^(true|True|TRUE)$/.test(text)) return 'true';
  if (/^(false|False|FALSE)$/.test(text)) return 'false';
  if (/^[-+]?[0-9]+$/.test(text)) return g15(Number(text));
  if (/^0x[0-9a-fA-F]+$/.test(text)) return g15(Number.parseInt(text.slice(2), 16));
  if (/^0o[0-7]+$/.test(text)) return g15(Number.parseInt(text.slice(2), 8));
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return g15(Number(text));
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(text))
    return text.startsWith('-') ? '-Infinity' : 'Infinity';
  if (/^(\.nan|\.NaN|\.NAN)$/.test(text)) return 'NaN';
  return text;
}

function g15(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const rounded = Number(n.toPrecision(15));
  const exponent = rounded === 0 ? 0 : Math.floor(Math.log10(Math.abs(rounded)));
  if (exponent < 15 && exponent >= -5) return String(rounded);
  const [mantissa, exp] = rounded.toExponential().split('e');
  return `${mantissa}E${exp[0]}${exp.slice(1).padStart(2, '0')}`;
}

export interface RunActionOptions {
  inputs: Record<string, InputValue>;
  /** Extra variables; `undefined` removes one from the defaults. */
  env?: Record<string, string | undefined>;
  /** Working directory of the step (default: GITHUB_WORKSPACE). */
  cwd?: string;
  /** Per-job directory: HOME, RUNNER_TEMP, tool cache, workspace and command files live here. */
  workDir: string;
  step?: 'main' | 'post';
  /** SIGKILL the step's process group after this long (default 300 s). */
  timeoutMs?: number;
  /** Send `signal` to the step's node process after `ms` (the runner's cancellation). */
  signalAfterMs?: { signal: NodeJS.Signals; ms: number };
  /** For the post step: STATE_* values (default: what the last main step in workDir saved). */
  state?: Record<string, string>;
  /** Fill in action.yml defaults for inputs not given, as the runner does (default true). */
  applyDefaults?: boolean;
  /** Value of `${{ github.token }}` in input defaults. */
  githubToken?: string;
  /** Point HTTP(S)_PROXY at a dead loopback port, NO_PROXY=loopback (default true). */
  blockInternet?: boolean;
  /** DOCKER_HOST for the step (default: process.env.DOCKER_HOST). */
  dockerHost?: string;
  /** Script to run for either step (default: action.yml's runs.main or runs.post). */
  entry?: string;
  /** Called with each chunk of the step's output as it arrives (e.g. to timestamp log lines). */
  onData?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionResult {
  step: 'main' | 'post';
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The step left processes behind in its process group (they were killed). */
  orphans: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** What the step saved with core.saveState (GITHUB_STATE). */
  state: Record<string, string>;
  summary: string;
  /** Variables the step exported (GITHUB_ENV). */
  exportedEnv: Record<string, string>;
  /** Directories the step added to PATH (GITHUB_PATH). */
  addedPath: string[];
  errors: string[];
  warnings: string[];
  notices: string[];
  masks: string[];
  commands: WorkflowCommand[];
  /** The environment the step ran with. */
  env: Record<string, string>;
  durationMs: number;
}

/** Runner env var name of an input: upper-cased, spaces → `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file: `name<<DELIM` … `DELIM` blocks and
 * plain `name=value` lines.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j] !== delim) value.push(lines[j++]);
      if (j >= lines.length) throw new Error(`unterminated ${name}<<${delim} in command file`);
      out[name] = value.join('\n');
      i = j;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`malformed command file line: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const unescapeData = (s: string): string =>
  s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string): string =>
  unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

/**
 * A step's stdout as the runner's log shows it: `::debug::` lines only with step debug logging on
 * (ACTIONS_STEP_DEBUG, which the runner hands to steps as RUNNER_DEBUG=1); actions/runner
 * src/Runner.Worker/ActionCommandManager.cs processes `debug` through context.Debug, which writes
 * only when the execution context's WriteDebug is set.
 */
export function runnerLog(stdout: string, debug: boolean): string {
  if (debug) return stdout;
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::debug::'))
    .join('\n');
}

/** Step debug logging as a runner decides it: ACTIONS_STEP_DEBUG=true, or RUNNER_DEBUG=1. */
export function stepDebug(env: Record<string, string | undefined>): boolean {
  return env.ACTIONS_STEP_DEBUG === 'true' || env.RUNNER_DEBUG === '1';
}

/** Workflow commands (`::error file=x::msg`) in a step's stdout. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ command: m[1], properties, message: unescapeData(m[3]) });
  }
  return commands;
}

interface ActionInput {
  default?: string;
}

/** Inputs with action.yml defaults filled in, as the runner passes them. */
export function withDefaults(
  inputs: Record<string, InputValue>,
  githubToken = HARNESS_GITHUB_TOKEN,
  actionYml = join(REPO_ROOT, 'action.yml'),
): Record<string, string> {
  const doc = parseYaml(readFileSync(actionYml, 'utf8')) as {
    inputs?: Record<string, ActionInput>;
  };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec?.default === undefined) continue;
    out[name] = String(spec.default).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_all, expr: string) =>
      expr === 'github.token' ? githubToken : '',
    );
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) out[name] = runnerString(value);
  }
  return out;
}

interface JobLayout {
  home: string;
  dockerConfig: string;
  temp: string;
  toolCache: string;
  workspace: string;
  eventPath: string;
  stepDir: (step: string) => string;
}

function jobLayout(workDir: string): JobLayout {
  const l: JobLayout = {
    home: join(workDir, 'home'),
    dockerConfig: join(workDir, 'home', '.docker'),
    temp: join(workDir, 'runner-temp'),
    toolCache: join(workDir, 'tool-cache'),
    workspace: join(workDir, 'workspace'),
    eventPath: join(workDir, 'event.json'),
    stepDir: (step) => join(workDir, 'steps', step),
  };
  for (const dir of [l.dockerConfig, l.temp, l.toolCache, l.workspace])
    mkdirSync(dir, { recursive: true });
  if (!existsSync(l.eventPath)) writeFileSync(l.eventPath, '{}\n');
  return l;
}

const COMMAND_FILES = {
  GITHUB_OUTPUT: 'output',
  GITHUB_STATE: 'state',
  GITHUB_STEP_SUMMARY: 'summary.md',
  GITHUB_ENV: 'env',
  GITHUB_PATH: 'path',
} as const;

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Runs one step (main or post) of the action and collects what it produced. */
export async function runAction(opts: RunActionOptions): Promise<ActionResult> {
  const step = opts.step ?? 'main';
  const layout = jobLayout(opts.workDir);
  const stepDir = layout.stepDir(step);
  mkdirSync(stepDir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, file] of Object.entries(COMMAND_FILES)) {
    files[name] = join(stepDir, file);
    writeFileSync(files[name], '');
  }

  // What earlier steps (main) left for this one: state, exported env, PATH additions.
  const mainDir = layout.stepDir('main');
  const carried =
    step === 'post'
      ? {
          state:
            opts.state ?? parseCommandFile(readIfExists(join(mainDir, COMMAND_FILES.GITHUB_STATE))),
          env: parseCommandFile(readIfExists(join(mainDir, COMMAND_FILES.GITHUB_ENV))),
          path: readIfExists(join(mainDir, COMMAND_FILES.GITHUB_PATH)).split('\n').filter(Boolean),
        }
      : { state: opts.state ?? {}, env: {}, path: [] as string[] };

  const inputs =
    opts.applyDefaults === false
      ? stringify(opts.inputs)
      : withDefaults(opts.inputs, opts.githubToken);
  const blockInternet = opts.blockInternet ?? true;
  const env: Record<string, string> = {
    PATH: [...[...carried.path].reverse(), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(
      delimiter,
    ),
    HOME: layout.home,
    DOCKER_CONFIG: layout.dockerConfig,
    LANG: 'C.UTF-8',
    CI: 'true',
    GIT_TERMINAL_PROMPT: '0',
    RUNNER_TEMP: layout.temp,
    RUNNER_TOOL_CACHE: layout.toolCache,
    RUNNER_ARCH: 'X64',
    RUNNER_OS: 'Linux',
    RUNNER_NAME: 'canvos-harness',
    RUNNER_ENVIRONMENT: 'github-hosted',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: layout.workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_REPOSITORY: 'acme/edge-images',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242424242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    GITHUB_WORKFLOW: 'provider-images',
    GITHUB_ACTION: '__canvos-provider-images',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: layout.eventPath,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: 'c0ffee0000000000000000000000000000000000',
    ...files,
    ...(blockInternet ? BLACKHOLE_PROXY_ENV : {}),
    ...carried.env,
  };
  const dockerHost = opts.dockerHost ?? process.env.DOCKER_HOST;
  if (dockerHost) env.DOCKER_HOST = dockerHost;
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  // The saved state goes in last, over the job's env (actions/runner, ActionRunner.cs).
  for (const [name, value] of Object.entries(carried.state)) env[`STATE_${name}`] = value;

  const started = Date.now();
  const child = track(
    // detached: a process group of its own, so stragglers can be found and killed afterwards.
    // dist/ runs on the tests' own Node, 24 as users get (scripts/use-node.sh); or ACTION_NODE.
    spawn(process.env.ACTION_NODE || process.execPath, [opts.entry ?? actionEntry(step)], {
      cwd: opts.cwd ?? layout.workspace,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    { group: true },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    out.push(d);
    opts.onData?.('stdout', d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err.push(d);
    opts.onData?.('stderr', d);
  });

  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals): boolean => {
    try {
      process.kill(-(child.pid as number), signal);
      return true;
    } catch {
      return false;
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGKILL');
  }, opts.timeoutMs ?? 300_000);
  const signalTimer = opts.signalAfterMs
    ? setTimeout(() => child.kill(opts.signalAfterMs?.signal), opts.signalAfterMs.ms)
    : undefined;

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
    child.once('error', rej);
    child.once('exit', (c, s) => res([c, s]));
  });
  clearTimeout(timer);
  clearTimeout(signalTimer);
  // Like the runner's orphan clean-up: anything the step left in its group is killed.
  const orphans = killGroup('SIGKILL');
  await new Promise<void>((res) => {
    if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false)
      return res();
    const t = setTimeout(res, 2_000);
    child.once('close', () => {
      clearTimeout(t);
      res();
    });
  });

  const stdout = Buffer.concat(out).toString('utf8');
  const commands = parseWorkflowCommands(stdout);
  const messages = (name: string): string[] =>
    commands.filter((c) => c.command === name).map((c) => c.message);
  const outputs = parseCommandFile(readIfExists(files.GITHUB_OUTPUT));
  const state = parseCommandFile(readIfExists(files.GITHUB_STATE));
  // Deprecated stdout forms, still honoured by the runner.
  for (const c of commands) {
    if (c.command === 'set-output' && c.properties.name) outputs[c.properties.name] = c.message;
    if (c.command === 'save-state' && c.properties.name) state[c.properties.name] = c.message;
  }
  return {
    step,
    code,
    signal,
    timedOut,
    orphans,
    stdout,
    stderr: Buffer.concat(err).toString('utf8'),
    outputs,
    state,
    summary: readIfExists(files.GITHUB_STEP_SUMMARY),
    exportedEnv: parseCommandFile(readIfExists(files.GITHUB_ENV)),
    addedPath: readIfExists(files.GITHUB_PATH).split('\n').filter(Boolean),
    errors: messages('error'),
    warnings: messages('warning'),
    notices: messages('notice'),
    masks: messages('add-mask'),
    commands,
    env,
    durationMs: Date.now() - started,
  };
}

function stringify(inputs: Record<string, InputValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) if (v !== undefined) out[k] = runnerString(v);
  return out;
}

export interface JobResult {
  main: ActionResult;
  /** Runs whatever main did (post-if: always()). */
  post: ActionResult;
}

/** Runs the main step and then the post step in the same job directory. */
export async function runJob(opts: Omit<RunActionOptions, 'step' | 'state'>): Promise<JobResult> {
  const main = await runAction({ ...opts, step: 'main' });
  const post = await runAction({ ...opts, step: 'post', signalAfterMs: undefined });
  return { main, post };
}

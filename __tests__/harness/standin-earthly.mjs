#!/usr/bin/env node
// Stand-in for the `earthly` (or EarthBuild `earth`) CLI, served by the harness release server.
// It honours the CLI contract the action relies on (flag placement, .arg precedence, exit codes,
// --push / --ci / --output semantics) and makes tiny REAL images in the Docker engine named by
// DOCKER_HOST, so registry and local-image assertions are about real artefacts.
// Secret VALUES are never printed, logged or baked into an image; only their names are.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

// Substituted by the release server; the fallbacks apply when this file is run directly.
const RAW_VERSION = '__STANDIN_VERSION__';
const RAW_NAME = '__STANDIN_NAME__';
const VERSION = RAW_VERSION.startsWith('__') ? 'v0.0.0-standin' : RAW_VERSION;
const NAME = RAW_NAME.startsWith('__') ? 'earthly' : RAW_NAME;
const ENV_PREFIX = NAME === 'earth' ? 'EARTH_' : 'EARTHLY_';
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const TARGET = 'build-provider-images';
const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

const BOOL_FLAGS = {
  '--ci': 'ci',
  '--push': 'push',
  '--output': 'output',
  '--no-output': 'noOutput',
  '--strict': 'strict',
  '-P': 'allowPrivileged',
  '--allow-privileged': 'allowPrivileged',
  '--verbose': 'verbose',
  '-V': 'verbose',
};
const VALUE_FLAGS = {
  '--config': 'config',
  '--buildkit-image': 'buildkitImage',
  '--buildkit-host': 'buildkitHost',
  '--remote-cache': 'remoteCache',
  '--platform': 'platform',
  '--secret': 'secret',
  '-s': 'secret',
  '--build-arg': 'buildArg',
};
// Environment equivalents of global flags (a command-line flag wins over its variable).
const ENV_FLAGS = {
  CI: 'ci',
  PUSH: 'push',
  OUTPUT: 'output',
  NO_OUTPUT: 'noOutput',
  STRICT: 'strict',
  ALLOW_PRIVILEGED: 'allowPrivileged',
  VERBOSE: 'verbose',
  CONFIG: 'config',
  BUILDKIT_IMAGE: 'buildkitImage',
  BUILDKIT_HOST: 'buildkitHost',
  REMOTE_CACHE: 'remoteCache',
};

const record = {
  argv: [],
  cwd: process.cwd(),
  name: NAME,
  version: VERSION,
  globalFlags: {},
  target: null,
  buildArgs: {},
  cliBuildArgs: {},
  secretNames: [],
  refs: [],
  pushed: false,
  digests: {},
  output: false,
  buildkitImage: null,
  configFile: null,
  buildkitd: null,
  env: envSubset(),
  exitCode: null,
};
let current = null; // the docker child running now, killed on cancel
let finished = false;

// What `--version` prints after "<name> version ": "<VERSION> <GitSha> <platform>"
// (cmd/earthly/app/create.go getVersionPlatform, in earthly/earthly and EarthBuild/earthbuild).
// EarthBuild's releases are promoted staging builds whose VERSION carries the 8-hex short sha
// (EarthBuild/earthbuild .github/workflows/ci-staging-deploy.yml): `earth version v0.8.18-1a2b3c4d …`.
function versionLine() {
  const gitSha = sha256(`${NAME} ${VERSION}`).slice(0, 40);
  const version = NAME === 'earth' ? earthVersion() : VERSION;
  return `${version} ${gitSha} linux/${HOST_ARCH}; Ubuntu 24.04`;
}

function earthVersion() {
  return `${VERSION}-${sha256(`${NAME} ${VERSION}`).slice(0, 8)}`;
}

// With GITHUB_ACTIONS set (the --github-annotations flag's variable), Earthly opens a runner log
// group per phase: "::group:: <phase>" then "::endgroup:: <phase>", on stderr (earthly/earthly
// conslogging/conslogging.go PrintPhaseHeader/PrintPhaseFooter, cmd/earthly/flag/global.go).
const GITHUB_ANNOTATIONS = truthy(process.env.GITHUB_ACTIONS ?? '');

function phaseHeader(phase) {
  if (GITHUB_ANNOTATIONS) say(`::group:: ${phase}`);
  say(` ${phase}`);
  say('—'.repeat(80));
}

function phaseFooter(phase) {
  if (GITHUB_ANNOTATIONS) say(`::endgroup:: ${phase}`);
}

// Earthly starts (and so configures) BuildKit itself only for a local address
// (util/containerutil/shell_shared.go IsLocal: 127.0.0.1, ::1, localhost, container schemes).
function startsBuildkit(host) {
  if (!host) return true;
  if (/^(docker|podman)-container:\/\//.test(host)) return true;
  return /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|$)/.test(host);
}

// What the earthly-buildkitd container would start with: Earthly appends the config's
// global.buildkit_additional_args to its `docker run` (config/config.go,
// util/containerutil/shell_shared.go), and docker resolves a bare `-e NAME` from its own
// environment, which is Earthly's. Values are recorded as short hashes (they may hold credentials);
// CA files are read from the `-v` mount named by SSL_CERT_DIR.
function buildkitdStartup(configText) {
  const line = /^\s*buildkit_additional_args:\s*(\[.*\])\s*$/m.exec(configText ?? '')?.[1];
  const args = line ? JSON.parse(line) : [];
  const env = {};
  const mounts = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-e' || args[i] === '--env') {
      const spec = args[++i];
      const eq = spec.indexOf('=');
      const name = eq >= 0 ? spec.slice(0, eq) : spec;
      const value = eq >= 0 ? spec.slice(eq + 1) : process.env[name];
      if (value !== undefined) env[name] = value;
    } else if (args[i] === '-v' || args[i] === '--volume') {
      const [source, target] = args[++i].split(':');
      mounts.push({ source, target });
    }
  }
  const certDirs = (env.SSL_CERT_DIR ?? '').split(':').filter(Boolean);
  const caCerts = [];
  for (const { source, target } of mounts) {
    if (!certDirs.some((dir) => target === dir || target.startsWith(`${dir}/`))) continue;
    if (!existsSync(source)) continue;
    if (statSync(source).isDirectory()) caCerts.push(...listCerts(source));
    else caCerts.push({ name: target.split('/').pop(), sha256: sha256(readFileSync(source)) });
  }
  const hashed = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, k === 'SSL_CERT_DIR' ? v : sha256(v).slice(0, 16)]),
  );
  return { args: args.length, env: hashed, caCerts };
}

// How a local BuildKit gets its image (earthly/earthly v0.8.15 buildkitd/buildkitd.go, MaybePull and
// Start): a local image is started as it is; otherwise `docker run` pulls it for the host's arch.
// A list without that arch cannot be pulled ("no matching manifest"): `docker run` fails and so
// does Earthly (exit 1). An image of another arch starts and dies at once (exec format error),
// which Earthly reports as a crashed BuildKit (exit 7, cmd/earthly/app/run.go).
async function startBuildkitImage(image) {
  const platformOf = async () => {
    const inspect = await docker([
      'image',
      'inspect',
      '--format',
      '{{.Os}}/{{.Architecture}}',
      image,
    ]);
    return inspect.code === 0 ? inspect.stdout.trim() : undefined;
  };
  let platform = await platformOf();
  const started =
    'buildkitd | Starting buildkit daemon as a docker container (earthly-buildkitd)...';
  if (!platform) {
    const pulled = await docker(['pull', image]);
    platform = pulled.code === 0 ? await platformOf() : undefined;
    if (!platform) {
      const said = `Unable to find image '${image}' locally\n${pulled.stderr.trim()}`;
      fail(
        1,
        started,
        `Error: maybe start buildkitd: could not start container "earthly-buildkitd": could not start buildkit: command failed: docker run -d --privileged --name earthly-buildkitd ${image}: exit status 125: ${said}: exit status 125`,
      );
    }
  }
  if (platform !== `linux/${HOST_ARCH}`) {
    fail(
      7,
      started,
      `WARNING: The requested image's platform (${platform}) does not match the detected host platform (linux/${HOST_ARCH}) and no specific platform was requested`,
      'buildkitd | exec /usr/bin/entrypoint.sh: exec format error',
      'Error: It seems that buildkitd is shutting down or it has crashed. You can report crashes at https://github.com/earthly/earthly/issues/new.',
    );
  }
}

function say(line) {
  process.stderr.write(line + '\n');
}

function finish(code) {
  if (finished) return;
  finished = true;
  record.exitCode = code;
  const logFile = process.env.STANDIN_EARTHLY_LOG;
  if (logFile) {
    try {
      appendFileSync(logFile, JSON.stringify(record) + '\n');
    } catch (e) {
      say(`standin: cannot write ${logFile}: ${e.message}`);
    }
  }
  process.exit(code);
}

function fail(code, ...lines) {
  for (const line of lines) say(line);
  finish(code);
}

function envSubset() {
  const out = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DOCKER_HOST' || key === 'DOCKER_CONFIG' || /^EARTH(LY)?_/.test(key)) {
      out[key] = /TOKEN|PASSWORD|SECRET/.test(key) ? '***' : value;
    }
  }
  return out;
}

// argv with secret values replaced, for the log.
function redactArgv(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--secret' || a === '-s') && i + 1 < argv.length) {
      out.push(a, argv[i + 1].replace(/=.*/s, '=***'));
      i++;
    } else if (/^(--secret|-s)=/.test(a)) {
      out.push(a.replace(/^((?:--secret|-s)=[^=]*)=.*/s, '$1=***'));
    } else {
      out.push(a);
    }
  }
  return out;
}

function truthy(value) {
  return /^(1|true|yes)$/i.test(value);
}

function parseArgs(argv) {
  const flags = { secrets: [], buildArgs: [] };
  const explicit = new Set();
  let target = null;
  const buildArgs = {};
  let wantVersion = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('+')) {
      target = arg;
      break;
    }
    if (arg === '--version') {
      wantVersion = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('-') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('-') && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag in BOOL_FLAGS) {
      flags[BOOL_FLAGS[flag]] = inline === undefined ? true : truthy(inline);
      explicit.add(BOOL_FLAGS[flag]);
    } else if (flag in VALUE_FLAGS) {
      const key = VALUE_FLAGS[flag];
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) fail(1, `Error: flag needs an argument: ${flag}`);
        value = argv[++i];
      }
      if (key === 'secret') flags.secrets.push(value);
      else if (key === 'buildArg') flags.buildArgs.push(value);
      else {
        flags[key] = value;
        explicit.add(key);
      }
    } else if (arg.startsWith('-')) {
      fail(1, `Error: unknown flag: ${flag}`);
    } else {
      fail(1, `Error: invalid target "${arg}": only +${TARGET} exists in this stand-in`);
    }
  }
  // Everything after the target is a build arg, even `--push`.
  for (const arg of argv.slice(i + 1)) {
    const m = /^--([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(arg);
    if (!m) fail(1, `Error: invalid build arg "${arg}": expected --KEY=value after the target`);
    buildArgs[m[1]] = m[2] ?? '';
  }
  applyEnvFlags(flags, explicit);
  return {
    flags,
    target,
    buildArgs: { ...buildFlagArgs(flags.buildArgs), ...buildArgs },
    wantVersion,
  };
}

// `--build-arg NAME=value`, or `--build-arg NAME` whose value Earthly takes from its own
// environment (earthly/earthly variables/parse.go ParseCommandLineArgs: os.LookupEnv, else
// "env var NAME not set"). Like the args after the target, they win over .arg.
function buildFlagArgs(specs) {
  const out = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq >= 0 ? spec.slice(0, eq) : spec;
    const value = eq >= 0 ? spec.slice(eq + 1) : process.env[name];
    if (value === undefined) fail(1, `Error: parse build args: env var ${name} not set`);
    out[name] = value;
  }
  return out;
}

// Whether UBUNTU_PRO_KEY reached `pro attach`, as CanvOS's Earthfile reads it: a plain
// `ARG UBUNTU_PRO_KEY` up to v4.9.x; from v4.10.0 `RUN --secret UBUNTU_PRO_KEY`, only inside
// `IF [ "$UBUNTU_PRO_ATTACH" = "true" ]`. An Earthly secret never fills an ARG. Returns a short
// hash of the key that got attached (never the key), or null.
function ubuntuProAttached(earthfile, args, secrets) {
  let key;
  if (/RUN --secret UBUNTU_PRO_KEY\b/.test(earthfile)) {
    if (args.UBUNTU_PRO_ATTACH === 'true')
      key = secrets.find((x) => x.name === 'UBUNTU_PRO_KEY')?.value;
  } else if (/^ARG UBUNTU_PRO_KEY\s*$/m.test(earthfile)) {
    key = args.UBUNTU_PRO_KEY;
  }
  return key ? sha256(key).slice(0, 16) : null;
}

function applyEnvFlags(flags, explicit) {
  for (const [suffix, key] of Object.entries(ENV_FLAGS)) {
    if (explicit.has(key)) continue;
    let value = process.env[ENV_PREFIX + suffix];
    if (value === undefined && NAME === 'earth' && process.env['EARTHLY_' + suffix] !== undefined) {
      value = process.env['EARTHLY_' + suffix];
      say(`Warning: EARTHLY_${suffix} is deprecated, use EARTH_${suffix}`);
    }
    if (value === undefined) continue;
    const isBool = Object.values(BOOL_FLAGS).includes(key);
    flags[key] = isBool ? truthy(value) : value;
  }
}

function resolveSecrets(specs) {
  const secrets = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq >= 0 ? spec.slice(0, eq) : spec;
    const value = eq >= 0 ? spec.slice(eq + 1) : process.env[name];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(1, `Error: invalid secret "${name}"`);
    if (value === undefined)
      fail(1, `Error: secret ${name} not set: no value given and no environment variable ${name}`);
    secrets.push({ name, value });
  }
  return secrets;
}

// `$VAR` / `${VAR}` from the values known so far; unknown names expand to ''.
function expand(value, known) {
  return value.replace(
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced, bare) => (all === '\\$' ? '$' : (known[braced ?? bare] ?? '')),
  );
}

// godotenv semantics: comments, blank lines, `export`, optional quotes, expansion from earlier keys.
function parseDotenv(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    line = line.replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s?(.*)$/s.exec(line);
    if (!m) fail(1, `Error: parse .arg: unexpected line "${line}"`);
    const key = m[1];
    let value = m[2].trim();
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    } else if (value.startsWith('"')) {
      let end = 1;
      while (end < value.length && !(value[end] === '"' && value[end - 1] !== '\\')) end++;
      value = value.slice(1, end).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      value = expand(value, out);
    } else {
      value = expand(value.replace(/\s+#.*$/s, '').trim(), out);
    }
    out[key] = value;
  }
  return out;
}

// Global ARGs: column-0 `ARG` lines before the first target.
function earthfileArgs(text) {
  const args = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[A-Za-z][A-Za-z0-9_.-]*:\s*$/.test(line)) break;
    const m = /^ARG\s+(?:--global\s+)?([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(line);
    if (m) args.push({ name: m[1], default: m[2]?.trim().replace(/^"(.*)"$/s, '$1') });
  }
  return args;
}

function resolveArgs(declared, dotArg, cli) {
  const values = {};
  for (const { name, default: def } of declared) {
    // CanvOS sets IMAGE_TAG in an IF block just before `ARG IMAGE_PATH=…$IMAGE_TAG`; emulate it.
    if (name === 'IMAGE_PATH' && values.IMAGE_TAG === undefined) {
      values.IMAGE_TAG = cli.IMAGE_TAG ?? dotArg.IMAGE_TAG ?? imageTag(values);
    }
    values[name] = cli[name] ?? dotArg[name] ?? (def === undefined ? '' : expand(def, values));
  }
  for (const [k, v] of Object.entries(dotArg)) if (!(k in values)) values[k] = v;
  for (const [k, v] of Object.entries(cli)) values[k] = v;
  return values;
}

function imageTag(args) {
  return args.CUSTOM_TAG ? `${args.PE_VERSION}-${args.CUSTOM_TAG}` : args.PE_VERSION;
}

const DOMAIN =
  '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REF_RE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`,
);

function checkRef(ref) {
  if (REF_RE.test(ref)) return;
  const repo = ref.replace(/:[^:/]*$/, '');
  const why =
    repo !== repo.toLowerCase() && !repo.startsWith('/')
      ? ': repository name must be lowercase'
      : '';
  fail(
    1,
    `Error: build target: +provider-image: failed to parse image name "${ref}": invalid reference format${why}`,
  );
}

function normaliseArch(arch) {
  const map = { amd64: 'amd64', x86_64: 'amd64', arm64: 'arm64', aarch64: 'arm64' };
  return map[arch];
}

// Minimal ustar writer, enough for `docker load`.
function tar(entries) {
  const parts = [];
  for (const { name, data } of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.fill(' ', 148, 156);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function docker(args, input) {
  return new Promise((resolve) => {
    const child = spawn(DOCKER, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: String(e.message) }));
    child.on('close', (code) => {
      if (current === child) current = null;
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

// A one-layer image whose only file, provider.json, describes the build (no secret values).
function imageArchive(ref, arch, provider) {
  const providerJson = Buffer.from(JSON.stringify(provider, null, 2) + '\n');
  const layer = tar([{ name: 'provider.json', data: providerJson }]);
  const diffId = sha256(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: {
        Labels: {
          'io.canvos.harness.ref': ref,
          'io.canvos.harness.k8s-version': provider.k8sVersion,
          'io.canvos.harness.pe-version': provider.peVersion,
          'io.canvos.harness.arch': arch,
          'io.canvos.harness.standin': `${NAME} ${VERSION}`,
        },
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: `${NAME} ${VERSION} (standin) SAVE IMAGE` },
      ],
    }),
  );
  const configName = `${sha256(config)}.json`;
  const manifest = Buffer.from(
    JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: [`${diffId}/layer.tar`] }]),
  );
  return tar([
    { name: 'manifest.json', data: manifest },
    { name: configName, data: config },
    { name: `${diffId}/layer.tar`, data: layer },
  ]);
}

function injectedFailure(code) {
  const lines = {
    1: [
      '+provider-image | --> RUN apt-get update',
      'Error: build target: +provider-image: write /tmp/earthly/buildkit/runc-overlayfs/snapshots/snapshots/42/fs/var/cache/apt/pkgcache.bin: no space left on device',
    ],
    6: [
      'buildkitd | Starting buildkit daemon as a docker container (earthly-buildkitd)...',
      'buildkitd | Error: buildkitd failed to start (exit code 1)',
      'Error: bootstrap new buildkitd client: cannot reach BuildKit: connection refused',
    ],
    7: [
      '+provider-image | --> RUN --privileged ./build.sh',
      'Error: buildkit process has exited',
      'Error: buildkit crashed: rpc error: code = Unavailable desc = error reading from server: EOF',
    ],
    9: privilegedLines(),
    2: ['Error: context canceled', 'cancelled'],
  }[code] ?? [`Error: stand-in failure (exit code ${code})`];
  if (process.env.STANDIN_EARTHLY_FAIL_MESSAGE)
    lines[lines.length - 1] = process.env.STANDIN_EARTHLY_FAIL_MESSAGE;
  return lines;
}

function privilegedLines() {
  return [
    `+${TARGET} | --> RUN --privileged`,
    `Error: build target: +provider-image: the target +base-image uses RUN --privileged, which requires ${NAME} to be run with --allow-privileged (-P)`,
  ];
}

function cancel() {
  if (current) current.kill('SIGKILL');
  say('cancelled');
  finish(2);
}

function listCerts(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => ({ name: f, sha256: sha256(readFileSync(join(dir, f))) }));
}

async function buildOne(ctx, k8sVersion) {
  const { args, arch, secrets, flags, output } = ctx;
  // IMAGE_TAG and IMAGE_PATH are ARGs too: a build arg or .arg value overrides the computed one.
  const tag = ctx.userArgs.IMAGE_TAG ?? imageTag(args);
  const ref =
    ctx.userArgs.IMAGE_PATH ??
    `${args.IMAGE_REGISTRY}/${args.IMAGE_REPO}:${args.K8S_DISTRIBUTION}-${k8sVersion}-${tag}`;
  checkRef(ref);
  record.refs.push(ref);
  say(`+provider-image | --K8S_VERSION=${k8sVersion} --> SAVE IMAGE --push ${ref}`);
  const provider = {
    ref,
    k8sDistribution: args.K8S_DISTRIBUTION,
    k8sVersion,
    peVersion: args.PE_VERSION,
    arch,
    args: { ...args, K8S_VERSION: k8sVersion, IMAGE_TAG: tag, IMAGE_PATH: ref },
    secretNames: secrets.map((s) => s.name),
    certs: ctx.certs,
    proxyCert: ctx.proxyCert,
    edgeCustomConfig: ctx.edgeCustomConfig,
    ubuntuPro: ctx.ubuntuPro,
    standin: { name: NAME, version: VERSION },
  };
  const loaded = await docker(['load', '--quiet'], imageArchive(ref, arch, provider));
  if (loaded.code !== 0)
    fail(1, `Error: build target: +provider-image: export image ${ref}: ${loaded.stderr.trim()}`);

  if (flags.push) {
    const pushed = await docker(['push', ref]);
    if (pushed.code !== 0) {
      if (!output) await docker(['rmi', '--force', ref]);
      fail(
        1,
        `Error: build target: +provider-image: failed to push ${ref}: ${pushed.stderr.trim() || pushed.stdout.trim()}`,
      );
    }
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
    if (digest) record.digests[ref] = digest;
    record.pushed = true;
  }
  // With output off nothing is exported to the local Docker (a --ci --push goes straight from BuildKit).
  if (!output) await docker(['rmi', '--force', ref]);
  return ref;
}

async function main() {
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  const argv = process.argv.slice(2);
  record.argv = redactArgv(argv);
  const { flags, target, buildArgs, wantVersion } = parseArgs(argv);
  record.globalFlags = {
    ...flags,
    secrets: flags.secrets.map((s) => s.replace(/=.*/s, '')),
    buildArgs: flags.buildArgs.map((s) => s.replace(/=.*/s, '')),
  };

  if (wantVersion) {
    process.stdout.write(`${NAME} version ${versionLine()}\n`);
    finish(0);
  }
  if (!target) fail(1, 'Error: no target reference provided (e.g. +build-provider-images)');
  record.target = target;
  record.cliBuildArgs = { ...buildArgs };
  delete record.cliBuildArgs.UBUNTU_PRO_KEY; // a key, even as a build arg: never recorded
  const secrets = resolveSecrets(flags.secrets);
  record.secretNames = secrets.map((s) => s.name);
  if (flags.config) {
    if (!existsSync(flags.config))
      fail(
        1,
        `Error: read config ${flags.config}: open ${flags.config}: no such file or directory`,
      );
    record.configFile = readFileSync(flags.config, 'utf8');
  }
  record.buildkitd = startsBuildkit(flags.buildkitHost)
    ? buildkitdStartup(record.configFile)
    : null;
  const output = flags.output === true || !(flags.ci || flags.noOutput);
  record.output = output;
  // The default is baked in at release: earthly/buildkitd:<version>; EarthBuild v0.8.18's is
  // docker.io/earthbuild/buildkitd:<its VERSION> (.github/workflows/ci-staging-deploy.yml).
  record.buildkitImage =
    flags.buildkitImage ??
    (NAME === 'earth'
      ? `docker.io/earthbuild/buildkitd:${earthVersion()}`
      : `earthly/buildkitd:${VERSION}`);

  const injected = process.env.STANDIN_EARTHLY_EXIT;
  if (injected !== undefined && injected !== '') {
    const code = Number(injected);
    fail(code, ...injectedFailure(code));
  }
  const pause = Number(process.env.STANDIN_EARTHLY_SLEEP ?? 0);
  if (pause > 0) await sleep(pause * 1000);

  phaseHeader('Init 🚀');
  if (!existsSync('Earthfile'))
    fail(
      1,
      `Error: resolve build context for target ${target}: Earthfile not found in ${process.cwd()}`,
    );
  const earthfile = readFileSync('Earthfile', 'utf8');
  const name = target.slice(1);
  if (name !== TARGET || !new RegExp(`^${TARGET}:\\s*$`, 'm').test(earthfile)) {
    fail(1, `Error: target ${target} not found in Earthfile (the stand-in only builds +${TARGET})`);
  }

  const ping = await docker(['version', '--format', '{{.Server.Version}}']);
  if (ping.code !== 0) {
    fail(
      6,
      'buildkitd | Error: buildkitd failed to start',
      `Error: bootstrap new buildkitd client: cannot reach BuildKit: ${ping.stderr.trim()}`,
    );
  }
  if (startsBuildkit(flags.buildkitHost)) await startBuildkitImage(record.buildkitImage);
  say(
    flags.buildkitHost
      ? `buildkitd | Using buildkit at ${flags.buildkitHost}`
      : `buildkitd | Found buildkit daemon as docker container (earthly-buildkitd) from ${record.buildkitImage}`,
  );
  if (!flags.allowPrivileged) fail(9, ...privilegedLines());

  const dotArg = existsSync('.arg') ? parseDotenv(readFileSync('.arg', 'utf8')) : {};
  const args = resolveArgs(earthfileArgs(earthfile), dotArg, buildArgs);
  for (const s of secrets) delete args[s.name];
  const ubuntuPro = ubuntuProAttached(earthfile, args, secrets);
  delete args.UBUNTU_PRO_KEY; // a key, even as an ARG: never recorded or baked in
  record.buildArgs = args;

  if (!args.K8S_DISTRIBUTION) {
    fail(
      1,
      `+${TARGET} | K8S_DISTRIBUTION is not set. Please set K8S_DISTRIBUTION to kubeadm, kubeadm-fips, k3s, nodeadm, rke2 or canonical.`,
      `Error: build target: +${TARGET}: process "/bin/sh -c echo K8S_DISTRIBUTION is not set... && exit 1" did not complete successfully: exit code: 1`,
    );
  }
  const arch = normaliseArch(args.ARCH ?? '');
  if (!arch)
    fail(
      1,
      `Error: build target: +provider-image: parse platform: invalid platform linux/${args.ARCH ?? ''}: unknown architecture`,
    );

  let versions;
  if (args.K8S_VERSION) versions = [args.K8S_VERSION];
  else {
    if (!existsSync('k8s_version.json'))
      fail(1, `Error: build target: +${TARGET}: COPY k8s_version.json: no such file or directory`);
    const list = JSON.parse(readFileSync('k8s_version.json', 'utf8'))[args.K8S_DISTRIBUTION];
    versions = Array.isArray(list) ? list : [];
  }

  const ctx = {
    args,
    userArgs: { ...dotArg, ...buildArgs },
    arch,
    secrets,
    flags,
    output,
    certs: [],
    proxyCert: null,
    edgeCustomConfig: null,
    ubuntuPro,
  };
  if (/COPY --if-exists certs\//.test(earthfile)) ctx.certs = listCerts('certs');
  if (/COPY sc\.crt/.test(earthfile) && args.PROXY_CERT_PATH) {
    if (!existsSync('sc.crt'))
      fail(
        1,
        'Error: build target: +base-image: COPY sc.crt /etc/ssl/certs: no such file or directory',
      );
    ctx.proxyCert = { name: 'sc.crt', sha256: sha256(readFileSync('sc.crt')) };
  }
  if (args.EDGE_CUSTOM_CONFIG && existsSync(args.EDGE_CUSTOM_CONFIG)) {
    ctx.edgeCustomConfig = {
      name: args.EDGE_CUSTOM_CONFIG,
      content: readFileSync(args.EDGE_CUSTOM_CONFIG, 'utf8'),
    };
  }

  phaseFooter('Init 🚀');
  phaseHeader('Build 🔧');
  // CanvOS builds every version concurrently; a small pool keeps a 2-core machine responsive.
  const queue = [...versions];
  const refs = [];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      while (queue.length) refs.push(await buildOne(ctx, queue.shift()));
    }),
  );

  phaseFooter('Build 🔧');
  if (!flags.ci) {
    for (const ref of record.refs) {
      if (output) say(`Image +provider-image output as ${ref}`);
      if (output && flags.push) say(`Pushed image +provider-image as ${ref}`);
    }
  }
  if (!flags.push && refs.length) say(`Did not push images. Use ${NAME} --push to enable pushing`);
  say('========================== 🌍 Earthly Build  ✅ SUCCESS ==========================');
  finish(0);
}

main().catch((e) => fail(1, `Error: ${e?.stack ?? e}`));

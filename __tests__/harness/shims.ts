// PATH shims that record the exact argument list of every git / docker (or any other) command a
// step runs, then exec the real binary. A step sees them when their directory leads its PATH; each
// call writes one file into $SHIM_LOG_DIR (arguments NUL-separated, so newlines and spaces survive).
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** The variable naming the directory a shimmed call logs into (no logging when unset). */
export const SHIM_LOG_VAR = 'SHIM_LOG_DIR';

export interface ShimCall {
  /** The command name (`git`, `docker`). */
  name: string;
  argv: string[];
  /** When the call started: nanoseconds since the epoch, as decimal digits. */
  startedNs: string;
}

export interface Shims {
  /** Put this first on PATH. */
  dir: string;
  /** command name → the real binary each shim execs. */
  real: Record<string, string>;
}

/** Finds `name` on `path`, skipping `skipDir` (where the shims live). */
export function findOnPath(
  name: string,
  path = process.env.PATH ?? '',
  skipDir?: string,
): string | undefined {
  for (const entry of path.split(delimiter)) {
    if (!entry || (skipDir && resolve(entry) === resolve(skipDir))) continue;
    const candidate = join(entry, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Writes logging shims for `names` into `dir`; each execs the binary PATH finds without them. */
export function makeShims(dir: string, names: string[] = ['git', 'docker']): Shims {
  mkdirSync(dir, { recursive: true });
  const real: Record<string, string> = {};
  for (const name of names) {
    const target = findOnPath(name, process.env.PATH, dir);
    if (!target) throw new Error(`makeShims: ${name} is not on PATH`);
    real[name] = target;
    const script = [
      '#!/bin/sh',
      `# Records argv (argc first, NUL-separated) in $${SHIM_LOG_VAR}, then runs ${target}.`,
      `if [ -n "$${SHIM_LOG_VAR}" ]; then`,
      `  f="$${SHIM_LOG_VAR}/${name}.$(date +%s%N).$$"`,
      `  { printf '%s\\0' "$#"; [ "$#" -gt 0 ] && printf '%s\\0' "$@"; } > "$f"`,
      'fi',
      `exec ${target} "$@"`,
      '',
    ].join('\n');
    const file = join(dir, name);
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }
  return { dir, real };
}

/** The calls logged in `logDir`, oldest first. */
export function readShimLog(logDir: string): ShimCall[] {
  if (!existsSync(logDir)) return [];
  const calls: ShimCall[] = [];
  for (const file of readdirSync(logDir)) {
    const m = /^(.+)\.(\d+)\.\d+$/.exec(file);
    if (!m) continue;
    const parts = readFileSync(join(logDir, file), 'utf8').split('\0');
    const argc = Number(parts[0]);
    calls.push({ name: m[1], argv: parts.slice(1, 1 + argc), startedNs: m[2] });
  }
  const ns = (call: ShimCall) => BigInt(call.startedNs);
  return calls.sort((a, b) => (ns(a) < ns(b) ? -1 : ns(a) > ns(b) ? 1 : 0));
}

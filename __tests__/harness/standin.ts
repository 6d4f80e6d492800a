// The stand-in earthly CLI as bytes: the script with its version/name placeholders filled in,
// exactly what the release server hands out as `earthly-linux-<arch>` / `earth-linux-<arch>`.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EarthlyName = 'earthly' | 'earth';

/**
 * The version a stand-in prints and bakes into its default BuildKit image: EarthBuild's carries
 * its build's short sha (`v0.8.18-1a2b3c4d`), as standin-earthly.mjs's earthVersion() computes.
 */
export function standinVersion(version: string, name: EarthlyName): string {
  if (name === 'earthly') return version;
  return `${version}-${createHash('sha256').update(`${name} ${version}`).digest('hex').slice(0, 8)}`;
}

/**
 * The BuildKit image a stand-in starts when not told otherwise, baked in at release like the real
 * one: earthly/buildkitd:<version>, and EarthBuild v0.8.18's docker.io/earthbuild/buildkitd:<its
 * VERSION> (EarthBuild/earthbuild .github/workflows/ci-staging-deploy.yml).
 */
export function standinBuildkitImage(version: string, name: EarthlyName): string {
  return name === 'earthly'
    ? `earthly/buildkitd:${version}`
    : `docker.io/earthbuild/buildkitd:${standinVersion(version, name)}`;
}

export const STANDIN_PATH = fileURLToPath(new URL('./standin-earthly.mjs', import.meta.url));

export interface RenderStandinOptions {
  /**
   * Pad the asset to at least this many bytes with a trailing comment, so downloading, hashing and
   * caching it cost what a real ~100 MB Earthly binary costs. A padded stand-in is a small sh
   * launcher that hands only the script lines to node and never reads the padding (node would spend
   * seconds and ~500 MB parsing a 100 MB comment on every run, which a real binary does not).
   */
  padTo?: number;
}

/** The stand-in script for one version and binary name. */
export function renderStandin(
  version: string,
  name: EarthlyName = 'earthly',
  opts: RenderStandinOptions = {},
): Buffer {
  const source = readFileSync(STANDIN_PATH, 'utf8')
    .replaceAll('__STANDIN_VERSION__', version)
    .replaceAll('__STANDIN_NAME__', name);
  if (!opts.padTo || Buffer.byteLength(source) >= opts.padTo) return Buffer.from(source);
  const script = source.replace(/^#!.*\n/, '');
  const header = [
    '#!/bin/sh',
    '# Harness stand-in earthly, padded to a realistic binary size with the trailing comment below.',
    '# The shell passes only the script lines to node and never reads past this exec.',
  ];
  const scriptLines = script.endsWith('\n')
    ? script.split('\n').length - 1
    : script.split('\n').length;
  const first = header.length + 2; // the script starts on the line after the exec line
  const last = first + scriptLines - 1;
  header.push(
    `exec node --input-type=module -e "$(head -n ${last} "$0" | tail -n +${first})" -- "$0" "$@"`,
  );
  const head = Buffer.from(`${header.join('\n')}\n${script}${script.endsWith('\n') ? '' : '\n'}`);
  const line = `# ${'.'.repeat(1021)}\n`; // 1 KiB comment lines
  const fill = Math.max(0, opts.padTo - head.length);
  const padding = Buffer.alloc(fill, line);
  if (fill > 0) padding[fill - 1] = 0x0a;
  return Buffer.concat([head, padding]);
}

/** Writes an executable stand-in to `path` (e.g. a dir on PATH) and returns the path. */
export function installStandin(
  path: string,
  version: string,
  name: EarthlyName = 'earthly',
): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderStandin(version, name));
  chmodSync(path, 0o755);
  return path;
}

/** One line of $STANDIN_EARTHLY_LOG. */
export interface StandinInvocation {
  argv: string[];
  cwd: string;
  name: EarthlyName;
  version: string;
  globalFlags: {
    ci?: boolean;
    push?: boolean;
    output?: boolean;
    noOutput?: boolean;
    strict?: boolean;
    allowPrivileged?: boolean;
    verbose?: boolean;
    config?: string;
    buildkitImage?: string;
    buildkitHost?: string;
    remoteCache?: string;
    platform?: string;
    /** Secret NAMES only. */
    secrets: string[];
    /** `--build-arg` NAMES only (a bare NAME takes its value from Earthly's environment). */
    buildArgs: string[];
  };
  target: string | null;
  /** Final build args: command line > .arg > Earthfile defaults (secrets excluded). */
  buildArgs: Record<string, string>;
  /** Build args from the command line: `--build-arg` (values from the environment) and after the target. */
  cliBuildArgs: Record<string, string>;
  secretNames: string[];
  refs: string[];
  pushed: boolean;
  /** ref → pushed manifest digest. */
  digests: Record<string, string>;
  /** Whether images were exported to the local Docker. */
  output: boolean;
  buildkitImage: string | null;
  /** Text of the --config file, if one was given. */
  configFile: string | null;
  /**
   * The BuildKit container Earthly would start (null for a remote one): its environment from
   * buildkit_additional_args (values as 16-hex sha256 prefixes; SSL_CERT_DIR as is) and the CA
   * certificates mounted where SSL_CERT_DIR points.
   */
  buildkitd: {
    args: number;
    env: Record<string, string>;
    caCerts: { name: string; sha256: string }[];
  } | null;
  env: Record<string, string>;
  exitCode: number | null;
}

/** Parses $STANDIN_EARTHLY_LOG (missing file = no invocations). */
export function readStandinLog(file: string): StandinInvocation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StandinInvocation);
}

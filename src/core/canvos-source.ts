/** What the action reads from a CanvOS checkout: pure parsers over the files' text. */
import { parseImageRef } from './image-ref.js';

export interface CanvosFiles {
  earthfile: string;
  earthlySh?: string;
  k8sVersionJson?: string;
}

/** How the Earthfile takes proxy CA certificates: a `certs/` folder (v4.5.11 on) or one `sc.crt`. */
export type CertsLayout = 'certs-dir' | 'sc-crt';

/** The Earthfile's global section: everything before the first target (`name:` at column 0). */
function globalSection(earthfile: string): string[] {
  const lines = earthfile.split('\n');
  const firstTarget = lines.findIndex((line) => /^[a-zA-Z][a-zA-Z0-9._-]*:\s*$/.test(line));
  return firstTarget < 0 ? lines : lines.slice(0, firstTarget);
}

function unquote(value: string): string {
  return value.replace(/^(['"])(.*)\1$/, '$2');
}

/** The default of a global `ARG NAME=value` in the Earthfile. */
export function earthfileArgDefault(earthfile: string, name: string): string | undefined {
  const pattern = new RegExp(`^\\s*ARG\\s+(?:--global\\s+)?${name}=(\\S+)\\s*$`);
  for (const line of globalSection(earthfile)) {
    const match = pattern.exec(line);
    if (match) return unquote(match[1]);
  }
  return undefined;
}

/** PE_VERSION is the Earthfile's default, not the tag name (at v4.10.0 it says v4.9.21). */
export function readPeVersion(earthfile: string): string | undefined {
  return earthfileArgDefault(earthfile, 'PE_VERSION');
}

export function readEdgeCustomConfig(earthfile: string): string {
  return earthfileArgDefault(earthfile, 'EDGE_CUSTOM_CONFIG') ?? '.edge-custom-config.yaml';
}

/** The Earthly version CanvOS's wrapper pins (`EARTHLY_VERSION=v0.8.15`). */
export function readEarthlyVersion(earthlySh: string): string | undefined {
  const match = /^\s*(?:export\s+)?EARTHLY_VERSION=(\S+)\s*$/m.exec(earthlySh);
  if (!match) return undefined;
  const version = unquote(match[1]);
  return version.startsWith('v') ? version : `v${version}`;
}

/**
 * The BuildKit image CanvOS's wrapper starts, with its variables filled in: a mirror of
 * earthly/buildkitd that spares runners Docker Hub's rate limits.
 */
export function readBuildkitMirror(earthlySh: string, earthlyVersion: string): string | undefined {
  const vars: Record<string, string> = { EARTHLY_VERSION: earthlyVersion };
  for (const match of earthlySh.matchAll(/^\s*([A-Z_][A-Z0-9_]*)=([^\s$]+)\s*$/gm)) {
    if (match[1] !== 'EARTHLY_VERSION') vars[match[1]] = unquote(match[2]);
  }
  const image = /(\S*\/buildkitd:\S+)/.exec(earthlySh)?.[1];
  if (!image) return undefined;
  const expanded = image
    .replace(/"/g, '')
    .replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => vars[name] ?? `\0`);
  if (expanded.includes('\0')) return undefined;
  // A workflow's own checkout may say anything: only a well-formed image name reaches docker.
  try {
    parseImageRef(expanded);
  } catch {
    return undefined;
  }
  return expanded;
}

/**
 * True when the Earthfile reads `name` as a plain `ARG` and never as an Earthly secret
 * (`RUN --secret name`): CanvOS's UBUNTU_PRO_KEY up to v4.9.x, an Earthly secret from v4.10.0 on.
 */
export function secretIsBuildArg(earthfile: string, name: string): boolean {
  const arg = new RegExp(`^\\s*ARG\\s+(?:--global\\s+)?${name}(?:=|\\s*$)`, 'm');
  const secret = new RegExp(`--secret[\\s=]+${name}(?![A-Za-z0-9_])`);
  return arg.test(earthfile) && !secret.test(earthfile);
}

export function certsLayout(earthfile: string): CertsLayout {
  if (/\bcerts\//.test(earthfile)) return 'certs-dir';
  return /\bPROXY_CERT_PATH\b/.test(earthfile) ? 'sc-crt' : 'certs-dir';
}

/** `k8s_version.json`: distribution -> ascending list of `x.y.z`. */
export function parseK8sVersionJson(text: string): Record<string, string[]> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it choked on: never echo a file's content into the log.
    throw new Error('it is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('k8s_version.json is not an object');
  }
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) result[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return result;
}

/**
 * The Earthly that CanvOS's earthly.sh most likely pins at `tag` (v0.8.15 from v4.5 on, v0.8.5 on
 * v4.3-v4.4, v0.7.4 before), so a download can start while the clone runs. The real pin is read
 * after the clone; a wrong guess costs one extra download, never a wrong binary.
 */
export function likelyEarthlyPin(tag: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\.\d+/.exec(tag);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > 4 || (major === 4 && minor >= 5)) return 'v0.8.15';
  if (major === 4 && minor >= 3) return 'v0.8.5';
  return 'v0.7.4';
}

/**
 * Kubernetes versions from the Earthfile, for tags before k8s_version.json (v4.4.2-v4.4.8): the
 * `BUILD +$TARGET --K8S_VERSION=x.y.z` lines of `build-provider-images`, under
 * `IF [ "$K8S_DISTRIBUTION" = "<name>" ]` / `ELSE IF …` branches. Ascending, without repeats.
 */
export function readBuildLineVersions(earthfile: string): Record<string, string[]> {
  const lists: Record<string, Set<string>> = {};
  let inTarget = false;
  let distribution: string | undefined;
  for (const line of earthfile.split('\n')) {
    if (/^[a-zA-Z][a-zA-Z0-9._-]*:\s*$/.test(line))
      inTarget = line.trim() === 'build-provider-images:';
    if (!inTarget) continue;
    const branch = /^\s*(?:ELSE\s+)?IF\s+\[\s*"\$K8S_DISTRIBUTION"\s*=\s*"([^"]+)"\s*\]/.exec(line);
    if (branch) distribution = branch[1];
    else if (/^\s*(ELSE|END)\s*$/.test(line)) distribution = undefined;
    const build = /^\s*BUILD\s.*--K8S_VERSION=(\d+\.\d+\.\d+)\s*$/.exec(line);
    if (build && distribution) (lists[distribution] ??= new Set()).add(build[1]);
  }
  return Object.fromEntries(
    Object.entries(lists).map(([name, versions]) => [name, [...versions].sort(byVersion)]),
  );
}

function byVersion(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

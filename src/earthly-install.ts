/**
 * Installs a verified Earthly (or EarthBuild `earth`) binary into the runner's tool cache, in the
 * manner of actions/setup-go: look in the cache, else download, verify, cache, add to PATH.
 */
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import * as tc from '@actions/tool-cache';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as semver from 'semver';
import { sleep } from './retry.js';

export type EarthlyDistribution = 'earthly' | 'earthbuild';
export type EarthlyArch = 'amd64' | 'arm64';
export type EarthlyCommand = 'earthly' | 'earth';

export interface EarthlyInstallRequest {
  /** Release tag, e.g. `v0.8.15` (a missing leading `v` is added). */
  version: string;
  distribution: EarthlyDistribution;
  arch: EarthlyArch;
  /** URL with `{version}` and `{asset}`; default: the distribution's GitHub releases. */
  downloadUrlTemplate?: string;
  /** Expected sha256 of the binary; when given, checksum.asc is not fetched. */
  sha256?: string;
  /** Authorization header value (`token ghp_...`) for the download host only. */
  auth?: string;
}

export interface EarthlyInstallation {
  /** Tool cache directory that holds the binary; already on PATH. */
  dir: string;
  /** Full path of the binary (`earthly` or `earth`). */
  binary: string;
  command: EarthlyCommand;
  version: string;
  cacheHit: boolean;
  sha256: string;
}

export const DEFAULT_DOWNLOAD_URL_TEMPLATES: Readonly<Record<EarthlyDistribution, string>> = {
  earthly: 'https://github.com/earthly/earthly/releases/download/{version}/{asset}',
  earthbuild: 'https://github.com/EarthBuild/earthbuild/releases/download/{version}/{asset}',
};

/** Name of the file, in the cached directory, recording the verified hash (sha256sum format). */
export const SHA256_RECORD = '.sha256';
/** Size and mtime of the cached binary when it was verified, to skip re-hashing an untouched one. */
const STAT_RECORD = '.stat';

/** How long a lock file may sit untouched before we assume its job died. */
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_POLL_MS = 250;

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

/** The CLI name: the fork renamed the binary to `earth`. Also used as the tool cache name. */
export function commandName(distribution: EarthlyDistribution): EarthlyCommand {
  return distribution === 'earthbuild' ? 'earth' : 'earthly';
}

export function assetName(distribution: EarthlyDistribution, arch: EarthlyArch): string {
  return `${commandName(distribution)}-linux-${arch}`;
}

export function downloadUrl(template: string, version: string, asset: string): string {
  // Without {asset} the binary and checksum.asc would share one URL.
  if (!template.includes('{asset}')) {
    throw new Error(`Earthly download URL template must contain {asset}: ${redactUrl(template)}`);
  }
  return template.replaceAll('{version}', version).replaceAll('{asset}', asset);
}

export function checksumUrl(template: string, version: string): string {
  return downloadUrl(template, version, 'checksum.asc');
}

/** Tool cache arch folder: runners name them like Node's os.arch() (`x64`, `arm64`). */
export function toolCacheArch(arch: EarthlyArch): string {
  return arch === 'amd64' ? 'x64' : 'arm64';
}

/** `v0.8.15` from `v0.8.15` or `0.8.15`; throws on anything that is not a semver version. */
export function normalizeEarthlyVersion(version: string): string {
  const trimmed = version.trim();
  const tag = trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
  if (!semver.valid(tag.slice(1))) {
    throw new Error(`Earthly version must look like v0.8.15, got "${version}"`);
  }
  return tag;
}

/** Lower-case 64-hex sha256 (an optional `sha256:` prefix is accepted); throws otherwise. */
export function normalizeSha256(value: string): string {
  const hex = value
    .trim()
    .replace(/^sha256:/i, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`earthly-sha256 must be 64 hexadecimal characters, got "${value.trim()}"`);
  }
  return hex;
}

/**
 * Finds the sha256 of `asset` in a checksum.asc: a PGP clear-signed `sha256sum` listing.
 * Only the signed body is read (RFC 4880 §7: armor headers end at the first blank line, body
 * lines starting with '-' are dash-escaped as '- '); the signature block is ignored. Plain,
 * unsigned sha256sum output is accepted too. The signature itself is not verified.
 */
export function parseChecksumAsc(text: string, asset: string): string | undefined {
  const lines = text.split(/\r?\n/);
  let body = lines;
  const begin = lines.findIndex((l) => l.trim() === '-----BEGIN PGP SIGNED MESSAGE-----');
  if (begin >= 0) {
    let start = begin + 1;
    while (start < lines.length && lines[start].trim() !== '') start++; // skip "Hash: ..." headers
    const end = lines.findIndex(
      (l, i) => i > start && l.trim() === '-----BEGIN PGP SIGNATURE-----',
    );
    body = lines.slice(start + 1, end < 0 ? lines.length : end);
  }
  let found: string | undefined;
  for (const raw of body) {
    const line = raw.startsWith('- ') ? raw.slice(2) : raw;
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (!match) continue;
    const name = match[2];
    // sha256sum run from another directory prints "dist/earthly-linux-amd64".
    if (name !== asset && path.posix.basename(name) !== asset) continue;
    const hash = match[1].toLowerCase();
    if (found && found !== hash) {
      throw new Error(`checksum.asc lists ${asset} twice with different hashes`);
    }
    found = hash;
  }
  return found;
}

/** True when `--version` output names `version` (with or without its `v`) as a whole word. */
export function reportsVersion(output: string, version: string): boolean {
  const bare = version.replace(/^v/, '').replace(/[.+]/g, '\\$&');
  return new RegExp(`(^|[^\\w.-])v?${bare}(?![\\w.+-])`).test(output);
}

/** URL safe to print: no user-info, no query string (mirrors may carry tokens there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    if (u.search) u.search = '?***';
    u.hash = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, '?***');
  }
}

const NETWORK_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection broke off before the download finished',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate is not trusted',
};

/** The message for a failed tool-cache download, never including the auth value. */
export function describeDownloadFailure(error: unknown, url: string, auth?: string): string {
  const shown = redactUrl(url);
  const status = (error as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  let message: string;
  if (error instanceof tc.HTTPError || typeof status === 'number') {
    const hint =
      status === 404
        ? ' (no such release asset: check the Earthly version and the download URL template)'
        : status === 401 || status === 403
          ? ' (the host refused access: check the credentials for this mirror)'
          : '';
    message = `Earthly download failed: HTTP ${status} for ${shown}${hint}`;
  } else {
    const err = error as NodeJS.ErrnoException | undefined;
    const detail = err?.message || String(error);
    const reason = (err?.code && NETWORK_FAILURES[err.code]) || '';
    message = `Earthly download failed: ${reason ? `${reason} (${detail})` : detail} for ${shown}`;
  }
  return auth ? message.split(auth).join('***') : message;
}

// ---------------------------------------------------------------------------------------------
// I/O
// ---------------------------------------------------------------------------------------------

export async function installEarthly(req: EarthlyInstallRequest): Promise<EarthlyInstallation> {
  const version = normalizeEarthlyVersion(req.version);
  const toolVersion = version.slice(1); // tool-cache folders are plain semver
  const command = commandName(req.distribution);
  const arch = toolCacheArch(req.arch);
  const expectedSha256 = req.sha256 ? normalizeSha256(req.sha256) : undefined;

  let cached = await findIntactCache(command, toolVersion, arch, expectedSha256);
  const cacheHit = cached !== undefined;
  if (cached) {
    core.info(`Found ${command} ${version} in the tool cache: ${cached.dir}`);
  } else {
    cached = await downloadVerifyAndCache(req, version, toolVersion, arch, expectedSha256);
  }

  const binary = path.join(cached.dir, command);
  await checkReportedVersion(binary, version);
  core.addPath(cached.dir);
  core.info(`${command} ${version} is ready: ${binary}`);
  return { dir: cached.dir, binary, command, version, cacheHit, sha256: cached.sha256 };
}

interface CachedEarthly {
  dir: string;
  sha256: string;
}

/**
 * The cached directory when it holds a binary whose hash matches the record we wrote (and the
 * expected hash, when one was given); undefined otherwise, so the caller installs afresh.
 */
async function findIntactCache(
  command: EarthlyCommand,
  toolVersion: string,
  arch: string,
  expectedSha256?: string,
): Promise<CachedEarthly | undefined> {
  const dir = tc.find(command, toolVersion, arch);
  if (!dir) return undefined;
  const inspected = await inspectCachedDir(dir, command, expectedSha256);
  if ('problem' in inspected) {
    core.info(`Ignoring the cached ${command} in ${dir}: ${inspected.problem}`);
    return undefined;
  }
  return { dir, sha256: inspected.sha256 };
}

async function inspectCachedDir(
  dir: string,
  command: EarthlyCommand,
  expectedSha256?: string,
): Promise<{ sha256: string } | { problem: string }> {
  const binary = path.join(dir, command);
  const stat = await fs.stat(binary).catch(() => undefined);
  if (!stat?.isFile()) return { problem: `${command} is missing` };
  if (command === 'earth') {
    const alias = await fs.stat(path.join(dir, 'earthly')).catch(() => undefined);
    if (!alias?.isFile()) return { problem: 'the earthly alias is missing' };
  }
  const recorded = await readSha256Record(dir, command);
  if (!recorded) return { problem: `no ${SHA256_RECORD} record` };
  if (expectedSha256 && recorded !== expectedSha256) {
    return {
      problem: `it was verified as sha256 ${recorded.slice(0, 12)}…, not the expected ${expectedSha256.slice(0, 12)}…`,
    };
  }
  // Re-hash: a job killed mid-copy, or a disk clean-up, can leave a truncated binary. The size and
  // mtime recorded when it was cached vouch for an untouched binary without reading ~100 MB.
  const seen = await fs.readFile(path.join(dir, STAT_RECORD), 'utf8').catch(() => '');
  if (seen === `${stat.size} ${stat.mtimeMs}`) return { sha256: recorded };
  if ((await sha256File(binary)) !== recorded) {
    return { problem: 'the binary no longer matches its recorded sha256' };
  }
  return { sha256: recorded };
}

async function readSha256Record(dir: string, command: EarthlyCommand): Promise<string | undefined> {
  const text = await fs.readFile(path.join(dir, SHA256_RECORD), 'utf8').catch(() => '');
  const match = /^([0-9a-f]{64})\s+\*?(\S+)/m.exec(text);
  return match && match[2] === command ? match[1] : undefined;
}

async function downloadVerifyAndCache(
  req: EarthlyInstallRequest,
  version: string,
  toolVersion: string,
  arch: string,
  expectedSha256?: string,
): Promise<CachedEarthly> {
  const command = commandName(req.distribution);
  const asset = assetName(req.distribution, req.arch);
  const template = req.downloadUrlTemplate || DEFAULT_DOWNLOAD_URL_TEMPLATES[req.distribution];
  const binaryUrl = downloadUrl(template, version, asset);

  await fs.mkdir(runnerTemp(), { recursive: true });
  const work = await fs.mkdtemp(path.join(runnerTemp(), 'earthly-install-'));
  try {
    // Checksum first: a missing checksum.asc fails before a ~100 MB download.
    let expected = expectedSha256;
    let source = 'earthly-sha256 input';
    if (!expected) {
      const ascUrl = checksumUrl(template, version);
      const ascFile = await download(ascUrl, path.join(work, 'checksum.asc'), req.auth);
      expected = parseChecksumAsc(await fs.readFile(ascFile, 'utf8'), asset);
      if (!expected) {
        throw new Error(
          `checksum.asc at ${redactUrl(ascUrl)} has no sha256 line for ${asset}; ` +
            'set earthly-sha256 to verify the binary another way',
        );
      }
      source = 'checksum.asc';
    }

    core.info(`Downloading ${asset} ${version} from ${hostOf(binaryUrl)}`);
    const downloaded = await download(binaryUrl, path.join(work, 'download', asset), req.auth);
    const actual = await sha256File(downloaded);
    if (actual !== expected) {
      await fs.rm(downloaded, { force: true });
      throw new Error(
        `earthly-sha256 mismatch for ${asset} from ${redactUrl(binaryUrl)}: ` +
          `expected ${expected} (${source}), got ${actual}. The download was deleted and nothing was cached.`,
      );
    }
    core.info(`Verified ${asset} sha256 ${actual.slice(0, 12)}… against the ${source}`);

    const staging = path.join(work, 'staging');
    await stageBinary(downloaded, staging, command, actual);
    const dir = await cacheUnderLock(staging, command, toolVersion, arch, actual);
    return { dir, sha256: actual };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Lays out the directory to cache: the binary, the `earthly` alias for the fork, the record. */
async function stageBinary(
  downloaded: string,
  staging: string,
  command: EarthlyCommand,
  sha256: string,
): Promise<void> {
  await fs.mkdir(staging, { recursive: true });
  const binary = path.join(staging, command);
  await fs.rename(downloaded, binary);
  await fs.chmod(binary, 0o755);
  if (command === 'earth') {
    // Later steps (and CanvOS's own scripts) call `earthly`; a relative link survives the copy
    // into the tool cache (io.cp re-creates links with the same target).
    await fs.symlink('earth', path.join(staging, 'earthly'));
  }
  await fs.writeFile(path.join(staging, SHA256_RECORD), `${sha256}  ${command}\n`);
}

/**
 * tc.cacheDir deletes and re-copies the version folder, so two jobs on one self-hosted runner
 * caching the same version at once could pull the binary from under each other. A lock file
 * beside the folder serialises the write, and whoever comes second reuses the first one's copy.
 */
async function cacheUnderLock(
  staging: string,
  command: EarthlyCommand,
  toolVersion: string,
  arch: string,
  sha256: string,
): Promise<string> {
  const lockPath = path.join(toolCacheRoot(), command, toolVersion, `${arch}.lock`);
  return withFileLock(lockPath, async () => {
    const other = await findIntactCache(command, toolVersion, arch, sha256);
    if (other) {
      core.info(`Another job cached ${command} ${toolVersion} meanwhile; using its copy`);
      return other.dir;
    }
    const dir = await tc.cacheDir(staging, command, toolVersion, arch);
    const cached = await fs.stat(path.join(dir, command));
    await fs.writeFile(path.join(dir, STAT_RECORD), `${cached.size} ${cached.mtimeMs}`);
    return dir;
  });
}

export interface FileLockOptions {
  staleMs?: number;
  pollMs?: number;
}

/**
 * Runs `action` while holding `lockPath`, created with O_EXCL ('wx'). A lock untouched for
 * `staleMs` is taken to belong to a dead job and removed. The lock is released in `finally`,
 * and only if it is still ours (a waiter may have judged it stale and replaced it).
 */
export async function withFileLock<T>(
  lockPath: string,
  action: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const pollMs = options.pollMs ?? LOCK_POLL_MS;
  const token = `${os.hostname()} ${process.pid} ${randomUUID()}\n`;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });

  let announced = false;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = await fs.stat(lockPath).catch(() => undefined);
    if (!stat) continue; // released between our open and stat: try again at once
    if (Date.now() - stat.mtimeMs > staleMs) {
      core.info(
        `Removing stale lock ${lockPath} (untouched for over ${Math.round(staleMs / 1000)}s)`,
      );
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      core.info(`Waiting for another job to finish writing the tool cache (${lockPath})`);
      announced = true;
    }
    await sleep(pollMs + Math.random() * pollMs);
  }

  try {
    return await action();
  } finally {
    const holder = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder === token) await fs.rm(lockPath, { force: true });
  }
}

async function download(url: string, dest: string, auth?: string): Promise<string> {
  try {
    // tool-cache retries 5xx/408/429 itself and drops the Authorization header when a redirect
    // leaves the host (GitHub sends release assets to objects.githubusercontent.com).
    return await tc.downloadTool(url, dest, auth);
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- the cause could carry the credentials this message redacts
    throw new Error(describeDownloadFailure(error, url, auth));
  }
}

async function checkReportedVersion(binary: string, version: string): Promise<void> {
  let result: exec.ExecOutput;
  try {
    result = await exec.getExecOutput(binary, ['--version'], {
      silent: true,
      ignoreReturnCode: true,
    });
  } catch (error) {
    throw new Error(`Could not run ${binary} --version: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const firstLine = output.split('\n')[0] ?? '';
  if (result.exitCode !== 0) {
    throw new Error(`${binary} --version exited with ${result.exitCode}: ${firstLine}`);
  }
  if (!reportsVersion(output, version)) {
    throw new Error(`Expected ${binary} to be ${version}, but --version printed: ${firstLine}`);
  }
  core.info(firstLine);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return redactUrl(url);
  }
}

function runnerTemp(): string {
  return process.env['RUNNER_TEMP'] || os.tmpdir();
}

function toolCacheRoot(): string {
  const root = process.env['RUNNER_TOOL_CACHE'];
  if (!root) throw new Error('RUNNER_TOOL_CACHE is not set: is this running in GitHub Actions?');
  return root;
}

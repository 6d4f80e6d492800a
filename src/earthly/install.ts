/**
 * Installs a verified Earthly (or EarthBuild `earth`) binary into the runner's tool cache, in the
 * manner of actions/setup-go: look in the cache, else download, verify, cache, add to PATH.
 */
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import * as tc from '@actions/tool-cache';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Arch, EarthlyDistribution } from '../core/inputs/types.js';
import { sha256File } from '../lib/sha256.js';
import { runnerTemp } from '../runner.js';
import {
  DEFAULT_DOWNLOAD_URL_TEMPLATES,
  type EarthlyCommand,
  assetName,
  checksumUrl,
  commandName,
  downloadUrl,
  normalizeEarthlyVersion,
  normalizeSha256,
  parseChecksumAsc,
  redactUrl,
  reportsVersion,
  describeDownloadFailure,
  hostOf,
  toolCacheArch,
} from './release.js';
import { type CachedEarthly, cacheUnderLock, findIntactCache, stageBinary } from './tool-cache.js';

export interface EarthlyInstallRequest {
  /** Release tag, e.g. `v0.8.15` (a missing leading `v` is added). */
  version: string;
  distribution: EarthlyDistribution;
  /** The runner's arch: Earthly runs on the runner, whatever arch the images are for. */
  arch: Arch;
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

/** Where install messages go: the log, or a buffer while the install runs in the background. */
export type Log = (message: string) => void;

export async function installEarthly(
  req: EarthlyInstallRequest,
  log: Log = core.info,
): Promise<EarthlyInstallation> {
  const version = normalizeEarthlyVersion(req.version);
  const toolVersion = version.slice(1); // tool-cache folders are plain semver
  const command = commandName(req.distribution);
  const arch = toolCacheArch(req.arch);
  const expectedSha256 = req.sha256 ? normalizeSha256(req.sha256) : undefined;

  let cached = await findIntactCache(command, toolVersion, arch, expectedSha256, log);
  const cacheHit = cached !== undefined;
  if (cached) {
    log(`Found ${command} ${version} in the tool cache: ${cached.dir}`);
  } else {
    cached = await downloadVerifyAndCache(req, version, toolVersion, arch, log, expectedSha256);
  }

  const binary = path.join(cached.dir, command);
  log(await checkReportedVersion(binary, version));
  core.addPath(cached.dir);
  log(`${command} ${version} is ready: ${binary}`);
  return { dir: cached.dir, binary, command, version, cacheHit, sha256: cached.sha256 };
}

async function downloadVerifyAndCache(
  req: EarthlyInstallRequest,
  version: string,
  toolVersion: string,
  arch: string,
  log: Log,
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

    log(`Downloading ${asset} ${version} from ${hostOf(binaryUrl)}`);
    const downloaded = await download(binaryUrl, path.join(work, 'download', asset), req.auth);
    const actual = await sha256File(downloaded);
    if (actual !== expected) {
      await fs.rm(downloaded, { force: true });
      throw new Error(
        `earthly-sha256 mismatch for ${asset} from ${redactUrl(binaryUrl)}: ` +
          `expected ${expected} (${source}), got ${actual}. The download was deleted and nothing was cached.`,
      );
    }
    log(`Verified ${asset} sha256 ${actual.slice(0, 12)}… against the ${source}`);

    const staging = path.join(work, 'staging');
    await stageBinary(downloaded, staging, command, actual);
    const dir = await cacheUnderLock(staging, command, toolVersion, arch, actual, log);
    return { dir, sha256: actual };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
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

/** Runs `--version`; its first line, when it names `version`. */
async function checkReportedVersion(binary: string, version: string): Promise<string> {
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
  return firstLine;
}

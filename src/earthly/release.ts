/**
 * What an Earthly release is, as pure rules: the binary's name, where its assets live, how its
 * checksum.asc lists them, and how it reports its version.
 */
import * as path from 'node:path';
import type { Arch, EarthlyDistribution } from '../core/inputs/types.js';

export type EarthlyCommand = 'earthly' | 'earth';

export const DEFAULT_DOWNLOAD_URL_TEMPLATES: Readonly<Record<EarthlyDistribution, string>> = {
  earthly: 'https://github.com/earthly/earthly/releases/download/{version}/{asset}',
  earthbuild: 'https://github.com/EarthBuild/earthbuild/releases/download/{version}/{asset}',
};

const EARTHLY_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** The CLI name: the fork renamed the binary to `earth`. Also used as the tool cache name. */
export function commandName(distribution: EarthlyDistribution): EarthlyCommand {
  return distribution === 'earthbuild' ? 'earth' : 'earthly';
}

export function assetName(distribution: EarthlyDistribution, arch: Arch): string {
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
export function toolCacheArch(arch: Arch): string {
  return arch === 'amd64' ? 'x64' : 'arm64';
}

/** `v0.8.15` from `v0.8.15` or `0.8.15`; throws on anything that is not a release version. */
export function normalizeEarthlyVersion(version: string): string {
  const trimmed = version.trim();
  if (!EARTHLY_VERSION.test(trimmed)) {
    throw new Error(`Earthly version must look like v0.8.15, got "${version}"`);
  }
  return trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
}

/** Lower-case 64-hex sha256, the form sha256sum prints; throws otherwise. */
export function normalizeSha256(value: string): string {
  const hex = value.trim().toLowerCase();
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

/**
 * True when `--version` output names `version` (with or without its `v`) as a whole word.
 * EarthBuild's releases are promoted staging builds whose version carries the commit's 8-hex short
 * sha (`earth version v0.8.18-1a2b3c4d …`): that suffix, and nothing looser, is accepted too.
 */
export function reportsVersion(output: string, version: string): boolean {
  const bare = version.replace(/^v/, '').replace(/[.+]/g, '\\$&');
  return new RegExp(`(^|[^\\w.-])v?${bare}(-[0-9a-f]{8})?(?![\\w.+-])`).test(output);
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

/** The host a URL points at, for the log; a redacted URL when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return redactUrl(url);
  }
}

const NETWORK_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection broke off before the download finished',
  // Node's stream pipeline when the body ends early (lib/internal/errors.js), as tool-cache's
  // download can raise under load instead of ECONNRESET.
  ERR_STREAM_PREMATURE_CLOSE: 'the connection broke off before the download finished',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate is not trusted',
};

/** The message for a failed tool-cache download (its HTTPError carries httpStatusCode), never including the auth value. */
export function describeDownloadFailure(error: unknown, url: string, auth?: string): string {
  const shown = redactUrl(url);
  const status = (error as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  let message: string;
  if (typeof status === 'number') {
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

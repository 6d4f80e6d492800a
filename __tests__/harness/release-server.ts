// Earthly / EarthBuild release downloads served the way GitHub serves them: a 302 from
// /<owner>/<repo>/releases/download/<tag>/<asset> to an absolute object URL that has the bytes,
// with a PGP clear-signed checksum.asc beside the binaries. Faults: 5xx, truncated bodies,
// wrong checksums, other bytes for one asset, and a server that is gone.
import { createServer, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LOOPBACK, closeServer, listen, takeFault, type FaultRule } from './net.js';
import { renderStandin, type EarthlyName } from './standin.js';
import { inProcess, inThread, type ServerCore, type ServerHooks } from './server-thread.js';

export type Distribution = 'earthly' | 'earthbuild';

export const DISTRIBUTIONS: Record<Distribution, { repo: string; binary: EarthlyName }> = {
  earthly: { repo: 'earthly/earthly', binary: 'earthly' },
  earthbuild: { repo: 'EarthBuild/earthbuild', binary: 'earth' },
};

export const DEFAULT_VERSIONS: Record<Distribution, string[]> = {
  earthly: ['v0.7.4', 'v0.8.5', 'v0.8.15', 'v0.8.16'],
  earthbuild: ['v0.8.17', 'v0.8.18'],
};

export interface ReleaseRequest {
  method: string;
  path: string;
  status: number;
  kind: 'release-download' | 'object' | 'other';
  distribution?: Distribution;
  version?: string;
  asset?: string;
  injected: boolean;
  truncated: boolean;
  /** The Authorization header sent (tool-cache sends the `token` it was given). */
  authorization?: string;
}

export interface ReleaseServerOptions {
  /** Earthly versions served (default v0.7.4, v0.8.5, v0.8.15, v0.8.16). */
  versions?: string[];
  /** EarthBuild versions served (default v0.8.17, v0.8.18). */
  earthbuildVersions?: string[];
  /** Serve from the calling thread instead of a worker thread (see server-thread.ts). */
  inProcess?: boolean;
  /**
   * Pad each binary asset to this many bytes with a trailing comment (e.g. 100 MiB, a real
   * Earthly binary's size), so downloads, hashing and caching are measurable. Default: no padding.
   * The padded stand-in stays executable and checksum.asc lists its real hash.
   */
  padAssetsTo?: number;
  /**
   * Send binary assets at most this fast (bytes per second), so a download takes the time a real
   * network gives it rather than a CPU-bound loopback copy. Default: as fast as loopback goes.
   */
  bytesPerSecond?: number;
}

export interface ReleaseServer {
  baseUrl: string;
  /** `…/earthly/earthly/releases/download/{version}/{asset}` (the earthly-download-url input). */
  downloadUrlTemplate: string;
  /** The same for EarthBuild/earthbuild. */
  earthbuildDownloadUrlTemplate: string;
  urlTemplate(distribution: Distribution): string;
  /** The bytes served for a binary asset (the stand-in with placeholders filled in). */
  assetBytes(distribution: Distribution, version: string, arch: 'amd64' | 'arm64'): Buffer;
  /** sha256 (hex) of assetBytes(). */
  assetSha256(distribution: Distribution, version: string, arch: 'amd64' | 'arm64'): string;
  readonly requests: ReleaseRequest[];
  /** Release-download requests for binaries (not checksum.asc). */
  downloads(): ReleaseRequest[];
  /** Release-download requests for checksum.asc. */
  checksumFetches(): ReleaseRequest[];
  failNext(rule: { count: number; status: number; match?: RegExp; method?: string }): void;
  /** Next `count` binary object responses announce the full length, send half, and drop the socket. */
  truncateNext(rule: { count: number; match?: RegExp }): void;
  /** checksum.asc of this version (both distributions) lists wrong hashes from now on. */
  corruptChecksum(version: string): void;
  /** Serve `body` as this release asset (a binary or checksum.asc) from now on. */
  serveAsset(
    distribution: Distribution,
    version: string,
    asset: string,
    body: string | Buffer,
  ): void;
  /** Forget every fault, corruption and served body set so far. */
  reset(): void;
  clearRequests(): void;
  /** Close the server: later connections are refused. */
  stop(): Promise<void>;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function assetName(distribution: Distribution, arch: string): string {
  return `${DISTRIBUTIONS[distribution].binary}-linux-${arch}`;
}

/**
 * A PGP clear-signed text around `body` lines, as GitHub release checksum.asc files are (RFC 4880
 * §7; the signature is a fake, nobody verifies it here).
 */
export function clearSigned(bodyLines: string[]): string {
  const body = bodyLines.join('\n');
  const fakeSig = Buffer.from(sha256(body) + sha256(body + 'sig')).toString('base64');
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    body,
    '-----BEGIN PGP SIGNATURE-----',
    '',
    ...(fakeSig.match(/.{1,64}/g) ?? []),
    '=Hx3a',
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n');
}

/** checksum.asc: `sha256sum` output, clear-signed. */
const checksumAsc = (lines: [string, string][]): string =>
  clearSigned(lines.map(([hash, name]) => `${hash}  ${name}`));

interface ReleaseInfo {
  baseUrl: string;
}

interface ReleaseControl {
  failNext(rule: FaultRule): void;
  truncateNext(rule: { count: number; match?: RegExp }): void;
  corruptChecksum(version: string): void;
  serveAsset(distribution: Distribution, version: string, asset: string, body: Uint8Array): void;
  reset(): void;
}

const cache = new Map<string, Buffer>();

/** The stand-in bytes of one binary asset (memoised: rendering reads the script from disk). */
function assetBytes(distribution: Distribution, version: string, _arch: string, padTo = 0): Buffer {
  // amd64 and arm64 assets are the same bytes: share one (possibly 100 MB) buffer.
  const key = `${distribution}/${version}/${padTo}`;
  let bytes = cache.get(key);
  if (!bytes) {
    bytes = renderStandin(version, DISTRIBUTIONS[distribution].binary, { padTo });
    cache.set(key, bytes);
  }
  return bytes;
}

const hashes = new Map<string, string>();

/** sha256 of assetBytes(), memoised (hashing 100 MB per checksum.asc request would show in timings). */
function assetSha256(distribution: Distribution, version: string, arch: string, padTo = 0): string {
  const key = `${distribution}/${version}/${padTo}`;
  let hash = hashes.get(key);
  if (!hash) {
    hash = sha256(assetBytes(distribution, version, arch, padTo));
    hashes.set(key, hash);
  }
  return hash;
}

/** Writes `bytes` in slices, no faster than `rate` bytes per second on average. */
async function sendPaced(res: ServerResponse, bytes: Buffer, rate: number): Promise<void> {
  const slice = 256 * 1024;
  const started = performance.now();
  let closed = false;
  res.once('close', () => (closed = true));
  for (let offset = 0; offset < bytes.length && !closed; offset += slice) {
    const part = bytes.subarray(offset, offset + slice);
    if (!res.write(part)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    const wait = started + ((offset + part.length) / rate) * 1000 - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  if (!closed) res.end();
}

/** The server itself, on whichever thread calls it. */
export async function createReleaseCore(
  opts: Pick<
    ReleaseServerOptions,
    'versions' | 'earthbuildVersions' | 'padAssetsTo' | 'bytesPerSecond'
  >,
  hooks: ServerHooks,
): Promise<ServerCore<ReleaseInfo, ReleaseControl>> {
  const versions: Record<Distribution, string[]> = {
    earthly: opts.versions ?? DEFAULT_VERSIONS.earthly,
    earthbuild: opts.earthbuildVersions ?? DEFAULT_VERSIONS.earthbuild,
  };
  const faults: FaultRule[] = [];
  const truncations: { count: number; match?: RegExp }[] = [];
  const corrupted = new Set<string>();
  const served = new Map<string, Buffer>();

  // Served bytes of an asset, or undefined when this release does not have it.
  const content = (
    distribution: Distribution,
    version: string,
    asset: string,
  ): Buffer | undefined => {
    const replaced = served.get(`${distribution}/${version}/${asset}`);
    if (replaced) return replaced;
    if (!versions[distribution].includes(version)) return undefined;
    const binary = DISTRIBUTIONS[distribution].binary;
    const m = new RegExp(`^${binary}-linux-(amd64|arm64)$`).exec(asset);
    if (m) return assetBytes(distribution, version, m[1], opts.padAssetsTo);
    if (asset !== 'checksum.asc') return undefined;
    const lines: [string, string][] = [];
    // Real releases also list darwin/windows binaries; we do not serve them.
    for (const other of [`${binary}-darwin-amd64`, `${binary}-darwin-arm64`])
      lines.push([sha256(other), other]);
    for (const arch of ['amd64', 'arm64']) {
      const hash = corrupted.has(version)
        ? sha256(`corrupt ${arch}`)
        : assetSha256(distribution, version, arch, opts.padAssetsTo);
      lines.push([hash, assetName(distribution, arch)]);
    }
    lines.push([sha256(`${binary}-windows-amd64.exe`), `${binary}-windows-amd64.exe`]);
    return Buffer.from(checksumAsc(lines));
  };

  // Object ids are opaque, like GitHub's, and stable per asset.
  const objects = new Map<string, { distribution: Distribution; version: string; asset: string }>();
  const objectId = (distribution: Distribution, version: string, asset: string): string => {
    const id = sha256(`${distribution}/${version}/${asset}`).slice(0, 24);
    objects.set(id, { distribution, version, asset });
    return id;
  };

  let baseUrl = '';
  const notFound = (res: ServerResponse, record: ReleaseRequest): void => {
    record.status = 404;
    hooks.record(record);
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
  };

  const server = createServer((req, res) => {
    hooks.beforeRequest();
    const path = new URL(req.url ?? '/', 'http://releases').pathname;
    const record: ReleaseRequest = {
      method: req.method ?? 'GET',
      path,
      status: 0,
      kind: 'other',
      injected: false,
      truncated: false,
      authorization: req.headers.authorization,
    };
    req.resume();

    const download = /^\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
    const object = /^\/objects\/([0-9a-f]+)$/.exec(path);
    const target = download
      ? {
          distribution: (Object.keys(DISTRIBUTIONS) as Distribution[]).find(
            (d) => DISTRIBUTIONS[d].repo === download[1],
          ),
          version: decodeURIComponent(download[2]),
          asset: decodeURIComponent(download[3]),
        }
      : object
        ? objects.get(object[1])
        : undefined;
    if (download) record.kind = 'release-download';
    if (object) record.kind = 'object';
    record.distribution = target?.distribution;
    record.version = target?.version;
    record.asset = target?.asset;
    hooks.record(record);

    const fault = takeFault(faults, record.method, path);
    if (fault) {
      record.status = fault.status;
      record.injected = true;
      hooks.record(record);
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' });
      res.end(`injected fault ${fault.status}\n`);
      return;
    }
    if (!target?.distribution) return notFound(res, record);
    const bytes = content(target.distribution, target.version, target.asset);
    if (!bytes) return notFound(res, record);

    if (download) {
      record.status = 302;
      hooks.record(record);
      res.writeHead(302, {
        Location: `${baseUrl}/objects/${objectId(target.distribution, target.version, target.asset)}`,
      });
      res.end();
      return;
    }

    const truncation =
      target.asset !== 'checksum.asc'
        ? truncations.find((t) => t.count > 0 && (!t.match || t.match.test(target.asset)))
        : undefined;
    record.status = 200;
    record.truncated = truncation !== undefined && req.method !== 'HEAD';
    hooks.record(record);
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(bytes.length),
      'Content-Disposition': `attachment; filename=${target.asset}`,
    });
    if (req.method === 'HEAD') return void res.end();
    if (truncation) {
      truncation.count -= 1;
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
      return;
    }
    if (opts.bytesPerSecond && target.asset !== 'checksum.asc') {
      sendPaced(res, bytes, opts.bytesPerSecond).catch(() => res.destroy());
      return;
    }
    res.end(bytes);
  });
  const port = await listen(server);
  baseUrl = `http://${LOOPBACK}:${port}`;
  return {
    info: { baseUrl },
    control: {
      failNext(rule) {
        faults.push({ ...rule });
      },
      truncateNext(rule) {
        truncations.push({ ...rule });
      },
      corruptChecksum(version) {
        corrupted.add(version);
      },
      serveAsset(distribution, version, asset, body) {
        served.set(`${distribution}/${version}/${asset}`, Buffer.from(body));
      },
      reset() {
        faults.length = 0;
        truncations.length = 0;
        corrupted.clear();
        served.clear();
      },
    },
    stop: () => closeServer(server),
  };
}

export async function startReleaseServer(opts: ReleaseServerOptions = {}): Promise<ReleaseServer> {
  const coreOpts = {
    versions: opts.versions,
    earthbuildVersions: opts.earthbuildVersions,
    padAssetsTo: opts.padAssetsTo,
    bytesPerSecond: opts.bytesPerSecond,
  };
  const t = opts.inProcess
    ? await inProcess<ReleaseInfo, ReleaseControl, ReleaseRequest>((hooks) =>
        createReleaseCore(coreOpts, hooks),
      )
    : await inThread<ReleaseInfo, ReleaseControl, ReleaseRequest>('releases', coreOpts);
  const { baseUrl } = t.info;
  const urlTemplate = (d: Distribution): string =>
    `${baseUrl}/${DISTRIBUTIONS[d].repo}/releases/download/{version}/{asset}`;
  const releaseDownloads = (): ReleaseRequest[] =>
    t.records().filter((r) => r.kind === 'release-download');
  let stopped: Promise<void> | undefined;

  return {
    baseUrl,
    downloadUrlTemplate: urlTemplate('earthly'),
    earthbuildDownloadUrlTemplate: urlTemplate('earthbuild'),
    urlTemplate,
    assetBytes: (d, v, a) => assetBytes(d, v, a, opts.padAssetsTo),
    assetSha256: (d, v, a) => assetSha256(d, v, a, opts.padAssetsTo),
    get requests() {
      return t.records();
    },
    downloads: () => releaseDownloads().filter((r) => r.asset !== 'checksum.asc'),
    checksumFetches: () => releaseDownloads().filter((r) => r.asset === 'checksum.asc'),
    failNext: (rule) => t.control('failNext', { ...rule }),
    truncateNext: (rule) => t.control('truncateNext', { ...rule }),
    corruptChecksum: (version) => t.control('corruptChecksum', version),
    serveAsset: (d, v, asset, body) => t.control('serveAsset', d, v, asset, Buffer.from(body)),
    reset: () => t.control('reset'),
    clearRequests: () => t.clearRecords(),
    stop: () => (stopped ??= t.stop()),
  };
}

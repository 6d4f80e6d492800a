// A real Docker registry (distribution 2.x, htpasswd auth, filesystem storage) behind a recording,
// fault-injecting reverse proxy. Docker treats 127.0.0.0/8 as insecure, so plain HTTP just works.
// The proxy can also show what other registries do (configure()): answer anonymous pulls, ask for
// a Bearer token from its own /token endpoint (distribution's docs/content/spec/auth/token.md),
// leave Docker-Content-Digest out of HEAD answers, or send manifest GETs to a "blob store" origin.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import {
  LOOPBACK,
  closeServer,
  freePort,
  listen,
  parseBasicAuth,
  takeFault,
  type FaultRule,
  type RequestRecord,
} from './net.js';
import { exec, spawnTracked, stopChild, waitFor } from './processes.js';
import { gzipLayer, sha256, tinyImage } from './images.js';
import { readTar } from './tar.js';
import {
  inProcess,
  inThread,
  type ServerCore,
  type ServerHooks,
  type ServerTransport,
} from './server-thread.js';

export interface RegistryRequest extends RequestRecord {
  /** The Authorization scheme, lower-case (`basic`, `bearer`). */
  scheme?: string;
  /** The Accept header: which manifest types the client takes. */
  accept?: string;
  /** True for a request to the blob-store origin (see RegistryQuirks.redirectManifestGets). */
  blobStore: boolean;
  /** The form a POST to /token sent. */
  form?: Record<string, string>;
}

export interface RegistryQuirks {
  /**
   * `htpasswd`: the registry's own Basic challenge (default). `anonymous`: requests without
   * credentials are let in, like a public registry. `token`: a Bearer challenge whose realm is
   * the proxy's /token, which trades the htpasswd user's Basic credentials (or none) for a token.
   */
  auth: 'htpasswd' | 'anonymous' | 'token';
  /** The field /token answers in: the spec allows `token` and `access_token`. */
  tokenField: 'token' | 'access_token';
  /** Answer HEAD on a manifest without Docker-Content-Digest. */
  omitDigestOnHead: boolean;
  /** Answer an authorised manifest GET with a 307 to the blob-store origin (signed-URL style). */
  redirectManifestGets: boolean;
}

const DEFAULT_QUIRKS: RegistryQuirks = {
  auth: 'htpasswd',
  tokenField: 'token',
  omitDigestOnHead: false,
  redirectManifestGets: false,
};

export interface RegistryOptions {
  username?: string;
  password?: string;
  /** Run the proxy on the calling thread instead of a worker thread (see server-thread.ts). */
  inProcess?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config?: { Labels?: Record<string, string> | null };
  [key: string]: unknown;
}

export interface Registry {
  /** `127.0.0.1:<proxyPort>`, an image-registry value Docker will use over plain HTTP. */
  host: string;
  username: string;
  password: string;
  /** Every request the proxy saw, oldest first. */
  readonly requests: RegistryRequest[];
  /** Fail the next `count` matching requests with `status` (a registry-style JSON error). */
  failNext(rule: { count: number; status: number; match?: RegExp; method?: string }): void;
  /** Change how the proxy behaves (unset fields go back to their defaults). */
  configure(quirks?: Partial<RegistryQuirks>): void;
  /** The token /token hands out when `auth` is `token`. */
  bearerToken: string;
  /** The identity token a POST to /token takes as a refresh token (`auth: token`). */
  identityToken: string;
  /** `127.0.0.1:<port>` of the blob-store origin manifest GETs are redirected to. */
  blobStoreHost: string;
  /** Uploads a small OCI image (an empty config, no layers) as repo:tag; its digest. */
  pushManifest(repo: string, tag: string): Promise<string>;
  /**
   * Uploads a tiny pullable image for each platform (`linux/arm64`) as repo:tag: a manifest list
   * of them, or with `list: false` the first one alone. Its digest.
   */
  pushImage(
    repo: string,
    tag: string,
    platforms: string[],
    opts?: { list?: boolean },
  ): Promise<string>;
  /** `Docker-Content-Digest` of repo:tag, or undefined when it does not exist. */
  digestOf(repo: string, tag: string): Promise<string | undefined>;
  /** Tags of a repository ([] when it does not exist). */
  tags(repo: string): Promise<string[]>;
  /** Repositories in the registry. */
  catalog(): Promise<string[]>;
  /** The image config (architecture, labels, …) of repo:tag. */
  imageConfig(repo: string, tag: string): Promise<ImageConfig>;
  /** A file from the image's layers, e.g. the stand-in's `provider.json`. */
  readImageFile(repo: string, tag: string, path: string): Promise<Buffer | undefined>;
  /** `GET /v2/` requests carrying Basic auth: what `docker login` sends. */
  logins(): RegistryRequest[];
  /** Forget recorded requests. */
  clearRequests(): void;
  stop(): Promise<void>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

// Hop-by-hop headers belong to one connection and must not be forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

function registryConfig(dataDir: string, htpasswdFile: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dataDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${LOOPBACK}:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'auth:',
    '  htpasswd:',
    '    realm: canvos-harness',
    `    path: ${htpasswdFile}`,
    '',
  ].join('\n');
}

async function startBackend(
  dir: string,
  htpasswdFile: string,
): Promise<{ child: ChildProcess; port: number; logFile: string }> {
  // Output goes to a file, not a pipe: a test blocked in execSync must not stall the registry
  // on a full pipe buffer.
  const logFile = join(dir, 'registry.log');
  const log = (): string =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-8_000) : '';
  // freePort() can race with another process; retry with a new port if the registry dies.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, registryConfig(join(dir, 'data'), htpasswdFile, port));
    const fd = openSync(logFile, 'w');
    const child = spawnTracked('/usr/bin/docker-registry', ['serve', configFile], {
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
          const res = await fetch(`http://${LOOPBACK}:${port}/v2/`);
          await res.arrayBuffer();
          return res.status === 401;
        },
        {
          timeoutMs: 30_000,
          intervalMs: 100,
          what: 'docker-registry',
          onTimeout: () => `\n${log()}`,
        },
      );
      return { child, port, logFile };
    } catch (e) {
      await stopChild(child);
      if (attempt >= 3) throw e;
    }
  }
}

interface ProxyInfo {
  port: number;
  blobStorePort: number;
  bearerToken: string;
  identityToken: string;
}

interface ProxyControl {
  failNext(rule: FaultRule): void;
  configure(quirks: Partial<RegistryQuirks>): void;
}

/** The repository a /v2/<name>/(manifests|blobs|tags)/… path names. */
const repositoryOf = (path: string): string | undefined =>
  /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(path)?.[1];

/** The recording, fault-injecting reverse proxy in front of the registry. */
export async function createRegistryProxyCore(
  { backendPort, backendAuth }: { backendPort: number; backendAuth: string },
  hooks: ServerHooks,
): Promise<ServerCore<ProxyInfo, ProxyControl>> {
  const faults: FaultRule[] = [];
  let quirks = { ...DEFAULT_QUIRKS };
  const bearerToken = randomBytes(16).toString('hex');
  const identityToken = randomBytes(16).toString('hex');
  let blobStoreOrigin = '';
  const handler = (blobStore: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    hooks.beforeRequest();
    const url = new URL(req.url ?? '/', 'http://proxy');
    const auth = parseBasicAuth(req.headers.authorization);
    const record: RegistryRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      authorization: req.headers.authorization !== undefined,
      username: auth?.username,
      scheme: /^(\S+)/.exec(req.headers.authorization ?? '')?.[1].toLowerCase(),
      accept: req.headers.accept,
      injected: false,
      blobStore,
    };
    hooks.record(record);
    const setStatus = (status: number): void => {
      record.status = status;
      hooks.record(record);
    };

    const fault = takeFault(faults, record.method, record.path);
    if (fault) {
      record.injected = true;
      setStatus(fault.status);
      req.resume();
      res.writeHead(fault.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Docker-Distribution-Api-Version': 'registry/2.0',
      });
      res.end(
        JSON.stringify({
          errors: [{ code: 'UNAVAILABLE', message: 'injected fault', detail: null }],
        }),
      );
      return;
    }

    const answer = (status: number, headers: Record<string, string>, body = ''): void => {
      setStatus(status);
      req.resume();
      res.writeHead(status, headers).end(body);
    };
    const headers = { ...req.headers };
    if (blobStore) {
      headers.authorization = backendAuth; // a signed URL: it needs no credentials of its own
    } else if (quirks.auth === 'token' && record.path === '/token' && record.method === 'POST') {
      // The OAuth2 refresh-token grant (distribution docs/content/spec/auth/oauth.md): how an
      // identity token (`az acr login`) is traded for a Bearer token.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        record.form = Object.fromEntries(form);
        const granted =
          form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === identityToken;
        answer(
          granted ? 200 : 401,
          { 'Content-Type': 'application/json' },
          granted
            ? JSON.stringify({ access_token: bearerToken, expires_in: 300 })
            : '{"errors":[]}',
        );
      });
      return;
    } else if (quirks.auth === 'token' && record.path === '/token') {
      if (req.headers.authorization && req.headers.authorization !== backendAuth)
        return answer(401, { 'Content-Type': 'application/json' }, '{"errors":[]}');
      const token = { [quirks.tokenField]: bearerToken, expires_in: 300 };
      return answer(200, { 'Content-Type': 'application/json' }, JSON.stringify(token));
    } else if (quirks.auth === 'token') {
      if (req.headers.authorization !== `Bearer ${bearerToken}`) {
        const repo = repositoryOf(record.path);
        const challenge = `Bearer realm="http://${req.headers.host}/token",service="harness-registry"${repo ? `,scope="repository:${repo}:pull"` : ''}`;
        return answer(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
      }
      headers.authorization = backendAuth;
    } else if (quirks.auth === 'anonymous' && !headers.authorization) {
      headers.authorization = backendAuth;
    }
    if (
      !blobStore &&
      quirks.redirectManifestGets &&
      req.method === 'GET' &&
      record.path.includes('/manifests/') &&
      headers.authorization === backendAuth
    ) {
      return answer(307, { Location: `${blobStoreOrigin}${req.url}` });
    }

    // Forward verbatim: the Host header stays, so the registry's absolute upload Locations
    // already point at the proxy and nothing needs rewriting.
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = httpRequest(
      { host: LOOPBACK, port: backendPort, method: req.method, path: req.url, headers },
      (up: IncomingMessage) => {
        setStatus(up.statusCode ?? 502);
        const raw: string[] = [];
        const omitDigest =
          quirks.omitDigestOnHead && req.method === 'HEAD' && record.path.includes('/manifests/');
        for (let i = 0; i < up.rawHeaders.length; i += 2) {
          const name = up.rawHeaders[i].toLowerCase();
          if (HOP_BY_HOP.has(name) || (omitDigest && name === 'docker-content-digest')) continue;
          raw.push(up.rawHeaders[i], up.rawHeaders[i + 1]);
        }
        res.writeHead(record.status, raw);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      setStatus(502);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const proxy = createServer(handler(false));
  const blobs = createServer(handler(true));
  const [port, blobStorePort] = await Promise.all([listen(proxy), listen(blobs)]);
  blobStoreOrigin = `http://${LOOPBACK}:${blobStorePort}`;
  return {
    info: { port, blobStorePort, bearerToken, identityToken },
    control: {
      failNext(rule) {
        faults.push({ ...rule });
      },
      configure(changes) {
        quirks = { ...DEFAULT_QUIRKS, ...changes };
      },
    },
    stop: async () => {
      await Promise.all([closeServer(proxy), closeServer(blobs)]);
    },
  };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const username = opts.username ?? 'harness';
  const password = opts.password ?? 'harness-password';
  const dir = mkdtempSync(join(tmpdir(), 'canvos-registry-'));
  const htpasswdFile = join(dir, 'htpasswd');
  const { stdout } = await exec('htpasswd', ['-Bbn', username, password]);
  writeFileSync(htpasswdFile, stdout.trim() + '\n');

  let backend: Awaited<ReturnType<typeof startBackend>>;
  try {
    backend = await startBackend(dir, htpasswdFile);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  // Helpers talk to the registry directly so they do not show up in `requests`.
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  let proxy: ServerTransport<ProxyInfo, ProxyControl, RegistryRequest>;
  try {
    const proxyOptions = { backendPort: backend.port, backendAuth: basic };
    proxy = opts.inProcess
      ? await inProcess((hooks) => createRegistryProxyCore(proxyOptions, hooks))
      : await inThread('registry-proxy', proxyOptions);
  } catch (e) {
    await stopChild(backend.child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const host = `${LOOPBACK}:${proxy.info.port}`;

  const direct = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`http://${LOOPBACK}:${backend.port}${path}`, {
      ...init,
      headers: { Authorization: basic, ...(init.headers as Record<string, string> | undefined) },
    });

  const uploadBlob = async (repo: string, data: Buffer): Promise<void> => {
    const upload = await direct(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await upload.arrayBuffer();
    const location = new URL(upload.headers.get('location') ?? '', `http://${LOOPBACK}`);
    location.searchParams.set('digest', sha256(data));
    const put = await direct(`${location.pathname}${location.search}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob upload to ${repo}: HTTP ${put.status}`);
  };
  const putManifest = async (
    repo: string,
    ref: string,
    mediaType: string,
    manifest: object,
  ): Promise<string> => {
    const res = await direct(`/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: JSON.stringify(manifest),
    });
    await res.arrayBuffer();
    const digest = res.headers.get('docker-content-digest');
    if (res.status !== 201 || !digest)
      throw new Error(`manifest ${repo}:${ref}: HTTP ${res.status}`);
    return digest;
  };
  const manifest = async (repo: string, ref: string): Promise<Record<string, unknown>> => {
    const res = await direct(`/v2/${repo}/manifests/${ref}`, {
      headers: { Accept: MANIFEST_TYPES },
    });
    if (!res.ok) throw new Error(`manifest ${repo}:${ref}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const blob = async (repo: string, digest: string): Promise<Buffer> => {
    const res = await direct(`/v2/${repo}/blobs/${digest}`);
    if (!res.ok) throw new Error(`blob ${repo}@${digest}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };

  let stopped = false;
  return {
    host,
    username,
    password,
    get requests() {
      return proxy.records();
    },
    failNext: (rule) => proxy.control('failNext', { ...rule }),
    configure: (quirks = {}) => proxy.control('configure', { ...quirks }),
    bearerToken: proxy.info.bearerToken,
    identityToken: proxy.info.identityToken,
    blobStoreHost: `${LOOPBACK}:${proxy.info.blobStorePort}`,
    async pushManifest(repo, tag) {
      const config = Buffer.from('{}');
      await uploadBlob(repo, config);
      return putManifest(repo, tag, OCI_MANIFEST, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [],
      });
    },
    async pushImage(repo, tag, platforms, opts = {}) {
      const manifests = [];
      for (const platform of platforms) {
        const image = await tinyImage(platform, `${repo}:${tag}`);
        const layer = gzipLayer(image.layer);
        await uploadBlob(repo, image.config);
        await uploadBlob(repo, layer);
        const manifest = {
          schemaVersion: 2,
          mediaType: DOCKER_MANIFEST,
          config: {
            mediaType: DOCKER_CONFIG,
            digest: sha256(image.config),
            size: image.config.length,
          },
          layers: [{ mediaType: DOCKER_LAYER, digest: sha256(layer), size: layer.length }],
        };
        const body = JSON.stringify(manifest);
        // A list's entries are pushed by digest; a single image goes straight to the tag.
        const ref = opts.list === false ? tag : sha256(Buffer.from(body));
        const digest = await putManifest(repo, ref, DOCKER_MANIFEST, manifest);
        const [os, architecture] = platform.split('/');
        manifests.push({
          mediaType: DOCKER_MANIFEST,
          digest,
          size: body.length,
          platform: { os, architecture },
        });
      }
      if (opts.list === false) return manifests[0].digest;
      return putManifest(repo, tag, DOCKER_LIST, {
        schemaVersion: 2,
        mediaType: DOCKER_LIST,
        manifests,
      });
    },
    async digestOf(repo, tag) {
      const res = await direct(`/v2/${repo}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { Accept: MANIFEST_TYPES },
      });
      await res.arrayBuffer();
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HEAD manifest ${repo}:${tag}: HTTP ${res.status}`);
      return res.headers.get('docker-content-digest') ?? undefined;
    },
    async tags(repo) {
      const res = await direct(`/v2/${repo}/tags/list`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`tags ${repo}: HTTP ${res.status}`);
      const body = (await res.json()) as { tags: string[] | null };
      return body.tags ?? [];
    },
    async catalog() {
      const res = await direct('/v2/_catalog');
      if (!res.ok) throw new Error(`catalog: HTTP ${res.status}`);
      return ((await res.json()) as { repositories: string[] | null }).repositories ?? [];
    },
    async imageConfig(repo, tag) {
      const m = (await manifest(repo, tag)) as { config: { digest: string } };
      return JSON.parse((await blob(repo, m.config.digest)).toString('utf8')) as ImageConfig;
    },
    async readImageFile(repo, tag, path) {
      const m = (await manifest(repo, tag)) as { layers: { digest: string }[] };
      for (const layer of m.layers) {
        const file = readTar(await blob(repo, layer.digest)).get(path.replace(/^\//, ''));
        if (file) return file;
      }
      return undefined;
    },
    logins() {
      return proxy.records().filter((r) => r.path === '/v2/' && r.username !== undefined);
    },
    clearRequests: () => proxy.clearRecords(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await proxy.stop();
      await stopChild(backend.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

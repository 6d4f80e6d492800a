// A real git smart-HTTP server: Node's http server in front of `git http-backend` run as CGI,
// so clones, shallow fetches, protocol v2 and ls-remote behave exactly as against a real forge.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import {
  LOOPBACK,
  closeServer,
  listen,
  parseBasicAuth,
  takeFault,
  type FaultRule,
  type RequestRecord,
} from './net.js';
import { track } from './processes.js';
import { inProcess, inThread, type ServerCore, type ServerHooks } from './server-thread.js';

/** A request to the git server; `path` is e.g. `/spectrocloud/CanvOS.git/info/refs`. */
export interface GitRequest extends RequestRecord {
  /** Password of a Basic Authorization header (the token). */
  password?: string;
  /** The Git-Protocol header (`version=2` for protocol v2). */
  gitProtocol?: string;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/<repoName>.git` */
  url(repoName: string): string;
  /** Every request so far, oldest first. */
  readonly requests: GitRequest[];
  /** Repos under `private/` then require Basic auth whose password is this token. */
  setToken(token: string | undefined): void;
  failNext(rule: FaultRule): void;
  /**
   * Partial clones and fetches of any object id, as GitHub allows (the default), or neither, as
   * git's own defaults have it: upload-pack then ignores a `--filter` (the client only warns).
   */
  allowFilters(allow: boolean): void;
  /** `POST …/git-upload-pack`: fetches and clones that transferred objects. */
  clones(): GitRequest[];
  /** `GET …/info/refs?service=git-upload-pack`: ref advertisements (ls-remote, start of a fetch). */
  listings(): GitRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  /** Serve from the calling thread instead of a worker thread (see server-thread.ts). */
  inProcess?: boolean;
}

interface GitInfo {
  baseUrl: string;
}

interface GitControl {
  setToken(token: string | undefined): void;
  failNext(rule: FaultRule): void;
  allowFilters(allow: boolean): void;
}

const CGI_TIMEOUT_MS = 120_000;

/** The server itself, on whichever thread calls it. */
export async function createGitCore(
  { rootDir }: { rootDir: string },
  hooks: ServerHooks,
): Promise<ServerCore<GitInfo, GitControl>> {
  const faults: FaultRule[] = [];
  let token: string | undefined;
  let allowFilters = true;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    hooks.beforeRequest();
    const url = new URL(req.url ?? '/', 'http://git');
    const auth = parseBasicAuth(req.headers.authorization);
    const record: GitRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ''),
      status: 0,
      authorization: req.headers.authorization !== undefined,
      username: auth?.username,
      password: auth?.password,
      gitProtocol: req.headers['git-protocol'] as string | undefined,
      injected: false,
    };
    hooks.record(record);
    const respond = (status: number, headers: Record<string, string>, body: string): void => {
      record.status = status;
      hooks.record(record);
      req.resume();
      res.writeHead(status, headers);
      res.end(body);
    };

    const fault = takeFault(faults, record.method, record.path);
    if (fault) {
      record.injected = true;
      return respond(fault.status, { 'Content-Type': 'text/plain' }, 'injected fault\n');
    }
    // Private repos: the way GitHub accepts a token (any username, the token as password).
    if (record.path.startsWith('/private/') && (token === undefined || auth?.password !== token)) {
      return respond(
        401,
        { 'WWW-Authenticate': 'Basic realm="canvos-harness"', 'Content-Type': 'text/plain' },
        'Authentication required\n',
      );
    }
    runBackend(req, res, record, { rootDir, allowFilters }, hooks);
  };

  const server = createServer(handle);
  const port = await listen(server);
  return {
    info: { baseUrl: `http://${LOOPBACK}:${port}` },
    control: {
      setToken(value) {
        token = value;
      },
      failNext(rule) {
        faults.push({ ...rule });
      },
      allowFilters(allow) {
        allowFilters = allow;
      },
    },
    stop: () => closeServer(server),
  };
}

export async function startGitServer(
  rootDir: string,
  opts: GitServerOptions = {},
): Promise<GitServer> {
  const t = opts.inProcess
    ? await inProcess<GitInfo, GitControl, GitRequest>((hooks) => createGitCore({ rootDir }, hooks))
    : await inThread<GitInfo, GitControl, GitRequest>('git', { rootDir });
  const { baseUrl } = t.info;
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    url: (repoName) => `${baseUrl}/${repoName}.git`,
    get requests() {
      return t.records();
    },
    setToken: (token) => t.control('setToken', token),
    failNext: (rule) => t.control('failNext', { ...rule }),
    allowFilters: (allow) => t.control('allowFilters', allow),
    clones: () =>
      t.records().filter((r) => r.method === 'POST' && r.path.endsWith('/git-upload-pack')),
    listings: () =>
      t
        .records()
        .filter(
          (r) =>
            r.method === 'GET' &&
            r.path.endsWith('/info/refs') &&
            r.query.includes('service=git-upload-pack'),
        ),
    clearRequests: () => t.clearRecords(),
    stop: () => (stopped ??= t.stop()),
  };
}

function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  record: GitRequest,
  { rootDir, allowFilters }: { rootDir: string; allowFilters: boolean },
  hooks: ServerHooks,
): void {
  const allow = String(allowFilters);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: rootDir,
    GIT_HTTP_EXPORT_ALL: '1',
    // Mirror GitHub: a shallow fetch of any commit id and partial clones are allowed (by default).
    GIT_CONFIG_COUNT: '3',
    GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant',
    GIT_CONFIG_VALUE_0: allow,
    GIT_CONFIG_KEY_1: 'uploadpack.allowFilter',
    GIT_CONFIG_VALUE_1: allow,
    GIT_CONFIG_KEY_2: 'safe.directory',
    GIT_CONFIG_VALUE_2: '*',
    GIT_CONFIG_NOSYSTEM: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    PATH_INFO: record.path,
    QUERY_STRING: record.query,
    REQUEST_METHOD: record.method,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? LOOPBACK,
  };
  // Without CONTENT_LENGTH http-backend reads the (chunked) body until EOF.
  if (req.headers['content-length'] !== undefined)
    env.CONTENT_LENGTH = req.headers['content-length'];
  // http-backend inflates gzip request bodies itself when told the encoding.
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (record.gitProtocol) env.HTTP_GIT_PROTOCOL = record.gitProtocol;

  const cgi = track(spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  const timer = setTimeout(() => cgi.kill('SIGKILL'), CGI_TIMEOUT_MS);
  let stderr = '';
  cgi.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  cgi.stdin.on('error', () => {});
  req.pipe(cgi.stdin);
  // A client that goes away mid-transfer must not leave the CGI running.
  res.on('close', () => {
    if (cgi.exitCode === null) cgi.kill('SIGKILL');
  });

  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      // Respect backpressure: a big pack must not pile up in memory.
      if (!res.write(chunk)) {
        cgi.stdout.pause();
        res.once('drain', () => cgi.stdout.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.index).toString('latin1'));
    record.status = status;
    hooks.record(record);
    res.writeHead(status, headers);
    const rest = head.subarray(end.index + end.length);
    if (rest.length) res.write(rest);
  });
  cgi.on('close', (code) => {
    clearTimeout(timer);
    if (!headersDone) {
      record.status = 500;
      hooks.record(record);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend failed (exit ${code}): ${stderr}\n`);
      return;
    }
    res.end();
  });
}

function findHeaderEnd(buf: Buffer): { index: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}

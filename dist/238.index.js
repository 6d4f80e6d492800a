export const id = 238;
export const ids = [238];
export const modules = {

/***/ 6238:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkDisk: () => (/* reexport */ checkDisk),
  dockerLogin: () => (/* reexport */ dockerLogin),
  existingImages: () => (/* reexport */ existingImages),
  prepareBuildkit: () => (/* reexport */ prepareBuildkit),
  requireStoredCredentials: () => (/* reexport */ requireStoredCredentials),
  runBuild: () => (/* reexport */ runBuild),
  startEarthlyDownload: () => (/* binding */ startEarthlyDownload),
  verifyImages: () => (/* reexport */ verifyImages)
});

// EXTERNAL MODULE: ./src/core/earthly-plan.ts
var earthly_plan = __webpack_require__(9854);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: ./src/core/canvos-source.ts
var canvos_source = __webpack_require__(5347);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 2 modules
var exec = __webpack_require__(5260);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(9805);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/lib/sha256.ts


/** The sha256 of a file, streamed (Earthly binaries are ~100 MB). */
async function sha256File(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}

// EXTERNAL MODULE: ./src/runner.ts
var runner = __webpack_require__(4813);
// EXTERNAL MODULE: ./src/earthly/release.ts
var release = __webpack_require__(3422);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/lib/retry.ts
/**
 * A small retry loop shared by the modules that talk to the network themselves (the registry
 * client). Downloads through @actions/tool-cache already retry on their own.
 */
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
/** `base`, `2*base`, `4*base`, ... capped at `max`. */
function exponentialBackoff(baseMs, maxMs = 30_000) {
    return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
async function withRetry(action, options) {
    const attempts = Math.max(1, Math.floor(options.attempts));
    for (let attempt = 1;; attempt++) {
        try {
            return await action(attempt);
        }
        catch (error) {
            if (attempt >= attempts || !options.shouldRetry(error))
                throw error;
            const delay = options.delayMs(attempt);
            options.onRetry?.(error, attempt, delay);
            await sleep(delay);
        }
    }
}

;// CONCATENATED MODULE: ./src/lib/file-lock.ts
/**
 * A lock file shared by processes on one machine (jobs on one self-hosted runner), created with
 * O_EXCL so only one holder at a time.
 */





/** How long a lock file may sit untouched before we assume its job died. */
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_POLL_MS = 250;
/**
 * Runs `action` while holding `lockPath`, created with O_EXCL ('wx'). A lock untouched for
 * `staleMs` is taken to belong to a dead job and removed. The lock is released in `finally`,
 * and only if it is still ours (a waiter may have judged it stale and replaced it).
 */
async function withFileLock(lockPath, action, options = {}) {
    const staleMs = options.staleMs ?? LOCK_STALE_MS;
    const pollMs = options.pollMs ?? LOCK_POLL_MS;
    const token = `${external_node_os_.hostname()} ${process.pid} ${(0,external_node_crypto_.randomUUID)()}\n`;
    await promises_.mkdir(external_node_path_.dirname(lockPath), { recursive: true });
    let announced = false;
    for (;;) {
        try {
            const handle = await promises_.open(lockPath, 'wx');
            try {
                await handle.writeFile(token);
            }
            finally {
                await handle.close();
            }
            break;
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
        }
        const stat = await promises_.stat(lockPath).catch(() => undefined);
        if (!stat)
            continue; // released between our open and stat: try again at once
        if (Date.now() - stat.mtimeMs > staleMs) {
            options.log?.(`Taking over stale lock ${lockPath} (untouched for over ${Math.round(staleMs / 1000)}s)`);
            if (await removeIfStillStale(lockPath, staleMs))
                continue;
        }
        if (!announced) {
            options.log?.(`Waiting for another job to release ${lockPath}`);
            announced = true;
        }
        await sleep(pollMs + Math.random() * pollMs);
    }
    try {
        return await action();
    }
    finally {
        const holder = await promises_.readFile(lockPath, 'utf8').catch(() => undefined);
        if (holder === token)
            await promises_.rm(lockPath, { force: true });
    }
}
/**
 * Removes a stale lock, but only while holding `<lock>.takeover` and only if the lock there is
 * still stale: between our stat and our remove another waiter may have taken the stale lock over
 * and now hold a fresh one, which a plain stat-then-remove would delete from under it. False when
 * someone else is taking it over, or it is no longer stale.
 */
async function removeIfStillStale(lockPath, staleMs) {
    const guard = `${lockPath}.takeover`;
    let handle;
    try {
        handle = await promises_.open(guard, 'wx');
    }
    catch (error) {
        if (error.code !== 'EEXIST')
            throw error;
        // A taker that died holding the guard must not block everyone for good.
        const held = await promises_.stat(guard).catch(() => undefined);
        if (held && Date.now() - held.mtimeMs > staleMs)
            await promises_.rm(guard, { force: true });
        return false;
    }
    try {
        const now = await promises_.stat(lockPath).catch(() => undefined);
        if (!now || Date.now() - now.mtimeMs <= staleMs)
            return false;
        await promises_.rm(lockPath, { force: true });
        return true;
    }
    finally {
        await handle.close();
        await promises_.rm(guard, { force: true });
    }
}

;// CONCATENATED MODULE: ./src/earthly/tool-cache.ts
/**
 * Earthly's folder in the runner's tool cache: a verified binary plus the record of its hash,
 * written under a lock and trusted only while it still matches that record. The binary is hashed
 * on every use: on a shared (self-hosted) tool cache anyone who can write it could swap the binary
 * and keep its size and mtime, so nothing short of the hash vouches for it (~0.3 s per 100 MB).
 */







/** Name of the file, in the cached directory, recording the verified hash (sha256sum format). */
const SHA256_RECORD = '.sha256';
/**
 * The cached directory when it holds a binary whose hash matches the record we wrote (and the
 * expected hash, when one was given); undefined otherwise, so the caller installs afresh.
 */
async function findIntactCache(command, toolVersion, arch, expectedSha256, log = core.info) {
    const dir = tool_cache/* find */.I6(command, toolVersion, arch);
    if (!dir)
        return undefined;
    const inspected = await inspectCachedDir(dir, command, expectedSha256);
    if ('problem' in inspected) {
        log(`Ignoring the cached ${command} in ${dir}: ${inspected.problem}`);
        return undefined;
    }
    return { dir, sha256: inspected.sha256 };
}
async function inspectCachedDir(dir, command, expectedSha256) {
    const binary = external_node_path_.join(dir, command);
    const stat = await promises_.stat(binary).catch(() => undefined);
    if (!stat?.isFile())
        return { problem: `${command} is missing` };
    if (command === 'earth') {
        const alias = await promises_.stat(external_node_path_.join(dir, 'earthly')).catch(() => undefined);
        if (!alias?.isFile())
            return { problem: 'the earthly alias is missing' };
    }
    const recorded = await readSha256Record(dir, command);
    if (!recorded)
        return { problem: `no ${SHA256_RECORD} record` };
    if (expectedSha256 && recorded !== expectedSha256) {
        return {
            problem: `it was verified as sha256 ${recorded.slice(0, 12)}…, not the expected ${expectedSha256.slice(0, 12)}…`,
        };
    }
    // Re-hash on every use: a replaced binary (or one truncated by a killed job) must not run.
    if ((await sha256File(binary)) !== recorded) {
        return { problem: 'the binary no longer matches its recorded sha256' };
    }
    return { sha256: recorded };
}
async function readSha256Record(dir, command) {
    const text = await promises_.readFile(external_node_path_.join(dir, SHA256_RECORD), 'utf8').catch(() => '');
    const match = /^([0-9a-f]{64})\s+\*?(\S+)/m.exec(text);
    return match && match[2] === command ? match[1] : undefined;
}
/** Lays out the directory to cache: the binary, the `earthly` alias for the fork, the record. */
async function stageBinary(downloaded, staging, command, sha256) {
    await promises_.mkdir(staging, { recursive: true });
    const binary = external_node_path_.join(staging, command);
    await promises_.rename(downloaded, binary);
    await promises_.chmod(binary, 0o755);
    if (command === 'earth') {
        // Later steps (and CanvOS's own scripts) call `earthly`; a relative link survives the copy
        // into the tool cache (io.cp re-creates links with the same target).
        await promises_.symlink('earth', external_node_path_.join(staging, 'earthly'));
    }
    await promises_.writeFile(external_node_path_.join(staging, SHA256_RECORD), `${sha256}  ${command}\n`);
}
/**
 * tc.cacheDir deletes and re-copies the version folder, so two jobs on one self-hosted runner
 * caching the same version at once could pull the binary from under each other. A lock file
 * beside the folder serialises the write, and whoever comes second reuses the first one's copy.
 */
async function cacheUnderLock(staging, command, toolVersion, arch, sha256, log = core.info) {
    const lockPath = external_node_path_.join((0,runner/* toolCacheRoot */.Hw)(), command, toolVersion, `${arch}.lock`);
    return withFileLock(lockPath, async () => {
        const other = await findIntactCache(command, toolVersion, arch, sha256, log);
        if (other) {
            log(`Another job cached ${command} ${toolVersion} meanwhile; using its copy`);
            return other.dir;
        }
        return tool_cache/* cacheDir */.e8(staging, command, toolVersion, arch);
    }, { log });
}

;// CONCATENATED MODULE: ./src/earthly/install.ts
/**
 * Installs a verified Earthly (or EarthBuild `earth`) binary into the runner's tool cache, in the
 * manner of actions/setup-go: look in the cache, else download, verify, cache, add to PATH.
 */









async function installEarthly(req, log = core.info) {
    const version = (0,release/* normalizeEarthlyVersion */.Dr)(req.version);
    const toolVersion = version.slice(1); // tool-cache folders are plain semver
    const command = (0,release/* commandName */.p6)(req.distribution);
    const arch = (0,release/* toolCacheArch */.Tm)(req.arch);
    const expectedSha256 = req.sha256 ? (0,release/* normalizeSha256 */.be)(req.sha256) : undefined;
    let cached = await findIntactCache(command, toolVersion, arch, expectedSha256, log);
    const cacheHit = cached !== undefined;
    if (cached) {
        log(`Found ${command} ${version} in the tool cache: ${cached.dir}`);
    }
    else {
        cached = await downloadVerifyAndCache(req, version, toolVersion, arch, log, expectedSha256);
    }
    const binary = external_node_path_.join(cached.dir, command);
    log(await checkReportedVersion(binary, version));
    core.addPath(cached.dir);
    log(`${command} ${version} is ready: ${binary}`);
    return { dir: cached.dir, binary, command, version, cacheHit, sha256: cached.sha256 };
}
async function downloadVerifyAndCache(req, version, toolVersion, arch, log, expectedSha256) {
    const command = (0,release/* commandName */.p6)(req.distribution);
    const asset = (0,release/* assetName */.SM)(req.distribution, req.arch);
    const template = req.downloadUrlTemplate || release/* DEFAULT_DOWNLOAD_URL_TEMPLATES */.dI[req.distribution];
    const binaryUrl = (0,release/* downloadUrl */.Is)(template, version, asset);
    await promises_.mkdir((0,runner/* runnerTemp */.X5)(), { recursive: true });
    const work = await promises_.mkdtemp(external_node_path_.join((0,runner/* runnerTemp */.X5)(), 'earthly-install-'));
    try {
        // Checksum first: a missing checksum.asc fails before a ~100 MB download.
        let expected = expectedSha256;
        let source = 'earthly-sha256 input';
        if (!expected) {
            const ascUrl = (0,release/* checksumUrl */.xh)(template, version);
            const ascFile = await download(ascUrl, external_node_path_.join(work, 'checksum.asc'), req.auth);
            expected = (0,release/* parseChecksumAsc */.sT)(await promises_.readFile(ascFile, 'utf8'), asset);
            if (!expected) {
                throw new Error(`checksum.asc at ${(0,release/* redactUrl */.BO)(ascUrl)} has no sha256 line for ${asset}; ` +
                    'set earthly-sha256 to verify the binary another way');
            }
            source = 'checksum.asc';
        }
        log(`Downloading ${asset} ${version} from ${(0,release/* hostOf */.w4)(binaryUrl)}`);
        const downloaded = await download(binaryUrl, external_node_path_.join(work, 'download', asset), req.auth);
        const actual = await sha256File(downloaded);
        if (actual !== expected) {
            await promises_.rm(downloaded, { force: true });
            throw new Error(`earthly-sha256 mismatch for ${asset} from ${(0,release/* redactUrl */.BO)(binaryUrl)}: ` +
                `expected ${expected} (${source}), got ${actual}. The download was deleted and nothing was cached.`);
        }
        log(`Verified ${asset} sha256 ${actual.slice(0, 12)}… against the ${source}`);
        const staging = external_node_path_.join(work, 'staging');
        await stageBinary(downloaded, staging, command, actual);
        const dir = await cacheUnderLock(staging, command, toolVersion, arch, actual, log);
        return { dir, sha256: actual };
    }
    finally {
        await promises_.rm(work, { recursive: true, force: true });
    }
}
async function download(url, dest, auth) {
    try {
        // tool-cache retries 5xx/408/429 itself and drops the Authorization header when a redirect
        // leaves the host (GitHub sends release assets to objects.githubusercontent.com).
        return await tool_cache/* downloadTool */.bq(url, dest, auth);
    }
    catch (error) {
        // eslint-disable-next-line preserve-caught-error -- the cause could carry the credentials this message redacts
        throw new Error((0,release/* describeDownloadFailure */.kE)(error, url, auth));
    }
}
/** Runs `--version`; its first line, when it names `version`. */
async function checkReportedVersion(binary, version) {
    let result;
    try {
        result = await exec/* getExecOutput */.H(binary, ['--version'], {
            silent: true,
            ignoreReturnCode: true,
        });
    }
    catch (error) {
        throw new Error(`Could not run ${binary} --version: ${error.message}`, {
            cause: error,
        });
    }
    const output = `${result.stdout}\n${result.stderr}`.trim();
    const firstLine = output.split('\n')[0] ?? '';
    if (result.exitCode !== 0) {
        throw new Error(`${binary} --version exited with ${result.exitCode}: ${firstLine}`);
    }
    if (!(0,release/* reportsVersion */.W6)(output, version)) {
        throw new Error(`Expected ${binary} to be ${version}, but --version printed: ${firstLine}`);
    }
    return firstLine;
}

;// CONCATENATED MODULE: ./src/earthly/download.ts
/**
 * Downloads Earthly in the background from the moment its version is known, so the download
 * overlaps the clone and the other preparations; the build awaits it.
 */



class EarthlyDownload {
    policy;
    // Keyed by version: a speculative start on the likely pin must not stand in for another version.
    pending = new Map();
    // What the background download has to say waits here until "Install Earthly" shows it in its
    // own log group, not inside whichever phase happens to be running.
    held = [];
    live = false;
    log = (message) => {
        if (this.live)
            core.info(message);
        else
            this.held.push(message);
    };
    constructor(policy) {
        this.policy = policy;
    }
    /** An exact version, or the fork's under `auto`, is known up front: download it during the clone. */
    startKnownVersion() {
        const { requested, distribution, waitForRegistry } = this.policy;
        if (requested !== 'auto')
            this.start(requested);
        else if (distribution === 'earthbuild' && !waitForRegistry)
            this.start(this.policy.forkDefault);
    }
    /** `auto` upstream: once the tag is known, start on the pin it most likely has, during the clone. */
    startLikelyPin(tag) {
        const { requested, distribution, waitForRegistry } = this.policy;
        if (requested !== 'auto' || distribution !== 'earthly' || waitForRegistry)
            return;
        const likely = (0,canvos_source/* likelyEarthlyPin */.Jd)(tag);
        if (likely)
            this.start(likely);
    }
    /** Once the plan knows the version: start now unless the registry may make it unneeded. */
    startPlanned(version) {
        if (!this.policy.waitForRegistry)
            this.start(version);
    }
    async installation(version) {
        this.start(version);
        this.live = true;
        for (const message of this.held.splice(0))
            core.info(message);
        let installation;
        try {
            installation = await this.pending.get(version);
        }
        finally {
            this.live = false;
        }
        const cached = installation.cacheHit ? ' (cached)' : '';
        core.info(`Earthly ${installation.version} at ${installation.binary}${cached}`);
        return installation;
    }
    start(version) {
        if (this.pending.has(version))
            return;
        const install = installEarthly(this.policy.request(version), this.log);
        install.catch(() => undefined); // awaited later; an early failure must not go unhandled
        this.pending.set(version, install);
    }
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/core/image-ref.ts
var image_ref = __webpack_require__(3386);
;// CONCATENATED MODULE: ./src/docker/config.ts
/**
 * The Docker CLI's config (`config.json` in DOCKER_CONFIG or ~/.docker): which credentials
 * `docker login` and credential helpers hold for a registry.
 */







/** The key `docker login` uses for Docker Hub in config.json and credential helpers. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
/** Which config.json keys may name `host`: `ghcr.io`, `https://ghcr.io`, `https://ghcr.io/v1/`, ... */
function config_configKeyMatches(key, host) {
    const normalized = key
        .trim()
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/.*$/, '')
        .toLowerCase();
    const wanted = host.toLowerCase();
    if (image_ref/* DOCKER_HUB_ALIASES */.Kd.includes(wanted))
        return image_ref/* DOCKER_HUB_ALIASES */.Kd.includes(normalized);
    return normalized === wanted;
}
/** `user:pass` from a base64 `auth` field; undefined when it is not that. */
function decodeAuthField(auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
        return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
/**
 * Credentials `docker login` stored for `host`: a credential helper (credHelpers[host], then
 * credsStore), else `identitytoken` or the base64 `auth` in `auths`. Missing or unreadable → undefined.
 */
async function credentialsFromDockerConfig(host, configDir = (0,runner/* dockerConfigDir */.kG)()) {
    const config = await config_readDockerConfig(configDir);
    if (!config)
        return undefined;
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => config_configKeyMatches(key, host));
    const helper = (helperKey && config.credHelpers?.[helperKey]) || config.credsStore;
    if (helper) {
        const fromHelper = await credentialsFromHelper(helper, host);
        if (fromHelper)
            return fromHelper;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
        if (!config_configKeyMatches(key, host) || !entry)
            continue;
        if (entry.identitytoken)
            return { identityToken: entry.identitytoken };
        const credentials = entry.auth
            ? decodeAuthField(entry.auth)
            : entry.username && entry.password
                ? { username: entry.username, password: entry.password }
                : undefined;
        if (credentials)
            return credentials;
    }
    return undefined;
}
/** Runs `docker-credential-<helper> get` (the docker-credential-helpers protocol). */
async function credentialsFromHelper(helper, host) {
    if (!/^[A-Za-z0-9._-]+$/.test(helper))
        return undefined; // a name, not a path or command line
    const serverUrl = image_ref/* DOCKER_HUB_ALIASES */.Kd.includes(host.toLowerCase()) ? DOCKER_HUB_SERVER_URL : host;
    try {
        const result = await exec/* getExecOutput */.H(`docker-credential-${helper}`, ['get'], {
            input: Buffer.from(serverUrl),
            silent: true,
            ignoreReturnCode: true,
        });
        if (result.exitCode !== 0) {
            core.debug(`docker-credential-${helper} has no credentials for ${host}`);
            return undefined;
        }
        const parsed = JSON.parse(result.stdout);
        if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string')
            return undefined;
        if (!parsed.Username || !parsed.Secret)
            return undefined;
        // "<token>" marks an identity (refresh) token, exchanged at the registry's token endpoint.
        if (parsed.Username === '<token>')
            return { identityToken: parsed.Secret };
        return { username: parsed.Username, password: parsed.Secret };
    }
    catch {
        core.debug(`docker-credential-${helper} could not be run or answered something unexpected`);
        return undefined;
    }
}
/**
 * Whether Docker (and so Earthly, which reads the same config) holds credentials for `host`, the
 * way docker/cli decides (cli/config/configfile/file.go GetCredentialsStore): a helper named in
 * `credHelpers` for the host, else `credsStore`, is the only store asked; without either, an
 * `auths` entry with `auth`, `username` and `password`, or `identitytoken`.
 */
async function dockerHoldsCredentials(host, configDir = (0,runner/* dockerConfigDir */.kG)()) {
    const config = await config_readDockerConfig(configDir);
    if (!config)
        return false;
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => config_configKeyMatches(key, host));
    const helper = (helperKey && config.credHelpers?.[helperKey]) || config.credsStore;
    if (helper)
        return (await credentialsFromHelper(helper, host)) !== undefined;
    return Object.entries(config.auths ?? {}).some(([key, entry]) => config_configKeyMatches(key, host) &&
        Boolean(entry?.identitytoken ||
            (entry?.auth ? decodeAuthField(entry.auth) : entry?.username && entry.password)));
}
/**
 * The push preflight without `registry-username`: Earthly pushes with Docker's stored credentials,
 * and without them fails only at the end of the build (`no basic auth credentials`).
 */
async function requireStoredCredentials(host, configDir = (0,runner/* dockerConfigDir */.kG)()) {
    core.info(`No registry-username given: looking for Docker's stored credentials for ${host}`);
    if (!(await dockerHoldsCredentials(host, configDir))) {
        throw new errors/* ActionError */.lZ(`push: Docker holds no credentials for ${host} (${config_dockerConfigFile(configDir)}), so the push ` +
            'would fail after the whole build: set registry-username and registry-password, or log in ' +
            'with docker/login-action in a step before this one');
    }
    core.info(`Found them: Earthly pushes with Docker's stored credentials for ${host}`);
}
/** config.json in `configDir`; undefined when it is missing or not a JSON object. */
async function config_readDockerConfig(configDir = (0,runner/* dockerConfigDir */.kG)()) {
    try {
        const config = JSON.parse(await promises_.readFile(config_dockerConfigFile(configDir), 'utf8'));
        return config !== null && typeof config === 'object' ? config : undefined;
    }
    catch {
        return undefined;
    }
}
function config_dockerConfigFile(configDir = (0,runner/* dockerConfigDir */.kG)()) {
    return external_node_path_.join(configDir, 'config.json');
}

;// CONCATENATED MODULE: ./src/docker/cli.ts
/** The docker CLI: log in and out, Docker's data root, images in the local engine. */






async function docker(args, input) {
    return exec/* getExecOutput */.H('docker', args, { input, silent: true, ignoreReturnCode: true });
}
/** `docker login` with the password on stdin, never on the command line. */
async function dockerLogin(host, username, password) {
    const result = await docker(['login', `--username=${username}`, '--password-stdin', '--', host], Buffer.from(password));
    if (result.exitCode !== 0) {
        const reason = result.stderr.trim().split('\n').pop() ?? '';
        const hint = /401|unauthorized|denied|incorrect/i.test(reason)
            ? 'check registry-username and registry-password (for GHCR: a token with write:packages)'
            : 'check that Docker runs and the registry answers';
        throw new errors/* ActionError */.lZ(`docker login to ${host} failed: ${reason.replaceAll(password, '***')} — ${hint}`);
    }
    core.info(`Logged in to ${host} as ${username}`);
}
async function dockerLogout(host) {
    const result = await docker(['logout', host]);
    if (result.exitCode !== 0)
        return result.stderr.trim() || `exit code ${result.exitCode}`;
    // docker logout exits 0 even when it cannot rewrite its config (a full disk, a read-only file):
    // make sure the password is really gone.
    const config = await readDockerConfig();
    const left = Object.entries(config?.auths ?? {}).some(([key, entry]) => entry?.auth && configKeyMatches(key, host));
    return left ? `its credentials are still in ${dockerConfigFile()}` : undefined;
}
/** Docker's data directory, where a local BuildKit keeps its cache. */
async function dockerRootDir() {
    const result = await docker(['info', '--format', '{{.DockerRootDir}}']);
    const dir = result.stdout.trim();
    return result.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
}
/** Free bytes on the filesystem holding `path` (or its nearest readable parent). */
async function freeBytes(path) {
    for (let dir = path;; dir = (0,external_node_path_.dirname)(dir)) {
        try {
            const stats = await (0,promises_.statfs)(dir);
            return stats.bavail * stats.bsize;
        }
        catch {
            if (dir === (0,external_node_path_.dirname)(dir))
                return undefined;
        }
    }
}
/**
 * The image id (`sha256:…`) of `ref` in the local Docker, or undefined when Docker has no such
 * image. Other failures (no daemon, no docker CLI) throw: "absent" must not hide "unknown".
 */
function lookupLocalImage(ref) {
    return inspectImage(ref, '{{.Id}}');
}
/**
 * The `os/architecture` of `ref` in the local Docker (what Earthly compares with its own arch), or
 * undefined when Docker has no such image.
 */
function localImagePlatform(ref) {
    return inspectImage(ref, '{{.Os}}/{{.Architecture}}');
}
async function inspectImage(ref, format) {
    if (!ref.trim() || ref.startsWith('-'))
        throw new Error(`Invalid image reference "${ref}"`);
    let result;
    try {
        result = await docker(['image', 'inspect', '--format', format, ref]);
    }
    catch (error) {
        throw new Error(`Could not run docker image inspect: ${error.message}`, {
            cause: error,
        });
    }
    if (result.exitCode === 0) {
        const value = result.stdout.trim().split('\n')[0]?.trim();
        return value || undefined;
    }
    if (/no such (image|object)/i.test(result.stderr))
        return undefined;
    const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
    throw new Error(`docker image inspect ${ref} failed: ${reason}`);
}

;// CONCATENATED MODULE: ./src/core/disk.ts
const GiB = 1024 ** 3;
/**
 * A provider image is 4-5 GB, but most of it is the base every Kubernetes version shares (OS,
 * kernel, Kairos): BuildKit builds and stores those layers once per run, and Docker stores a layer
 * once however many images hold it. So: the shared base once, plus each version's own layers, plus
 * BuildKit's working cache. Estimates, rounded up.
 */
const BASE_LAYERS_BYTES = 4 * GiB;
const K8S_LAYERS_BYTES = 1 * GiB;
const BUILD_CACHE_BYTES = 3 * GiB;
/** With `exported` (push: false), the images are also written into the local Docker: their layers twice. */
function bytesNeeded(imageCount, exported = false) {
    if (imageCount === 0)
        return 0;
    const images = BASE_LAYERS_BYTES + imageCount * K8S_LAYERS_BYTES;
    return BUILD_CACHE_BYTES + (exported ? 2 : 1) * images;
}
function formatGiB(bytes) {
    return `${(bytes / GiB).toFixed(1)} GiB`;
}
/** A sentence for the log when space is short, or undefined when there is enough. */
function diskAdvice(path, freeBytes, imageCount, exported = false) {
    const needed = bytesNeeded(imageCount, exported);
    if (freeBytes >= needed)
        return undefined;
    return (`Only ${formatGiB(freeBytes)} free at ${path}; ${imageCount} provider image(s) need about ${formatGiB(needed)}. ` +
        'Free space first (for example remove /usr/share/dotnet, /usr/local/lib/android and /opt/ghc on hosted runners), ' +
        'build fewer Kubernetes versions per job with a matrix, use a larger runner, or use a remote buildkit-host.');
}

;// CONCATENATED MODULE: ./src/docker/disk.ts
/** The free-disk preflight: a local BuildKit keeps its cache and the images in Docker's data root. */




/** `exported`: the images are also exported into the local Docker (push: false, `--output`). */
async function checkDisk(mode, imageCount, exported = false) {
    if (mode === 'off')
        return core.info('No disk check: disk-check is off, or the build runs on a remote buildkit-host');
    if (imageCount === 0)
        return core.info('No disk check: nothing to build');
    const root = (await dockerRootDir()) ?? '/var/lib/docker';
    const free = await freeBytes(root);
    if (free === undefined)
        return core.info(`Could not measure free disk at ${root}; skipping the disk check`);
    const advice = diskAdvice(root, free, imageCount, exported);
    if (!advice)
        return core.info(`Disk: ${(free / 1024 ** 3).toFixed(1)} GiB free at ${root}`);
    if (mode === 'error')
        throw new errors/* ActionError */.lZ(`Not enough disk: ${advice}`);
    core.warning(advice);
}

;// CONCATENATED MODULE: ./src/core/buildkit-image.ts
/** Earthly's own BuildKit image, baked into each release: `earthly/buildkitd:<its version>`. */
function earthlyDefaultBuildkit(version) {
    return `earthly/buildkitd:${version}`;
}
function linuxOn(platform, arch) {
    const [os, architecture] = platform.split('/');
    return os === 'linux' && architecture === arch;
}
function mirrorVerdict(mirror, arch, version, finding) {
    const runner = `linux/${arch}`;
    const fallback = `using Earthly's default, ${earthlyDefaultBuildkit(version)}`;
    if (finding.where === 'docker') {
        // Earthly starts a local image as it is: one of another arch would not run here.
        return linuxOn(finding.platform, arch)
            ? {
                use: true,
                level: 'info',
                message: `BuildKit image ${mirror} (${runner}, in the local Docker)`,
            }
            : {
                use: false,
                level: 'warning',
                message: `The local Docker's ${mirror} is ${finding.platform}, not this runner's ${runner}: ${fallback}`,
            };
    }
    if ('platforms' in finding) {
        return finding.platforms.some((platform) => linuxOn(platform, arch))
            ? { use: true, level: 'info', message: `BuildKit image ${mirror} (has ${runner})` }
            : {
                use: false,
                level: 'notice',
                message: `CanvOS's BuildKit mirror has no ${runner} image of ${mirror} (it has ${finding.platforms.join(', ') || 'no platform'}): ${fallback}`,
            };
    }
    if ('missing' in finding) {
        return {
            use: false,
            level: 'notice',
            message: `CanvOS's BuildKit mirror has no ${mirror}: ${fallback}`,
        };
    }
    return {
        use: false,
        level: 'warning',
        message: `Could not tell whether CanvOS's BuildKit mirror has a ${runner} image of ${mirror} (${finding.error}): ${fallback}`,
    };
}
/** The plan with Earthly left to its default BuildKit image. */
function withoutBuildkitMirror(earthly) {
    const at = earthly.args.indexOf('--buildkit-image');
    return {
        ...earthly,
        buildkitImage: undefined,
        buildkitMirror: undefined,
        args: at < 0 ? earthly.args : earthly.args.filter((_, i) => i !== at && i !== at + 1),
    };
}

;// CONCATENATED MODULE: ./src/docker/emulation.ts
/** Cross-arch builds: BuildKit runs the other arch's RUN steps through the kernel's QEMU handler. */




/** The binfmt_misc handlers QEMU registers (tonistiigi/binfmt, which docker/setup-qemu-action runs). */
const QEMU_HANDLERS = { arm64: 'qemu-aarch64', amd64: 'qemu-x86_64' };
/**
 * Fails before the build when images for another arch cannot run their RUN steps: the kernel
 * needs an enabled QEMU handler for that arch, shared by Docker and BuildKit's containers.
 */
async function checkEmulation(target, runner, binfmtDir = '/proc/sys/fs/binfmt_misc') {
    if (target === runner)
        return core.info(`No emulation needed: ${target} images on an ${runner} runner`);
    const handler = (0,external_node_path_.join)(binfmtDir, QEMU_HANDLERS[target]);
    const state = await (0,promises_.readFile)(handler, 'utf8').catch(() => '');
    if (/^enabled$/m.test(state))
        return core.info(`${target} RUN steps run through QEMU (${handler})`);
    throw new errors/* ActionError */.lZ(`arch: ${target} on an ${runner} runner needs QEMU, and ${handler} is not an enabled handler: add "- uses: docker/setup-qemu-action@v3" before this step`);
}

;// CONCATENATED MODULE: ./src/registry/auth.ts
/** Parses a WWW-Authenticate value (RFC 7235), including several challenges joined by commas. */
function parseWwwAuthenticate(header) {
    const challenges = [];
    let i = 0;
    const skip = (chars) => {
        while (i < header.length && chars.test(header[i]))
            i++;
    };
    const readToken = () => {
        const start = i;
        while (i < header.length && !/[\s,=]/.test(header[i]))
            i++;
        return header.slice(start, i);
    };
    while (i < header.length) {
        skip(/[\s,]/);
        const name = readToken();
        if (!name) {
            i++;
            continue;
        }
        skip(/\s/);
        if (header[i] !== '=' || challenges.length === 0) {
            challenges.push({ scheme: name.toLowerCase(), params: {} });
            continue;
        }
        i++; // '='
        skip(/\s/);
        let value = '';
        if (header[i] === '"') {
            i++;
            while (i < header.length && header[i] !== '"') {
                if (header[i] === '\\' && i + 1 < header.length)
                    i++;
                value += header[i++];
            }
            i++; // closing quote
        }
        else {
            const start = i;
            while (i < header.length && header[i] !== ',')
                i++;
            value = header.slice(start, i).trim();
        }
        challenges[challenges.length - 1].params[name.toLowerCase()] = value;
    }
    return challenges;
}
function basicAuthorization(credentials) {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
/**
 * An identity token is an OAuth2 refresh token: POSTed to the realm as a form with
 * grant_type=refresh_token (distribution/distribution docs/spec/auth/oauth.md; docker/distribution
 * registry/client/auth/session.go fetchTokenWithOAuth). The answer's `access_token` is the bearer.
 */
function refreshTokenForm(url, refreshToken) {
    const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'canvos-provider-images-action',
    });
    for (const key of ['service', 'scope']) {
        const value = url.searchParams.get(key);
        if (value)
            form.set(key, value);
    }
    return form;
}
/** The bearer token in a token endpoint's JSON answer: `token`, or OAuth2's `access_token`. */
async function tokenFromAnswer(response, endpoint) {
    let body;
    try {
        body = (await response.json());
    }
    catch {
        throw new Error(`${endpoint} did not answer JSON`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token)
        throw new Error(`${endpoint} returned no token`);
    return token;
}

// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __webpack_require__(1692);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(6752);
;// CONCATENATED MODULE: ./src/registry/http.ts
/**
 * HTTP to a registry: Docker's choice of scheme, the runner's proxy settings, and redirects that
 * never carry credentials to another origin.
 */



// Self-hosted runners often reach registries only through HTTP(S)_PROXY (minus NO_PROXY), which
// Node's built-in fetch ignores; undici's fetch with this agent honours them as Docker does.
const agents = new Map();
/**
 * Loopback never goes through a proxy, whatever NO_PROXY says, as in Docker (Go's
 * golang.org/x/net/http/httpproxy `useProxy`: localhost and loopback IPs are never proxied). A
 * loopback registry speaks plain HTTP, so a proxy would see its Basic credentials in clear text.
 * Every other host goes through HTTP(S)_PROXY (minus NO_PROXY), trusting what Docker trusts.
 */
function dispatcher(url, extraCa) {
    const direct = (0,image_ref/* isLoopbackHost */.cW)(url.host);
    const key = `${direct ? 'direct' : 'proxy'}\n${extraCa.join('\n')}`;
    let agent = agents.get(key);
    if (!agent) {
        const connect = { ca: trustedCas(extraCa) };
        agent = direct ? new undici/* Agent */.g6({ connect }) : quietly(() => new undici/* EnvHttpProxyAgent */.J2({ connect }));
        agents.set(key, agent);
    }
    return agent;
}
/**
 * What Docker trusts: the bundled roots with NODE_EXTRA_CA_CERTS ('default'), the system store
 * (a TLS-inspecting proxy's CA is usually installed there), and the workflow's proxy-ca-certs.
 */
function trustedCas(extraCa) {
    const get = external_node_tls_.getCACertificates;
    const stores = get ? [...get('default'), ...get('system')] : [...external_node_tls_.rootCertificates];
    return [...new Set([...stores, ...extraCa])];
}
/** undici warns that EnvHttpProxyAgent is experimental: that is for us, not the user's log. */
function quietly(make) {
    const emitWarning = process.emitWarning.bind(process);
    process.emitWarning = () => undefined;
    try {
        return make();
    }
    finally {
        process.emitWarning = emitWarning;
    }
}
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'canvos-provider-images-action';
/** Docker talks plain HTTP to loopback registries (they are implicitly insecure), HTTPS elsewhere. */
function registryBaseUrl(host) {
    if (image_ref/* DOCKER_HUB_ALIASES */.Kd.includes(host.toLowerCase()))
        return 'https://registry-1.docker.io';
    return `${(0,image_ref/* isLoopbackHost */.cW)(host) ? 'http' : 'https'}://${host}`;
}
class TransientStatus extends Error {
    status;
    constructor(status) {
        super(`HTTP ${status}`);
        this.status = status;
    }
}
/** fetch, but redirects are followed by hand so Authorization never leaves the original origin. */
async function fetchFollowingRedirects(method, url, headers, options = {}) {
    let current = new URL(url);
    const currentHeaders = new undici.Headers({ 'user-agent': USER_AGENT, ...headers });
    for (let hop = 0;; hop++) {
        const response = await (0,undici/* fetch */.hd)(current, {
            method,
            headers: currentHeaders,
            body: options.form,
            redirect: 'manual',
            dispatcher: dispatcher(current, options.ca ?? []),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const location = response.headers.get('location');
        if (![301, 302, 303, 307, 308].includes(response.status) || !location || hop >= MAX_REDIRECTS) {
            return response;
        }
        await response.body?.cancel();
        const next = new URL(location, current);
        // Blob stores (S3, GCS) get signed URLs; our credentials are not for them.
        if (next.origin !== current.origin)
            currentHeaders.delete('authorization');
        current = next;
    }
}
/** A short reason for a failed request, never including headers or bodies. */
function describeFailure(error) {
    if (error instanceof TransientStatus)
        return `HTTP ${error.status}`;
    const err = error;
    if (err?.name === 'TimeoutError')
        return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
    return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

;// CONCATENATED MODULE: ./src/registry/client.ts
/**
 * One image's conversation with its registry over the Registry HTTP API v2: retries on 5xx, 429
 * and network errors, and a 401 answered once from its challenge (Basic, or a Bearer token).
 */






/** Everything a tag may resolve to: a single-platform manifest or a multi-platform index. */
const MANIFEST_MEDIA_TYPES = [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
];
class RegistryClient {
    image;
    opts;
    /** Set once a 401 challenge has been answered. */
    authorization;
    sentCredentials = false;
    loadedCredentials;
    constructor(image, opts) {
        this.image = image;
        this.opts = opts;
    }
    /** One request, retried on 5xx / 429 / network errors. Any other status is returned. */
    async send(method, url, authorization, form) {
        const what = `${method} ${new URL(url).pathname}`;
        try {
            return await withRetry(async () => {
                const headers = {
                    accept: form ? 'application/json' : MANIFEST_MEDIA_TYPES.join(', '),
                    ...(authorization ? { authorization } : {}),
                };
                const response = await fetchFollowingRedirects(method, url, headers, {
                    ca: this.opts.ca,
                    form,
                });
                if (response.status >= 500 || response.status === 429) {
                    await response.body?.cancel();
                    throw new TransientStatus(response.status);
                }
                return response;
            }, {
                attempts: this.opts.retries ?? 3,
                delayMs: exponentialBackoff(this.opts.retryDelayMs ?? 500),
                shouldRetry: () => true, // only transient failures are thrown above
                onRetry: (error, attempt, delay) => core.info(`Registry ${this.image.registry}: ${what} failed (${describeFailure(error)}); retry ${attempt} in ${delay} ms`),
            });
        }
        catch (error) {
            throw this.failure(error, what);
        }
    }
    /** Answers a 401 by obtaining an Authorization header from its challenge. */
    async authenticate(unauthorized) {
        await unauthorized.body?.cancel();
        const challenges = parseWwwAuthenticate(unauthorized.headers.get('www-authenticate') ?? '');
        const bearer = challenges.find((c) => c.scheme === 'bearer');
        const basic = challenges.find((c) => c.scheme === 'basic');
        const credentials = await this.credentials();
        this.sentCredentials = credentials !== undefined;
        if (bearer) {
            this.authorization = `Bearer ${await this.fetchToken(bearer, credentials)}`;
        }
        else if (basic) {
            // An identity token is only ever exchanged at a token endpoint (a Bearer challenge).
            if (!credentials || 'identityToken' in credentials) {
                throw new Error(`Registry ${this.image.registry} needs credentials (a user and password) to read ${this.image.repository}, and none were given or found in the Docker config`);
            }
            this.authorization = basicAuthorization(credentials);
        }
        else {
            throw new Error(`Registry ${this.image.registry} answered HTTP 401 without a usable WWW-Authenticate challenge`);
        }
    }
    credentials() {
        // Read lazily: public images need no credentials, and a credential helper is a process.
        this.loadedCredentials ??= this.opts.credentials
            ? Promise.resolve(this.opts.credentials)
            : credentialsFromDockerConfig(this.image.registry, this.opts.dockerConfigDir);
        return this.loadedCredentials;
    }
    async fetchToken(challenge, credentials) {
        const realm = challenge.params['realm'];
        if (!realm) {
            throw new Error(`Registry ${this.image.registry} sent a Bearer challenge without a realm`);
        }
        const url = URL.canParse(realm) ? new URL(realm) : undefined;
        if (!url)
            throw new Error(`Registry ${this.image.registry} sent an invalid token realm`);
        if (challenge.params['service'])
            url.searchParams.set('service', challenge.params['service']);
        url.searchParams.set('scope', challenge.params['scope'] || `repository:${this.image.repository}:pull`);
        if (credentials && url.protocol !== 'https:' && !(0,image_ref/* isLoopbackHost */.cW)(url.host)) {
            throw new Error(`Refusing to send registry credentials over plain HTTP to ${url.host}`);
        }
        const refresh = credentials && 'identityToken' in credentials;
        const response = refresh
            ? await this.send('POST', realm, undefined, refreshTokenForm(url, credentials.identityToken))
            : await this.send('GET', url.toString(), credentials && basicAuthorization(credentials));
        if (response.status !== 200) {
            await response.body?.cancel();
            const why = response.status === 401 || response.status === 403
                ? credentials
                    ? ': the credentials were refused'
                    : ': credentials are needed'
                : '';
            throw new Error(`Registry ${this.image.registry}: token request to ${url.host} failed with HTTP ${response.status}${why}`);
        }
        return tokenFromAnswer(response, `Registry ${this.image.registry}: the token endpoint ${url.host}`);
    }
    /**
     * The answer to `method` on `path` under the repository (`manifests/<tag>`, `blobs/<digest>`):
     * anonymous first, and a 401 answered once from its challenge.
     */
    async request(method, path) {
        const url = `${registryBaseUrl(this.image.registry)}/v2/${this.image.repository}/${path}`;
        let response = await this.send(method, url, this.authorization);
        if (response.status === 401 && !this.authorization) {
            await this.authenticate(response);
            response = await this.send(method, url, this.authorization);
        }
        return response;
    }
    /** The bytes at `path`, or undefined when the registry says it is not there (404). */
    async read(path, what) {
        const response = await this.request('GET', path);
        if (response.status === 404) {
            await response.body?.cancel();
            return undefined;
        }
        if (response.status !== 200) {
            await response.body?.cancel();
            throw this.statusError(response.status, `GET ${what}`);
        }
        return Buffer.from(await response.arrayBuffer());
    }
    statusError(status, what) {
        const hint = status === 401
            ? this.sentCredentials
                ? ' (the credentials were refused or lack pull access, or the repository does not exist yet)'
                : ' (no credentials were given or found in the Docker config, or the repository does not exist yet)'
            : status === 403
                ? ' (access denied: check the credentials and their permissions)'
                : '';
        return new Error(`Registry ${this.image.registry} answered HTTP ${status} for ${what}${hint}`);
    }
    failure(error, what) {
        const attempts = this.opts.retries ?? 3;
        if (error instanceof TransientStatus) {
            return new Error(`Registry ${this.image.registry} answered HTTP ${error.status} for ${what} (${attempts} attempts)`);
        }
        return new Error(`Could not reach registry ${this.image.registry} for ${what}: ${describeFailure(error)} (${attempts} attempts)`);
    }
}

;// CONCATENATED MODULE: ./src/registry/manifest.ts
/**
 * What a manifest says about the platforms an image runs on: pure reading of the OCI image spec
 * (image-index.md, manifest.md, config.md) and Docker's manifest list v2, schema 2.
 */
/** A content digest, `algorithm:encoded` (OCI image spec, descriptor.md). */
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/;
/** `os/architecture[/variant]`, as Docker prints platforms. */
function platformName(platform) {
    const { os, architecture, variant } = (platform ?? {});
    if (typeof os !== 'string' || typeof architecture !== 'string')
        return undefined;
    return [os, architecture, ...(typeof variant === 'string' && variant ? [variant] : [])].join('/');
}
/**
 * The platforms of an index (`manifests[].platform`), or the config digest of a single image.
 * Entries without a platform, and buildx's attestation entries (`unknown/unknown`), run nowhere.
 */
function manifestPlatforms(body) {
    const manifest = (parseJson(body, 'manifest') ?? {});
    if (Array.isArray(manifest.manifests)) {
        const platforms = manifest.manifests
            .map((entry) => platformName(entry?.platform))
            .filter((name) => name !== undefined && name !== 'unknown/unknown');
        return { platforms: [...new Set(platforms)] };
    }
    const digest = manifest.config?.digest;
    if (typeof digest === 'string' && DIGEST.test(digest))
        return { configDigest: digest };
    throw new Error('the manifest has neither a platform list nor a config');
}
/** The platform in an image config (its `os`, `architecture` and `variant` fields). */
function configPlatform(body) {
    const name = platformName(parseJson(body, 'image config'));
    if (!name)
        throw new Error('the image config names no os and architecture');
    return name;
}
function parseJson(body, what) {
    try {
        return JSON.parse(body);
    }
    catch {
        throw new Error(`the registry's ${what} is not JSON`);
    }
}

;// CONCATENATED MODULE: ./src/registry/lookup.ts
/**
 * Looks images up in a registry over the Registry HTTP API v2, without the docker CLI: the digest
 * a tag resolves to, and the platforms it is published for.
 */




/**
 * The digest `ref` resolves to in its registry, or undefined when the registry says it is not
 * there (404). HEAD first, anonymously; a 401 is answered once (Basic credentials, or a Bearer
 * token from the challenge's realm). 5xx, 429 and network errors are retried with back-off; what
 * remains throws an error naming the registry and the status, never a credential.
 */
async function lookupDigest(ref, opts = {}) {
    const image = (0,image_ref/* parseImageRef */.Q)(ref);
    const client = new RegistryClient(image, opts);
    const manifest = `manifests/${encodeURIComponent(image.tag)}`;
    const response = await client.request('HEAD', manifest);
    switch (response.status) {
        case 200: {
            const digest = response.headers.get('docker-content-digest')?.trim();
            if (digest && DIGEST.test(digest))
                return digest;
            // Some registries leave the header out of HEAD answers: hash the manifest bytes instead.
            const body = await client.read(manifest, `${image.repository}:${image.tag}`);
            return body && `sha256:${(0,external_node_crypto_.createHash)('sha256').update(body).digest('hex')}`;
        }
        case 404:
            return undefined;
        default:
            throw client.statusError(response.status, `HEAD ${image.repository}:${image.tag}`);
    }
}
/**
 * The platforms `ref` is published for (`linux/amd64`, …), or undefined when the registry says it
 * is not there (404): an index lists them; a single image's config names its one platform.
 */
async function lookupPlatforms(ref, opts = {}) {
    const image = (0,image_ref/* parseImageRef */.Q)(ref);
    const client = new RegistryClient(image, opts);
    const name = `${image.repository}:${image.tag}`;
    const body = await client.read(`manifests/${encodeURIComponent(image.tag)}`, name);
    if (!body)
        return undefined;
    const found = manifestPlatforms(body.toString('utf8'));
    if ('platforms' in found)
        return found.platforms;
    const config = await client.read(`blobs/${found.configDigest}`, `${name}'s config`);
    if (!config) {
        throw new Error(`Registry ${image.registry} has no config ${found.configDigest} for ${name}`);
    }
    return [configPlatform(config.toString('utf8'))];
}

;// CONCATENATED MODULE: ./src/earthly/buildkit.ts
/**
 * What the BuildKit Earthly starts needs on this runner: QEMU for images of another arch, and an
 * image of the runner's own arch (CanvOS's mirror, where it has one). A remote BuildKit needs
 * neither from here: it runs the RUN steps on its own machine, from its own image.
 */






/** The Earthly plan to run, once the runner is known to be able to run its BuildKit. */
async function prepareBuildkit(earthly, target, runnerArch, ca) {
    if (earthly.remoteBuildkit) {
        core.info(`BuildKit at ${earthly.buildkitHost}: it runs the ${target} RUN steps itself`);
        return earthly;
    }
    await checkEmulation(target, runnerArch);
    return checkBuildkitMirror(earthly, runnerArch, ca);
}
/**
 * The Earthly plan to run: as planned when CanvOS's mirror has a BuildKit image for the runner's
 * arch (or no mirror was planned), otherwise with Earthly's own default image.
 */
async function checkBuildkitMirror(earthly, runnerArch, ca) {
    const mirror = earthly.buildkitMirror;
    if (!mirror)
        return earthly;
    const verdict = mirrorVerdict(mirror, runnerArch, earthly.version, await find(mirror, ca));
    core[verdict.level](verdict.message);
    return verdict.use ? earthly : withoutBuildkitMirror(earthly);
}
async function find(mirror, ca) {
    // A local image is what Earthly would start, without asking any registry.
    const platform = await localImagePlatform(mirror).catch(() => undefined);
    if (platform)
        return { where: 'docker', platform };
    try {
        const platforms = await lookupPlatforms(mirror, { ca, retries: 2 });
        return platforms ? { where: 'registry', platforms } : { where: 'registry', missing: true };
    }
    catch (error) {
        return { where: 'registry', error: (0,errors/* errorMessage */.gJ)(error) };
    }
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./src/earthly/command.ts
var command = __webpack_require__(7334);
;// CONCATENATED MODULE: ./src/earthly/run.ts
/** Runs Earthly as a child process, streaming its output to the log. */






/**
 * Runs the planned Earthly command in the checkout: its config written first, the secrets in its
 * environment (never on the command line, so the command can be shown as it is).
 */
async function runBuild(earthly, installation, checkoutPath) {
    await (0,promises_.writeFile)(earthly.configPath, earthly.config);
    core.info(`[command] ${installation.command} ${earthly.args.join(' ')}`);
    const env = { ...(0,runner/* childEnv */.gf)(), ...Object.fromEntries(earthly.secretEnv) };
    const result = await runEarthly(installation.binary, earthly.args, { cwd: checkoutPath, env });
    if (result.exitCode !== 0)
        throw (0,command/* earthlyFailure */._h)(result);
}
/** Keeps the last lines of a stream, for the error message. */
class Tail {
    size;
    lines = [];
    partial = '';
    constructor(size) {
        this.size = size;
    }
    push(chunk) {
        const parts = (this.partial + chunk).split('\n');
        this.partial = parts.pop() ?? '';
        this.lines.push(...parts.filter((line) => line.trim() !== ''));
        if (this.lines.length > this.size)
            this.lines.splice(0, this.lines.length - this.size);
    }
    get() {
        return this.partial.trim() ? [...this.lines, this.partial].slice(-this.size) : [...this.lines];
    }
}
/**
 * Runs Earthly with an argument array (no shell), streaming its output to the log. A SIGINT or
 * SIGTERM to the action (a cancelled job) is passed on, so BuildKit stops and the post step can clean up.
 */
function runEarthly(binary, args, options) {
    return new Promise((resolve, reject) => {
        const tail = new Tail(20);
        const child = (0,external_node_child_process_.spawn)(binary, args, {
            cwd: options.cwd,
            env: options.env,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        // One signal only: Earthly cleans up on the first and forces an exit (code 9, BuildKit left
        // mid-step) on a second (cmd/earthly/main.go), and the runner may follow SIGINT with SIGTERM.
        let forwarded = false;
        const forward = (signal) => () => {
            if (forwarded)
                return core.info(`Received ${signal}: Earthly is already stopping`);
            forwarded = true;
            core.warning(`Received ${signal}: stopping Earthly`);
            child.kill(signal);
        };
        const handlers = { SIGINT: forward('SIGINT'), SIGTERM: forward('SIGTERM') };
        process.on('SIGINT', handlers.SIGINT);
        process.on('SIGTERM', handlers.SIGTERM);
        const relay = (target) => (data) => {
            const text = data.toString();
            tail.push(text);
            target.write(text);
        };
        child.stdout.on('data', relay(process.stdout));
        child.stderr.on('data', relay(process.stdout)); // Earthly logs to stderr; the runner shows stdout in order
        child.on('error', (error) => {
            cleanup();
            reject(new errors/* ActionError */.lZ(`Could not start Earthly (${binary}): ${error.message}`));
        });
        child.on('close', (code, signal) => {
            cleanup();
            resolve({ exitCode: code ?? (signal ? 2 : 1), tail: tail.get() });
        });
        function cleanup() {
            process.off('SIGINT', handlers.SIGINT);
            process.off('SIGTERM', handlers.SIGTERM);
        }
    });
}

// EXTERNAL MODULE: ./src/core/report.ts + 2 modules
var report = __webpack_require__(8732);
;// CONCATENATED MODULE: ./src/registry/check.ts
/** What the registry (or the local Docker) says about the planned images, before and after the build. */





/** The planned images already published (ref → digest): a re-run skips them. */
async function existingImages(plan) {
    const present = new Map();
    for (const image of plan.images) {
        // A lookup that fails (e.g. a package that does not exist yet answers 401) means: build it.
        const digest = await lookupDigest(image.ref, {
            credentials: plan.registry.credentials,
            ca: plan.registry.ca,
        }).catch((error) => {
            core.warning(`Could not tell whether ${image.ref} exists (${(0,errors/* errorMessage */.gJ)(error)}): building it`);
            return undefined;
        });
        if (!digest)
            continue;
        present.set(image.ref, digest);
        core.info(`${image.ref} already exists (${digest}): skipping`);
    }
    core.info((0,report/* existingLine */._r)(plan.images.length, present.size));
    return present;
}
/**
 * Confirms each built image where it should be — the registry after a push, the local Docker
 * otherwise — and records its digest or image id. Every image is looked up, even after one fails,
 * so the digests found still reach the outputs; the error then names each image not confirmed
 * and why.
 */
async function verifyImages(plan, images) {
    const where = plan.push ? 'in the registry' : 'in the local Docker';
    const unconfirmed = [];
    for (const image of images) {
        if (image.skipped)
            continue;
        try {
            await check_confirm(plan, image);
        }
        catch (error) {
            unconfirmed.push(`${image.ref} (${(0,errors/* errorMessage */.gJ)(error)})`);
            continue;
        }
        const found = image.digest ?? image.imageId;
        if (!found)
            unconfirmed.push(`${image.ref} (not found ${where})`);
        else
            core.info(`${image.ref}${image.digest ? '@' : ' image id '}${found}`);
    }
    if (unconfirmed.length) {
        throw new errors/* ActionError */.lZ(`Earthly succeeded but these images could not be confirmed ${where}: ${unconfirmed.join('; ')}`);
    }
}
async function check_confirm(plan, image) {
    if (plan.push) {
        image.status = 'pushed';
        image.digest = await lookupDigest(image.ref, {
            credentials: plan.registry.credentials,
            ca: plan.registry.ca,
        });
        image.pushed = image.digest !== undefined;
    }
    else {
        image.status = 'built';
        image.imageId = await lookupLocalImage(image.ref);
    }
}

;// CONCATENATED MODULE: ./src/execution.ts
/**
 * What a real run needs beyond a dry run: Earthly's download and build, the registry, the docker
 * CLI. main.ts loads this module only for a real run, so a dry run (a matrix's plan job) neither
 * reads nor compiles that code: ncc emits it as a separate chunk.
 */








/**
 * The Earthly the workflow asked for, on the runner's arch. What is known up front (an exact
 * version) starts downloading at once, to overlap the clone.
 */
function startEarthlyDownload(inputs, runnerArch) {
    const download = new EarthlyDownload({
        requested: inputs.earthly.version,
        distribution: inputs.earthly.distribution,
        forkDefault: earthly_plan/* DEFAULT_EARTHBUILD_VERSION */.i4,
        waitForRegistry: inputs.skipExisting && inputs.push,
        request: (version) => (0,earthly_plan/* earthlyInstall */.xh)(inputs, version, runnerArch),
    });
    download.startKnownVersion();
    return download;
}


/***/ })

};

//# sourceMappingURL=238.index.js.map
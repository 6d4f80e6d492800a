export const id = 661;
export const ids = [661];
export const modules = {

/***/ 1670:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KW: () => (/* binding */ dockerRootDir),
/* harmony export */   RJ: () => (/* binding */ lookupLocalImage),
/* harmony export */   a1: () => (/* binding */ dockerLogin),
/* harmony export */   go: () => (/* binding */ freeBytes),
/* harmony export */   tX: () => (/* binding */ dockerLogout)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5260);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(656);
/** The docker CLI: log in and out, Docker's data root, images in the local engine. */





async function docker(args, input) {
    return _actions_exec__WEBPACK_IMPORTED_MODULE_2__/* .getExecOutput */ .H('docker', args, { input, silent: true, ignoreReturnCode: true });
}
/** `docker login` with the password on stdin, never on the command line. */
async function dockerLogin(host, username, password) {
    const result = await docker(['login', `--username=${username}`, '--password-stdin', '--', host], Buffer.from(password));
    if (result.exitCode !== 0) {
        const reason = result.stderr.trim().split('\n').pop() ?? '';
        const hint = /401|unauthorized|denied|incorrect/i.test(reason)
            ? 'check registry-username and registry-password (for GHCR: a token with write:packages)'
            : 'check that Docker runs and the registry answers';
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`docker login to ${host} failed: ${reason.replaceAll(password, '***')} — ${hint}`);
    }
}
async function dockerLogout(host) {
    const result = await docker(['logout', host]);
    if (result.exitCode !== 0)
        return result.stderr.trim() || `exit code ${result.exitCode}`;
    // docker logout exits 0 even when it cannot rewrite its config (a full disk, a read-only file):
    // make sure the password is really gone.
    const config = await (0,_config_js__WEBPACK_IMPORTED_MODULE_4__/* .readDockerConfig */ .TO)();
    const left = Object.entries(config?.auths ?? {}).some(([key, entry]) => entry?.auth && (0,_config_js__WEBPACK_IMPORTED_MODULE_4__/* .configKeyMatches */ .t$)(key, host));
    return left ? `its credentials are still in ${(0,_config_js__WEBPACK_IMPORTED_MODULE_4__/* .dockerConfigFile */ .dO)()}` : undefined;
}
/** Docker's data directory, where a local BuildKit keeps its cache. */
async function dockerRootDir() {
    const result = await docker(['info', '--format', '{{.DockerRootDir}}']);
    const dir = result.stdout.trim();
    return result.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
}
/** Free bytes on the filesystem holding `path` (or its nearest readable parent). */
async function freeBytes(path) {
    for (let dir = path;; dir = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(dir)) {
        try {
            const stats = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.statfs)(dir);
            return stats.bavail * stats.bsize;
        }
        catch {
            if (dir === (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(dir))
                return undefined;
        }
    }
}
/**
 * The image id (`sha256:…`) of `ref` in the local Docker, or undefined when Docker has no such
 * image. Other failures (no daemon, no docker CLI) throw: "absent" must not hide "unknown".
 */
async function lookupLocalImage(ref) {
    if (!ref.trim() || ref.startsWith('-'))
        throw new Error(`Invalid image reference "${ref}"`);
    let result;
    try {
        result = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
    }
    catch (error) {
        throw new Error(`Could not run docker image inspect: ${error.message}`);
    }
    if (result.exitCode === 0) {
        const id = result.stdout.trim().split('\n')[0]?.trim();
        return id || undefined;
    }
    if (/no such (image|object)/i.test(result.stderr))
        return undefined;
    const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
    throw new Error(`docker image inspect ${ref} failed: ${reason}`);
}


/***/ }),

/***/ 656:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N3: () => (/* binding */ credentialsFromDockerConfig),
/* harmony export */   TO: () => (/* binding */ readDockerConfig),
/* harmony export */   dO: () => (/* binding */ dockerConfigFile),
/* harmony export */   t$: () => (/* binding */ configKeyMatches)
/* harmony export */ });
/* unused harmony export decodeAuthField */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5260);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _core_image_ref_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(3386);
/* harmony import */ var _runner_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4813);
/**
 * The Docker CLI's config (`config.json` in DOCKER_CONFIG or ~/.docker): which credentials
 * `docker login` and credential helpers hold for a registry.
 */






/** The key `docker login` uses for Docker Hub in config.json and credential helpers. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
/** Which config.json keys may name `host`: `ghcr.io`, `https://ghcr.io`, `https://ghcr.io/v1/`, ... */
function configKeyMatches(key, host) {
    const normalized = key
        .trim()
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/.*$/, '')
        .toLowerCase();
    const wanted = host.toLowerCase();
    if (_core_image_ref_js__WEBPACK_IMPORTED_MODULE_5__/* .DOCKER_HUB_ALIASES */ .Kd.includes(wanted))
        return _core_image_ref_js__WEBPACK_IMPORTED_MODULE_5__/* .DOCKER_HUB_ALIASES */ .Kd.includes(normalized);
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
 * credsStore), else the base64 `auth` in `auths`. Anything missing or unreadable → undefined.
 */
async function credentialsFromDockerConfig(host, configDir = (0,_runner_js__WEBPACK_IMPORTED_MODULE_4__/* .dockerConfigDir */ .kG)()) {
    const config = await readDockerConfig(configDir);
    if (!config)
        return undefined;
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => configKeyMatches(key, host));
    const helper = (helperKey && config.credHelpers?.[helperKey]) || config.credsStore;
    if (helper) {
        const fromHelper = await credentialsFromHelper(helper, host);
        if (fromHelper)
            return fromHelper;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
        if (!configKeyMatches(key, host) || !entry)
            continue;
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
    const serverUrl = _core_image_ref_js__WEBPACK_IMPORTED_MODULE_5__/* .DOCKER_HUB_ALIASES */ .Kd.includes(host.toLowerCase()) ? DOCKER_HUB_SERVER_URL : host;
    try {
        const result = await _actions_exec__WEBPACK_IMPORTED_MODULE_1__/* .getExecOutput */ .H(`docker-credential-${helper}`, ['get'], {
            input: Buffer.from(serverUrl),
            silent: true,
            ignoreReturnCode: true,
        });
        if (result.exitCode !== 0) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`docker-credential-${helper} has no credentials for ${host}`);
            return undefined;
        }
        const parsed = JSON.parse(result.stdout);
        // "<token>" marks an identity (refresh) token, which needs an OAuth exchange we don't do.
        if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string')
            return undefined;
        if (!parsed.Username || parsed.Username === '<token>' || !parsed.Secret)
            return undefined;
        return { username: parsed.Username, password: parsed.Secret };
    }
    catch {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`docker-credential-${helper} could not be run or answered something unexpected`);
        return undefined;
    }
}
/** config.json in `configDir`; undefined when it is missing or not a JSON object. */
async function readDockerConfig(configDir = (0,_runner_js__WEBPACK_IMPORTED_MODULE_4__/* .dockerConfigDir */ .kG)()) {
    try {
        const config = JSON.parse(await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile(dockerConfigFile(configDir), 'utf8'));
        return config && typeof config === 'object' ? config : undefined;
    }
    catch {
        return undefined;
    }
}
function dockerConfigFile(configDir = (0,_runner_js__WEBPACK_IMPORTED_MODULE_4__/* .dockerConfigDir */ .kG)()) {
    return node_path__WEBPACK_IMPORTED_MODULE_3__.join(configDir, 'config.json');
}


/***/ }),

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6058);
/* harmony import */ var _docker_cli_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1670);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3916);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(2462);






/**
 * Undoes what the main step did: logs out only what it logged in to, puts a workflow's own
 * checkout back as it was, removes the action's temporary files. Safe to run twice; a cleanup
 * problem is a warning, never a failed job.
 */
async function post() {
    const host = _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .getState */ .Gu(_state_js__WEBPACK_IMPORTED_MODULE_5__/* .State */ .Uw.registryHost);
    if (host) {
        const problem = await (0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_3__/* .dockerLogout */ .tX)(host).catch(_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ);
        if (problem)
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`docker logout ${host} failed: ${problem}`);
        else
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Logged out of ${host}`);
    }
    const tempDir = _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .getState */ .Gu(_state_js__WEBPACK_IMPORTED_MODULE_5__/* .State */ .Uw.tempDir);
    // The backups live in the temporary folder: once it is gone, an earlier run put them back.
    const restoredBefore = tempDir !== '' && !(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(tempDir);
    const entries = readRestoreEntries();
    // Files first, then the folders made for them, deepest first: each is empty by its turn.
    const folders = entries.filter((entry) => entry.directory);
    folders.sort((a, b) => b.path.length - a.path.length);
    for (const entry of [...entries.filter((entry) => !entry.directory), ...folders]) {
        if (entry.backup && restoredBefore)
            continue;
        try {
            if (entry.directory)
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rmdir)(entry.path).catch(ignoreMissing);
            else if (entry.backup)
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.copyFile)(entry.backup, entry.path);
            else
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(entry.path, { force: true });
        }
        catch (error) {
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`Could not restore ${entry.path}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)}`);
        }
    }
    if (tempDir) {
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(tempDir, { recursive: true, force: true });
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Removed ${tempDir}`);
        }
        catch (error) {
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`Could not remove ${tempDir}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)}`);
        }
    }
}
/** The files to put back; a damaged list is a warning, and the rest of the clean-up still runs. */
function readRestoreEntries() {
    try {
        return (0,_state_js__WEBPACK_IMPORTED_MODULE_5__/* .restoreEntries */ .Hw)();
    }
    catch (error) {
        _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`Could not read the list of files to restore: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)}`);
        return [];
    }
}
function ignoreMissing(error) {
    if (error.code !== 'ENOENT')
        throw error;
}


/***/ })

};

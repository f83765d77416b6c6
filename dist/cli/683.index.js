export const id = 683;
export const ids = [683];
export const modules = {

/***/ 4174:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ readWithProgress),
/* harmony export */   x: () => (/* binding */ progressReporter)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8807);



/** A part file read for the host, logging its progress like a backup's parts do. */
function readWithProgress(path, name, logger, intervalMs = 10_000) {
    const report = progressReporter(logger, name, Date.now(), intervalMs);
    let bytes = 0;
    // Counted in a Transform, not a 'data' listener: a listener starts the flow at once, and whatever is read
    // before the caller pipes the stream (e.g. while a database is dropped and re-created) would be lost.
    const counter = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Transform({
        transform(chunk, _encoding, done) {
            bytes += chunk.length;
            report(bytes);
            done(null, chunk);
        }
    });
    const source = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path);
    source.once('error', error => counter.destroy(error));
    return source.pipe(counter);
}
/** Logs bytes so far and throughput at most every 10 s, so long parts show they are alive. */
function progressReporter(logger, name, started, intervalMs = 10_000) {
    let lastReport = started;
    return bytes => {
        const now = Date.now();
        if (now - lastReport < intervalMs)
            return;
        lastReport = now;
        const rate = bytes / Math.max((now - started) / 1000, 0.001);
        logger.info(`${name}: ${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(bytes)} so far (${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(rate)}/s)`);
    };
}


/***/ }),

/***/ 151:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G5: () => (/* binding */ command),
/* harmony export */   K$: () => (/* binding */ script),
/* harmony export */   Tk: () => (/* binding */ pipeline),
/* harmony export */   hD: () => (/* binding */ quote)
/* harmony export */ });
/* unused harmony export UnquotableValueError */
/**
 * The one place where values become shell text. Everything that reaches a shell (local bash, the remote
 * login shell through ssh, sudo) is built from these functions so hostile values stay inert.
 */
class UnquotableValueError extends Error {
}
/** POSIX single-quote a value: the only character that needs care inside '…' is the quote itself. */
function quote(value) {
    if (value.includes('\0')) {
        // A NUL would silently truncate the argument in execve; refuse instead of guessing.
        throw new UnquotableValueError('a value contains a NUL byte, which no shell argument can carry');
    }
    if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value))
        return value;
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
/** An argv array as one shell command line. */
function command(argv) {
    if (argv.length === 0)
        throw new Error('command() needs at least the program name');
    return argv.map(quote).join(' ');
}
/** Commands joined by pipes; the surrounding script must set pipefail (see `script`). */
function pipeline(...commands) {
    return commands.join(' | ');
}
/**
 * A bash script that fails on the first failing command or pipe stage. Lines are already-quoted
 * shell text produced by `command`/`pipeline` or fixed text written in this code base.
 */
function script(...lines) {
    return ['set -euo pipefail', ...lines].join('\n');
}


/***/ }),

/***/ 5550:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SAFETY_COPY_FIX: () => (/* binding */ SAFETY_COPY_FIX),
/* harmony export */   safetyCopyPaths: () => (/* binding */ safetyCopyPaths),
/* harmony export */   takeSafetyCopy: () => (/* binding */ takeSafetyCopy)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(592);
/* harmony import */ var _kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3270);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(151);
/* harmony import */ var _host_places_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6283);
/* harmony import */ var _staging_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(5437);








/**
 * Writes parts into a directory on the host itself. A safety copy is just the recipe's own backup of
 * the current state into this sink, so it has a manifest and restores with the same tool.
 */
class HostDirectorySink {
    host;
    dir;
    backupId;
    slots = new _staging_js__WEBPACK_IMPORTED_MODULE_6__/* .PartSlots */ .jx();
    get parts() {
        return this.slots.records();
    }
    constructor(host, dir, backupId) {
        this.host = host;
        this.dir = dir;
        this.backupId = backupId;
    }
    async addPart(spec, produce) {
        const file = (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .partFileName */ .xg)(this.backupId, spec.name, spec.extension);
        const path = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(this.dir, file);
        return (0,_staging_js__WEBPACK_IMPORTED_MODULE_6__/* .streamPart */ .AR)(this.slots, { ...spec, file }, produce, {
            write: content => {
                const upload = new node_stream__WEBPACK_IMPORTED_MODULE_0__.PassThrough();
                // noclobber: the part is a new file in our own fresh directory, never something that was already there.
                const writing = this.host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .script */ .K$)('set -o noclobber', `cat > ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(path)}`), { stdin: upload, description: `Writing the safety copy of ${spec.name}` });
                return { stored: content, done: Promise.all([(0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(content, upload), writing]).then(() => undefined) };
            },
            discard: async () => {
                await this.host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .script */ .K$)(`rm -f -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(path)}`), { allowFailure: true, description: `Removing the incomplete safety copy of ${spec.name}` }).catch(() => undefined);
            }
        });
    }
}
const SAFETY_COPY_FIX = 'set safety-copy-dir to a directory only root (or the user the restore runs as) can write, e.g. /var/lib/selfhost-backup/safety.';
/**
 * A signed backup, on the host, of what `produce` writes into the sink (the parts a restore replaces by
 * import); undefined, and no directory left, when it wrote nothing.
 */
async function takeSafetyCopy(host, source, parentDir) {
    const { recipe, options, signer } = source;
    const backupId = (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .newBackupId */ ._H)(recipe.id, host.hostId, new Date());
    const dir = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(parentDir, backupId);
    // Root writes the copy: no directory on its way may be one the application's user could plant a link in.
    const parent = { path: parentDir, name: 'the safety copy directory', kind: 'directory', fix: SAFETY_COPY_FIX };
    await host
        .run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .script */ .K$)(...(0,_host_places_js__WEBPACK_IMPORTED_MODULE_5__/* .refuseUnsafePlace */ .c4)(parent), `(umask 077 && mkdir -p -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(parentDir)})`, `mkdir -m 700 -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(dir)}`), { description: `Creating the safety copy directory ${dir}` })
        .catch((error) => {
        throw (0,_host_places_js__WEBPACK_IMPORTED_MODULE_5__/* .unsafePlaceError */ .Wy)(error) ?? error;
    });
    const sink = new HostDirectorySink(host, dir, backupId);
    const startedAt = new Date().toISOString();
    await source.produce(sink);
    if (sink.parts.length === 0) {
        await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .script */ .K$)(`rmdir -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(dir)}`), { description: `Removing the empty safety copy directory ${dir}` });
        return undefined;
    }
    const manifest = (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .assembleManifest */ .oh)({
        backupId,
        app: recipe.id,
        host: host.label,
        hostId: host.hostId,
        startedAt,
        finishedAt: new Date().toISOString(),
        options: recipe.describeOptions(options),
        parts: sink.parts,
        ...(source.application ? { application: source.application } : {})
    });
    const manifestPath = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(dir, (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .manifestFileName */ .V6)(backupId));
    await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .script */ .K$)(`cat > ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(`${manifestPath}.partial`)}`, `mv -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(`${manifestPath}.partial`)} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_7__/* .quote */ .hD)(manifestPath)}`), {
        stdin: await (0,_kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__/* .signedManifestText */ .VN)(manifest, signer),
        description: 'Writing the safety copy manifest'
    });
    return { dir, backupId };
}
/** Every host path that keeps data from before a restore. */
function safetyCopyPaths(safetyCopy) {
    return safetyCopy ? [...safetyCopy.files, ...(safetyCopy.databases ? [safetyCopy.databases.dir] : [])] : [];
}


/***/ })

};

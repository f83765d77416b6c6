export const id = 550;
export const ids = [550];
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


/***/ }),

/***/ 5437:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  jx: () => (/* binding */ PartSlots),
  Pn: () => (/* binding */ StagingDirectory),
  AR: () => (/* binding */ streamPart)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/kernel/checksum.ts


/** Passes bytes through unchanged while hashing and counting them, so a part is hashed as it streams. */
class HashingCounter extends external_node_stream_.Transform {
    onProgress;
    hash = (0,external_node_crypto_.createHash)('sha256');
    bytes = 0;
    constructor(onProgress) {
        super();
        this.onProgress = onProgress;
    }
    _transform(chunk, _encoding, callback) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        this.onProgress?.(this.bytes);
        callback(null, chunk);
    }
    digest() {
        return this.hash.digest('hex');
    }
}

// EXTERNAL MODULE: ./src/kernel/encryption.ts
var encryption = __webpack_require__(9396);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
// EXTERNAL MODULE: ./src/kernel/manifest.ts
var manifest = __webpack_require__(592);
// EXTERNAL MODULE: ./src/kernel/progress.ts
var progress = __webpack_require__(4174);
// EXTERNAL MODULE: ./src/pipeline/chunk-writer.ts + 1 modules
var chunk_writer = __webpack_require__(8602);
;// CONCATENATED MODULE: ./src/pipeline/staging.ts










/**
 * Parts stream through one staging directory on the runner: hashed and counted as they come, encrypted
 * when asked, cut into chunks that go to the store one by one and are deleted once stored, so the runner
 * never holds a whole part. Nothing is read back into memory; a failed
 * part's files are removed so they cannot be mistaken for good ones.
 */
class StagingDirectory {
    dir;
    backupId;
    logger;
    options;
    slots = new PartSlots();
    recipients;
    chunkSize;
    /** Each part's drill result, by part name, settled once its check is finished. */
    drilled = new Map();
    get parts() {
        return this.slots.records();
    }
    constructor(dir, backupId, logger, options = {}) {
        this.dir = dir;
        this.backupId = backupId;
        this.logger = logger;
        this.options = options;
        this.recipients = options.recipients ?? [];
        this.chunkSize = options.chunkSize ?? Number.POSITIVE_INFINITY;
    }
    /** The drill's results in the manifest's part order, once every check has finished. */
    async drillResults() {
        return Promise.all(this.parts.flatMap(part => this.drilled.get(part.name) ?? []));
    }
    async addPart(spec, produce) {
        const encrypted = this.recipients.length > 0;
        const file = (0,manifest/* partFileName */.xg)(this.backupId, spec.name, `${spec.extension}${encrypted ? encryption/* AGE_EXTENSION */.E2 : ''}`);
        const { storeDir, handOver } = this.options;
        const chunked = new chunk_writer/* ChunkedFileWriter */.i1(storeDir ?? this.dir, file, this.chunkSize, handOver, storeDir !== undefined);
        let watching;
        let record;
        try {
            record = await streamPart(this.slots, { ...spec, file }, produce, {
                progress: (0,progress/* progressReporter */.x)(this.logger, spec.name, Date.now()),
                write: content => {
                    const stored = encrypted ? new HashingCounter() : content;
                    const drillInput = this.options.drill ? new external_node_stream_.PassThrough() : undefined;
                    if (drillInput)
                        watching = this.options.drill?.watch(spec, drillInput);
                    return { stored, done: this.branch(content, stored, chunked, drillInput) };
                },
                describe: () => chunked.describe(),
                discard: async () => {
                    chunked.destroy();
                }
            });
        }
        catch (error) {
            // The drill read what came; its check ends with the failed part (the backup fails anyway).
            await watching?.catch(() => undefined);
            if ((0,errors/* isOutOfSpace */.mK)(error))
                throw this.outOfSpace(spec.name, chunked.written, error);
            throw error;
        }
        if (watching) {
            const finished = record;
            this.drilled.set(spec.name, watching.then(finish => finish(finished)));
        }
        const pieces = record.chunks ? ` in ${record.chunks.length} chunks` : '';
        this.logger.info(`${spec.name}: ${(0,log/* formatBytes */.z3)(record.bytes)}${pieces} in ${(0,log/* formatSeconds */.Xo)(record.durationMs)}, sha256 ${record.sha256}`);
        return record;
    }
    /** The content goes to the chunks (through age when encrypting) and, with the drill, to the drill as well, at the pace of the slower. */
    async branch(content, stored, chunked, drillInput) {
        const toStore = (source) => this.recipients.length > 0 ? (0,encryption/* encryptStream */.UO)(this.recipients, source).then(cipher => (0,promises_.pipeline)(cipher, stored, chunked)) : (0,promises_.pipeline)(source, chunked);
        if (!drillInput)
            return toStore(content);
        const branches = [new external_node_stream_.PassThrough(), drillInput];
        for (const branch of branches)
            content.pipe(branch);
        // pipe() does not pass a failure on: a producer that gave up must fail both branches, not leave them waiting.
        content.once('close', () => {
            for (const branch of branches)
                if (!branch.writableEnded)
                    branch.destroy(new Error('the part was not completed'));
        });
        await toStore(branches[0]);
    }
    outOfSpace(part, written, cause) {
        const { storeDir } = this.options;
        if (storeDir !== undefined) {
            return new errors/* RunnerSpaceError */.js(`The store directory ${(0,external_node_path_.dirname)(storeDir)} ran out of space while writing the part ${part} (${(0,log/* formatBytes */.z3)(written)} of it written). Nothing was stored: what this backup had written there was removed.`, 'free space in the store directory (delete old backups there, or keep fewer with keep-last or keep-daily), or choose a store-path with more room; then run the backup again.', { cause });
        }
        if (!Number.isFinite(this.chunkSize))
            return new errors/* RunnerSpaceError */.js(`The temp directory ${(0,external_node_path_.dirname)(this.dir)} ran out of space while staging the part ${part}.`, 'free space there.', { cause });
        const perPart = (0,log/* formatBytes */.z3)((chunk_writer/* CHUNKS_WAITING_PER_PART */.Xd + 1) * this.chunkSize);
        return new errors/* RunnerSpaceError */.js(`The runner's temp directory ${(0,external_node_path_.dirname)(this.dir)} ran out of space while staging the part ${part} (${(0,log/* formatBytes */.z3)(written)} of it staged). A backup keeps up to ${chunk_writer/* CHUNKS_WAITING_PER_PART */.Xd + 1} chunks of chunk-size (${(0,log/* formatBytes */.z3)(this.chunkSize)}) per part on the runner while they upload, so it needs about ${perPart} free there for each part made at the same time. Nothing was stored.`, 'free space in RUNNER_TEMP, or set chunk-size lower; then run the backup again.', { cause });
    }
}
/** Parts may be produced concurrently (database dumps); the manifest lists them in the order they were started. */
class PartSlots {
    names = [];
    filled = [];
    reserve(name) {
        if (this.names.includes(name))
            throw new Error(`part ${name} was added twice`);
        this.filled.push(undefined);
        return this.names.push(name) - 1;
    }
    fill(slot, record) {
        this.filled[slot] = record;
    }
    records() {
        return this.filled.filter((record) => record !== undefined);
    }
}
/**
 * What every part sink does: hash and count the content as the producer writes it, send it on, and record
 * it in its slot (sha256 and size of what was stored, and of the plaintext when that differs).
 */
async function streamPart(slots, spec, produce, writer) {
    const slot = slots.reserve(spec.name);
    const started = Date.now();
    const content = new HashingCounter(writer.progress);
    const { stored, done } = writer.write(content);
    // Where the bytes go can fail while the producer still runs (a full disk): stop the producer at once,
    // and report that failure, not the broken pipe the producer then sees. A premature close is not such a
    // failure: it only says the producer's side closed first, and the producer's own error says why.
    let landingFailure;
    const landed = done.catch((error) => {
        if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
            landingFailure = error;
            content.destroy(error);
        }
        throw error;
    });
    landed.catch(() => undefined); // observed here, awaited below: a rejection mid-part is not "unhandled"
    let extras;
    try {
        extras = await produce(content);
        content.end();
        await landed;
    }
    catch (error) {
        content.destroy();
        await landed.catch(() => undefined);
        await writer.discard();
        throw landingFailure ?? error;
    }
    const record = {
        name: spec.name,
        file: spec.file,
        kind: spec.kind,
        compression: spec.compression,
        bytes: stored.bytes,
        sha256: stored.digest(),
        durationMs: Date.now() - started,
        ...(stored !== content ? { encryption: 'age', plaintext: { bytes: content.bytes, sha256: content.digest() } } : {}),
        ...writer.describe?.(),
        ...(extras ?? {})
    };
    slots.fill(slot, record);
    return record;
}


/***/ })

};

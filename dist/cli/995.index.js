export const id = 995;
export const ids = [995,147];
export const modules = {

/***/ 3625:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   loadManifestKeys: () => (/* binding */ loadManifestKeys)
/* harmony export */ });
/* harmony import */ var _manifest_signature_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9887);

/** Derives the public key from the private one (checking it), and the set of keys whose signatures count. */
async function loadManifestKeys(settings) {
    const signer = settings.privateKey ? await (0,_manifest_signature_js__WEBPACK_IMPORTED_MODULE_0__/* .createSigner */ .rO)(settings.privateKey, settings.privateKeyInput || 'signing-key') : undefined;
    const publicKeys = [...new Set([...(signer ? [signer.publicKey] : []), ...settings.trustedSigners])];
    return { signer, trust: { publicKeys } };
}


/***/ }),

/***/ 6845:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A: () => (/* binding */ checkAppVersion),
/* harmony export */   k: () => (/* binding */ readRunningVersion)
/* harmony export */ });
/* harmony import */ var _kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7875);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2386);


/**
 * The app's version as the host runs it now, with this recipe's revision: what a backup records and a restore
 * compares. A version that cannot be read is a warning and leaves only the revision; it never fails the run.
 */
async function readRunningVersion(host, target, logger) {
    const { recipe, options } = target;
    const read = await recipe.readVersion(host, options, { logger }).catch((error) => {
        logger.warning(`The ${recipe.title} version on the host could not be read, so it is neither recorded nor compared: ${error.message}`);
        return {};
    });
    return { ...read, recipe: recipe.revision };
}
/**
 * The version the backup's data belongs to against what the host runs now, before anything is downloaded:
 * data newer than the app is refused (no migration goes back down) unless allow-version-mismatch is set; an
 * app newer than the data is a warning that names the image to run; a backup made by a newer recipe
 * revision is refused outright, since this selfhost-backup would restore it wrongly.
 */
async function checkAppVersion(host, target, manifest, allowMismatch, logger) {
    const { recipe, options } = target;
    const recorded = manifest.application;
    if (recorded && recorded.recipe > recipe.revision) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VerificationError */ .mk(`${manifest.backupId} was made by a newer selfhost-backup (its ${recipe.title} backups are at revision ${recorded.recipe}; this one knows revision ${recipe.revision}). Nothing was downloaded and nothing on the host was changed.`, 'restore it with the selfhost-backup version that made it (the manifest names it under tool.version), or a newer one.');
    }
    const { recipe: _revision, ...read } = await readRunningVersion(host, { recipe, options }, logger);
    // Only the revision is known when nothing could be read: nothing to compare against.
    const running = Object.keys(read).length > 0 ? { ...read, recipe: recipe.revision } : undefined;
    const { relation, basis } = (0,_kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__/* .compareAppVersions */ ._5)(recorded, running);
    const belongs = `The data belongs to ${recipe.title} ${(0,_kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAppVersion */ .VS)(recorded)}; the host runs ${running ? (0,_kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAppVersion */ .VS)(running) : 'a version that could not be read'}.`;
    const imageToRun = recorded?.image ? ` (image ${recorded.image})` : '';
    if (relation === 'backup-newer') {
        const message = `${manifest.backupId} belongs to a newer ${recipe.title} than the host runs (${basis}). Neither Tabby nor SeaTable migrates data back down, so the app on the host may not open it.`;
        if (!allowMismatch) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VerificationError */ .mk(`${message} Nothing was downloaded and nothing on the host was changed.`, `upgrade ${recipe.title} on the host to ${(0,_kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAppVersion */ .VS)(recorded)} first and restore then, or restore an older backup (set backup-id); set allow-version-mismatch: true only if you know this version reads that data.`);
        }
        logger.warning(`${message} Restoring anyway (allow-version-mismatch: true).`);
        return { running, summary: `${belongs} ⚠️ The data is newer than the app (allow-version-mismatch: true).` };
    }
    if (relation === 'backup-older') {
        const advice = `Start the app on the restored data with the version it came from, ${recorded?.version ?? (0,_kernel_app_version_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAppVersion */ .VS)(recorded)}${imageToRun}, and upgrade from there: a newer app may migrate it, an older state cannot be reached again.`;
        logger.warning(`${belongs} ${advice}`);
        return { running, summary: `${belongs} ⚠️ ${advice}` };
    }
    logger.info(relation === 'same' ? `${belongs} Same version (${basis}).` : `${belongs} The versions could not be compared: ${basis}.`);
    return { running, summary: relation === 'same' ? belongs : `${belongs} Not compared: ${basis}.` };
}


/***/ }),

/***/ 2251:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ Fanout)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);

/**
 * Sends one stream of bytes to several consumers at once (the host, the runner's tar listing) at the pace
 * of the slowest, so nothing piles up in memory. A consumer that ends or fails early stops the wait for it
 * instead of hanging the writer; its result says what happened.
 */
class Fanout {
    outlets = [];
    /** Adds a consumer: `start` receives the stream to read and returns the promise of its result. */
    add(start) {
        const stream = new node_stream__WEBPACK_IMPORTED_MODULE_0__.PassThrough();
        // A consumer whose process exited destroys its input; a late write must not become an unhandled error.
        stream.on('error', () => undefined);
        const done = start(stream);
        const outlet = { stream, done, closed: false, waiting: new Set() };
        const close = () => {
            outlet.closed = true;
            for (const wake of outlet.waiting)
                wake();
        };
        done.then(close, close);
        this.outlets.push(outlet);
        return done;
    }
    async write(data) {
        const waits = [];
        for (const outlet of this.outlets) {
            if (outlet.closed || outlet.stream.destroyed)
                continue;
            if (!outlet.stream.write(data))
                waits.push(drained(outlet));
        }
        if (waits.length > 0)
            await Promise.all(waits);
    }
    /** Ends every consumer's input and waits for all of them; the first failure is thrown. */
    async finish() {
        for (const outlet of this.outlets)
            outlet.stream.end();
        return Promise.all(this.outlets.map(outlet => outlet.done));
    }
    /** Ends every consumer's input and waits for them to stop, whatever they answer (the bytes are already known to be bad). */
    async abandon() {
        for (const outlet of this.outlets)
            outlet.stream.end();
        await Promise.allSettled(this.outlets.map(outlet => outlet.done));
    }
}
/**
 * Resolves at the consumer's next drain or at its end, whichever comes first, and leaves nothing behind on
 * either. A part of 4 GB is tens of thousands of waits, and a race against the consumer's end left a
 * reaction on that one long-lived promise for each of them until the part was over: with a 4 GB tarball
 * streamed through a restore's checks, the heap left after each full collection grew from 5.9 to 9.9 MB
 * in 20 s, and stayed at 6.3 MB with this.
 */
function drained(outlet) {
    return new Promise(resolve => {
        const wake = () => {
            outlet.stream.off('drain', wake);
            outlet.waiting.delete(wake);
            resolve();
        };
        outlet.stream.on('drain', wake);
        outlet.waiting.add(wake);
    });
}


/***/ }),

/***/ 799:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   QM: () => (/* binding */ acquireHostLock)
/* harmony export */ });
/* unused harmony exports lockPathFor, fallbackLockPathFor */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _host_places_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6283);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(151);





/**
 * Beside the data directory, so it is on the host that owns the data and writable by whoever writes the
 * data; unless that directory is not safe for the lock (see host-places.ts), when root keeps it in
 * fallbackLockPathFor instead.
 */
function lockPathFor(dataRoot) {
    return (0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .besideDataRoot */ .rQ)(dataRoot, '', '.lock');
}
/** Where root keeps the lock when the directory above the data is one another user can write. */
function fallbackLockPathFor(dataRoot, rootPlace = _host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .ROOT_PLACE */ .Tj) {
    return node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(rootPlace, 'locks', node_path__WEBPACK_IMPORTED_MODULE_0__.posix.basename(lockPathFor(dataRoot)));
}
const lockPlace = (dataRoot) => ({
    path: lockPathFor(dataRoot),
    name: 'the lock file',
    kind: 'file',
    fix: `run with sudo: true, so that root keeps the lock in ${_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .ROOT_PLACE */ .Tj}; or let only root and the user that runs the backup write ${node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(dataRoot)} and the directories above it`
});
const LOCKED = 'selfhost-backup-locked';
const UNLOCKED = 'selfhost-backup-unlocked';
const HELD = 'selfhost-backup-held';
const MOVED = 'selfhost-backup-lock-moved';
/** A healthy holder answers in one round trip; this only bounds a connection that hangs without dropping. */
const ANSWER_TIMEOUT_MS = 30_000;
/**
 * One backup or restore of a data directory at a time. A shell on the host holds flock(1) on the lock
 * file for as long as its stdin stays open; if the runner dies, the connection drops, the shell reads EOF
 * and the kernel releases the lock, so a crash never leaves a stale lock behind. The shell answers each
 * line it reads, so assertHeld can prove it is still there; `read` is a builtin, so the shell is the one
 * process holding the lock, and when it ends, the lock and the command end together.
 */
async function acquireHostLock(host, dataRoot, timeoutSeconds, logger, options = {}) {
    const fallback = fallbackLockPathFor(dataRoot, options.rootPlace);
    let path = lockPathFor(dataRoot);
    const holdOpen = new node_stream__WEBPACK_IMPORTED_MODULE_1__.PassThrough();
    let acquired = () => undefined;
    const locked = new Promise(resolve => (acquired = resolve));
    let answers = 0;
    let answered = () => undefined;
    let pending = '';
    const watcher = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Writable({
        write(chunk, _encoding, done) {
            const lines = (pending + chunk.toString()).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
                // includes, not equality: a login shell's rc files may print before the script does.
                if (line.includes(LOCKED))
                    acquired();
                const moved = line.indexOf(`${MOVED}\t`);
                if (moved >= 0) {
                    path = fallback;
                    logger.info(`The lock of ${dataRoot} is kept in ${fallback}, not beside the data: ${line.slice(moved + MOVED.length + 1)}.`);
                }
                if (line.includes(UNLOCKED)) {
                    logger.warning(`flock is missing on the host: this ${dataRoot} job runs without a lock, so two backups or restores of it could overlap. Install util-linux on the host.`);
                    acquired();
                }
                if (line.includes(HELD)) {
                    answers++;
                    answered();
                }
            }
            done();
        }
    });
    const answerLines = `while read -r _; do echo ${HELD}; done`;
    const text = (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_4__/* .script */ .K$)(`command -v flock >/dev/null || { echo ${UNLOCKED}; ${answerLines}; exit 0; }`, ...(0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .chooseSafePlaceLines */ .dh)(lockPlace(dataRoot), fallback, MOVED), 
    // Checked safe just now, so only a trusted user (root, this one, the one who ran sudo) could change it. Still opened so that
    // no link is followed into a write: created with O_EXCL (noclobber) when missing, else read-only,
    // which is all flock needs. 0600, so that no other user can open it and hold the lock.
    'if [ -e "$place" ]; then exec 9<"$place"; else (umask 077 && set -o noclobber && : >"$place"); exec 9<"$place"; fi', `if ! flock -n 9; then echo "waiting" >&2; flock -w ${Math.max(1, Math.floor(timeoutSeconds))} 9 || exit 75; fi`, `echo ${LOCKED}`, answerLines);
    const holding = host.run(text, { stdin: holdOpen, stdout: watcher, allowFailure: true, description: `Locking ${path}`, survivesInterruption: true });
    let released = false;
    let ended;
    const holderEnded = holding.then(result => (ended = { result }), (error) => (ended = { error }));
    const waitingNotice = setTimeout(() => logger.info(`Waiting up to ${timeoutSeconds} s for another backup or restore of ${dataRoot} to finish (lock ${path})…`), 1000);
    const outcome = await Promise.race([locked.then(() => 'locked'), holding.then(result => result)]);
    clearTimeout(waitingNotice);
    if (outcome !== 'locked') {
        const refused = (0,_host_places_js__WEBPACK_IMPORTED_MODULE_3__/* .unsafePlaceError */ .Wy)(outcome);
        if (refused)
            throw refused;
        if (outcome.exitCode === 75) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Another backup or restore of ${dataRoot} is still running on the host (lock ${path} held for more than ${timeoutSeconds} s).`, 'wait for it to finish, or raise lock-timeout; if no such job runs, the lock is released automatically when its process ends.');
        }
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Could not take the lock ${path} on the host (exit code ${outcome.exitCode}): ${outcome.stderr.trim()}`, 'check that the directory above the data directory is writable (sudo: true).');
    }
    const lost = (work, why) => new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`The lock on the host was lost while the ${work} ran: ${why} (lock ${path}). Another backup or restore of ${dataRoot} could have run at the same time.`, work === 'backup'
        ? 'nothing was stored; run the backup again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host (sshd and system logs).'
        : 'the data was restored, but possibly alongside another job: check the application, and run the restore again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host.');
    return {
        async assertHeld(work) {
            if (released)
                throw new Error('assertHeld called after release()');
            if (ended)
                throw lost(work, describeEnd(ended));
            const expected = answers + 1;
            const answer = new Promise(resolve => {
                answered = () => {
                    if (answers >= expected)
                        resolve();
                };
            });
            holdOpen.write('held?\n');
            let timer;
            const timedOut = new Promise(resolve => (timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS)));
            const result = await Promise.race([answer.then(() => 'held'), holderEnded.then(() => 'ended'), timedOut]);
            clearTimeout(timer);
            if (result === 'held')
                return;
            if (result === 'timeout')
                throw lost(work, `the process holding it did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
            throw lost(work, describeEnd(ended));
        },
        async release() {
            released = true;
            holdOpen.end();
            await holding.catch(error => logger.warning(`Releasing the lock ${path}: ${error.message}`));
        }
    };
}
function describeEnd(ended) {
    if (ended?.error !== undefined)
        return `the command holding it failed (${ended.error.message.split('\n')[0]})`;
    const result = ended?.result;
    const stderr = result?.stderr.trim().split('\n').pop();
    const code = result?.exitCode;
    const how = 
    // ssh says 255 both for a dropped connection and for a remote process killed by a signal.
    code === 255
        ? 'the SSH session holding it ended (exit code 255: the connection dropped, or the process on the host was killed)'
        : code !== undefined && code >= 128
            ? `the process holding it was killed (exit code ${code})`
            : `the process holding it ended (exit code ${code ?? 'unknown'})`;
    return `${how}${stderr ? `: ${stderr}` : ''}`;
}


/***/ }),

/***/ 3003:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ StageClock)
/* harmony export */ });
/* harmony import */ var _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6706);
/* harmony import */ var _kernel_log_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8807);


/** Wall time per stage of a run, each stage ending where the next begins. */
class StageClock {
    stages = [];
    since = Date.now();
    /** Ends the stage that ran since the previous end (or since the clock started) under `name`; after an interruption, no next stage starts. */
    end(name) {
        _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_0__/* .interruption */ .Y.throwIfInterrupted();
        const now = Date.now();
        this.stages.push({ name, milliseconds: now - this.since });
        this.since = now;
    }
    /** "connect 0.3 s, preflight 0.5 s, …" */
    summary() {
        return this.stages.map(stage => `${stage.name} ${(0,_kernel_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatSeconds */ .Xo)(stage.milliseconds)}`).join(', ');
    }
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


/***/ }),

/***/ 7147:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkRecentVerifiedBackup: () => (/* binding */ checkRecentVerifiedBackup),
/* harmony export */   compareWithPrevious: () => (/* binding */ compareWithPrevious),
/* harmony export */   fetchManifest: () => (/* binding */ fetchManifest),
/* harmony export */   listVerified: () => (/* binding */ listVerified)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _kernel_log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8807);
/* harmony import */ var _kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(592);
/* harmony import */ var _kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3270);






/** The stored manifest of a backup, signature verified, fetched into a temp dir that is removed again. */
async function fetchManifest(store, backup, reading) {
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(reading.workRoot, 'selfhost-backup-manifest-'));
    try {
        return await (0,_kernel_manifest_file_js__WEBPACK_IMPORTED_MODULE_4__/* .readManifest */ .WI)(await store.fetch(backup, (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .manifestFileName */ .V6)(backup.backupId), dir), backup.backupId, reading.trust);
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
    }
}
const contentBytes = (part) => part.plaintext?.bytes ?? part.bytes;
/**
 * Compares each part with the previous complete backup of the same app and host: a part that shrank
 * by more than the threshold often means data went missing on the server (a wiped volume, an empty dump).
 */
async function compareWithPrevious(store, current, settings, reading, logger) {
    // With fail-on-shrink the check is a gate, and a gate that could not look fails; otherwise it only warns.
    const cannotCheck = (why) => {
        if (settings.failOnShrink)
            return { shrunk: [`the size check could not run (fail-on-shrink is on): ${why}`] };
        logger.warning(`Size check skipped: ${why}`);
        return { shrunk: [] };
    };
    let previous;
    try {
        previous = (await store.list({ app: current.app, hostId: current.hostId }))[0];
    }
    catch (error) {
        return cannotCheck(`the previous backups could not be listed (${error.message}).`);
    }
    if (!previous)
        return { shrunk: [] };
    let before;
    try {
        before = await fetchManifest(store, previous, reading);
    }
    catch (error) {
        return cannotCheck(error.message);
    }
    const shrunk = [];
    for (const part of current.parts) {
        const old = before.parts.find(candidate => candidate.name === part.name);
        // An incremental tarball holds only changes: its size says nothing about the data's.
        if (!old || contentBytes(old) === 0 || (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .isIncrementPart */ .tZ)(part) || (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .isIncrementPart */ .tZ)(old))
            continue;
        const drop = (1 - contentBytes(part) / contentBytes(old)) * 100;
        if (drop > settings.shrinkThreshold) {
            shrunk.push(`${part.name} shrank by ${drop.toFixed(0)}% (${(0,_kernel_log_js__WEBPACK_IMPORTED_MODULE_5__/* .formatBytes */ .z3)(contentBytes(old))} in ${previous.backupId} → ${(0,_kernel_log_js__WEBPACK_IMPORTED_MODULE_5__/* .formatBytes */ .z3)(contentBytes(part))})`);
        }
    }
    for (const line of shrunk)
        logger.warning(`Size check: ${line}`);
    return { previous: previous.backupId, shrunk };
}
/** mode: check — passes only when a drill-verified backup of this app and host is younger than max-age. */
async function checkRecentVerifiedBackup(store, target, maxAgeSeconds, workRoot, trust, logger, now = new Date()) {
    const seen = [];
    for (const backup of (await store.list(target)).slice(0, 20)) {
        let manifest;
        try {
            manifest = await fetchManifest(store, backup, { workRoot, trust });
        }
        catch (error) {
            // A forged or damaged backup neither passes the gate nor hides the genuine ones behind it.
            if (!(error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ))
                throw error;
            logger.warning(`mode: check ignores ${backup.backupId}: ${error.message}`);
            seen.push(`${backup.backupId} (refused: not a verifiable backup)`);
            continue;
        }
        const ageSeconds = (now.getTime() - Date.parse(manifest.finishedAt)) / 1000;
        const verified = manifest.verification?.method === 'drill' && manifest.verification.ok;
        if (verified && ageSeconds <= maxAgeSeconds)
            return manifest;
        seen.push(`${backup.backupId} (${Math.round(ageSeconds / 3600)} h old, ${verified ? 'drill-verified' : 'not drill-verified'})`);
        if (ageSeconds > maxAgeSeconds)
            break;
    }
    throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .NoBackupError */ .ml(`No drill-verified ${target.app} backup of ${target.hostId} is younger than ${maxAgeSeconds} s.${seen.length > 0 ? ` Newest found: ${seen.join(', ')}.` : ' None was found.'}`, 'run the backup (with verify: drill) before the gated job, or raise max-age.');
}
/** The store's complete backups whose manifests verify, newest first; the others are named in one warning each. */
async function listVerified(store, filter, reading, logger) {
    const verified = [];
    for (const backup of await store.list(filter)) {
        try {
            await fetchManifest(store, backup, reading);
            verified.push(backup);
        }
        catch (error) {
            if (!(error instanceof _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ))
                throw error;
            logger.warning(`${backup.backupId} is not listed: ${error.message}`);
        }
    }
    return verified;
}


/***/ }),

/***/ 424:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   t: () => (/* binding */ checkTarballStream),
/* harmony export */   v: () => (/* binding */ checkTarballEntries)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_string_decoder__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6193);
/* harmony import */ var node_string_decoder__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_string_decoder__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_dead_buffers_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5450);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(151);
/* harmony import */ var _compression_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2328);
/* harmony import */ var _tar_entries_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5004);







/** Feeds tar's listing to the tally line by line as it streams. */
function listingSink(tally) {
    const decoder = new node_string_decoder__WEBPACK_IMPORTED_MODULE_1__.StringDecoder('utf8');
    let pending = '';
    return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Writable({
        write(chunk, _encoding, done) {
            (0,_kernel_dead_buffers_js__WEBPACK_IMPORTED_MODULE_2__/* .deadBytesRead */ .o)(chunk.length);
            pending += decoder.write(chunk);
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines)
                if (line !== '')
                    tally.add(line);
            done();
        },
        final(done) {
            pending += decoder.end();
            if (pending !== '')
                tally.add(pending);
            done();
        }
    });
}
/**
 * Lists every member and refuses unsafe ones: a file on the runner, or the stream a restore is sending to
 * the host (the listing runs beside the transfer, on the runner's own tar).
 */
async function checkTarballEntries(runner, input, compression) {
    const tally = new _tar_entries_js__WEBPACK_IMPORTED_MODULE_5__/* .ListingTally */ .zO();
    const sink = listingSink(tally);
    const listed = new Promise((resolve, reject) => sink.once('finish', resolve).once('error', reject));
    const archive = (0,_compression_js__WEBPACK_IMPORTED_MODULE_4__/* .decompressing */ .wU)(compression, input);
    await runner.run(
    // The listing is parsed: in another locale tar words hard links differently ("Link auf", "lien vers").
    (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .script */ .K$)('export LC_ALL=C', (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .pipeline */ .Tk)(archive.text, (0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_6__/* .command */ .G5)(['tar', '-t', '-v', '-P', '--numeric-owner', '--quoting-style=c', '-f', '-']))), { stdin: archive.stdin, stdout: sink, description: 'Listing the tarball' });
    sink.end();
    await listed;
    if (tally.unsafeCount > 0) {
        const more = tally.unsafeCount > tally.unsafe.length ? ` (and ${tally.unsafeCount - tally.unsafe.length} more)` : '';
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .VerificationError */ .mk(`${tally.unsafeCount} unsafe entr${tally.unsafeCount === 1 ? 'y' : 'ies'}: ${tally.unsafe.join('; ')}${more}`);
    }
    return tally;
}
/**
 * The drill's check of a tarball, in one pass over the stream: every member listed (-P, so tar shows
 * absolute names and link targets as stored instead of stripping the leading slash) and refused when
 * unsafe; the symlinks resolved together, as the kernel would (a -> . and b -> a/.. escape only in
 * combination); and the whole archive read to its end through the decompressor, whose own checksums
 * (zstd's content checksum, gzip's CRC) prove every byte of every member. Nothing is extracted, so the
 * runner needs no room for the data.
 */
async function checkTarballStream(runner, input, compression) {
    const tally = await checkTarballEntries(runner, input, compression);
    const escapes = [...tally.links.keys()].filter(link => !(0,_tar_entries_js__WEBPACK_IMPORTED_MODULE_5__/* .symlinkStaysInside */ .OZ)(link, tally.links));
    if (escapes.length > 0) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .VerificationError */ .mk(`symlinks resolve outside the archive: ${escapes
            .slice(0, 10)
            .map(link => JSON.stringify(link))
            .join(', ')}`);
    }
    const checksums = compression === 'none' ? '' : `, every byte read through ${compression} with its checksum`;
    return `${tally.files} files (${tally.totalBytes} bytes), ${tally.directories} directories, ${tally.symlinks} symlinks, ${tally.hardLinks} hard links: listed safe${tally.symlinks > 0 ? ', symlinks resolve inside' : ''}${checksums}`;
}


/***/ }),

/***/ 2042:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ LocalTransport)
/* harmony export */ });
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _process_runner_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9867);
/* harmony import */ var _transport_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1588);



/** Runs the host-side scripts on this machine: for self-hosted runners and the CLI. */
class LocalTransport {
    settings;
    kind = 'local';
    label;
    hostId;
    constructor(settings) {
        this.settings = settings;
        const name = settings.hostName ?? (0,node_os__WEBPACK_IMPORTED_MODULE_0__.hostname)();
        this.label = `local (${name})`;
        this.hostId = (0,_transport_js__WEBPACK_IMPORTED_MODULE_2__/* .hostIdFrom */ .e)(name);
    }
    async open() { }
    run(script, options = {}) {
        // --norc: bash thinks a child with a socket for stdin was started by sshd and would read ~/.bashrc.
        if (this.settings.sudo && !options.asLoginUser) {
            return (0,_process_runner_js__WEBPACK_IMPORTED_MODULE_1__/* .runProcess */ .R)('sudo', ['-n', '--', 'bash', '--norc', '--noprofile', '-c', script], options);
        }
        return (0,_process_runner_js__WEBPACK_IMPORTED_MODULE_1__/* .runProcess */ .R)('bash', ['--norc', '--noprofile', '-c', script], options);
    }
    async close() { }
}


/***/ }),

/***/ 9867:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   R: () => (/* binding */ runProcess)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_child_environment_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4451);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);
/* harmony import */ var _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6706);




const COLLECT_LIMIT = 16 * 1024 * 1024;
const STDERR_LIMIT = 64 * 1024;
/**
 * Spawns one local process (bash, sudo or ssh) and wires stdin/stdout as streams. Shared by both
 * transports so their error and streaming behaviour cannot drift apart.
 */
function runProcess(program, argv, options, env = (0,_kernel_child_environment_js__WEBPACK_IMPORTED_MODULE_3__/* .childEnvironment */ .Q)()) {
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(program, argv, { stdio: ['pipe', 'pipe', 'pipe'], env, detached: _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.isolateChildren });
        const untrack = options.survivesInterruption ? () => undefined : _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.track(child);
        let stdout = '';
        let stderr = '';
        let settled = false;
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            child.kill('SIGTERM');
            reject(error);
        };
        if (options.stdout) {
            child.stdout.pipe(options.stdout, { end: false });
            options.stdout.once('error', fail);
        }
        else {
            child.stdout.setEncoding('utf8');
            child.stdout.on('data', (chunk) => {
                if (stdout.length < COLLECT_LIMIT)
                    stdout += chunk;
            });
        }
        child.stderr.setEncoding('utf8');
        let partialLine = '';
        child.stderr.on('data', (chunk) => {
            stderr = (stderr + chunk).slice(-STDERR_LIMIT);
            if (!options.onStderrLine)
                return;
            const lines = (partialLine + chunk).split('\n');
            partialLine = (lines.pop() ?? '').slice(-STDERR_LIMIT);
            for (const line of lines)
                options.onStderrLine(line);
        });
        // EPIPE on stdin means the process exited early; its exit code tells the real story.
        child.stdin.on('error', () => undefined);
        if (options.stdin === undefined) {
            child.stdin.end();
        }
        else if (typeof options.stdin === 'string') {
            child.stdin.end(options.stdin);
        }
        else {
            const source = options.stdin;
            source.once('error', fail);
            source.pipe(child.stdin);
        }
        child.once('error', error => fail(error));
        // Interrupted: done when the process is, not when its pipes close. An ssh client hands its pipes to the
        // connection's master, which holds them until the remote command ends on its own; the cleanup cannot wait.
        child.once('exit', () => {
            if (!_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.didStop(child) || !_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted || settled)
                return;
            settled = true;
            untrack();
            child.stdout.destroy();
            child.stderr.destroy();
            reject(new _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .InterruptedError */ .p(_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted));
        });
        child.once('close', (code, signal) => {
            untrack();
            if (options.stdin !== undefined && typeof options.stdin !== 'string') {
                options.stdin.unpipe(child.stdin);
                options.stdin.destroy();
            }
            if (settled)
                return;
            settled = true;
            const exitCode = code ?? (signal ? 128 : 1);
            // Stopped because the user interrupted the tool: said as that, not as a failure of the command.
            if (_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.didStop(child) && _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted) {
                reject(new _kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .InterruptedError */ .p(_kernel_interruption_js__WEBPACK_IMPORTED_MODULE_2__/* .interruption */ .Y.interrupted));
                return;
            }
            if (exitCode !== 0 && !options.allowFailure) {
                reject(new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HostCommandError */ .MK(options.description ?? 'A command on the host', code, stderr, hintFor(stderr)));
                return;
            }
            resolve({ exitCode, stdout, stderr });
        });
    });
}
function hintFor(stderr) {
    if (/sudo: .*password is required|sudo: a terminal is required/.test(stderr)) {
        return 'the login user needs passwordless sudo (NOPASSWD) for `sudo -n`, or set `sudo: false` if it can read the data itself.';
    }
    if (/No space left on device|database or disk is full/i.test(stderr)) {
        return 'free space on the host: the SQLite snapshot needs as much room as the database in its temp directory (set host-temp-dir to a larger filesystem), and a restore needs room on the target filesystem.';
    }
    if (/command not found|not found$/m.test(stderr)) {
        return 'install the missing program on the host (the message above names it).';
    }
    return '';
}


/***/ }),

/***/ 1588:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ hostIdFrom)
/* harmony export */ });
/** Slug safe for artifact names (no ":", "/", quotes, spaces) and unambiguous inside a backup id. */
function hostIdFrom(name) {
    const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9.]+/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^[-.]+|[-.]+$/g, '');
    return slug || 'host';
}


/***/ })

};

export const id = 423;
export const ids = [423];
export const modules = {

/***/ 9396:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AF: () => (/* binding */ recipientFingerprint),
/* harmony export */   E2: () => (/* binding */ AGE_EXTENSION),
/* harmony export */   UC: () => (/* binding */ decryptStream),
/* harmony export */   UO: () => (/* binding */ encryptStream),
/* harmony export */   go: () => (/* binding */ parseIdentities),
/* harmony export */   q: () => (/* binding */ parseRecipients)
/* harmony export */ });
/* harmony import */ var age_encryption__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1539);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2386);




/** age's X25519 and hybrid post-quantum recipients; the library has no SSH-key recipients. */
const RECIPIENT_PATTERN = /^age1[0-9a-z]{20,2000}$/;
const IDENTITY_PATTERN = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]{20,4000}$/;
const AGE_EXTENSION = '.age';
function parseRecipients(text) {
    const recipients = text.split(/[\s,]+/).filter(Boolean);
    for (const recipient of recipients) {
        if (/^(ssh-|ecdsa-)/.test(recipient)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('encrypt-to', 'SSH public keys are not supported as recipients by the age library this action uses.', 'generate an age key pair (age-keygen -o backup.key) and use the age1… recipient it prints.');
        }
        if (!RECIPIENT_PATTERN.test(recipient)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('encrypt-to', `"${recipient.slice(0, 80)}" is not an age recipient.`, 'use the public key printed by age-keygen, which starts with age1.');
        }
    }
    return recipients;
}
/** Identities from the secret: one per line, comments (# …) and blank lines ignored, as age's key files have them. */
function parseIdentities(text) {
    const identities = text
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line && !line.startsWith('#'));
    for (const identity of identities) {
        if (!IDENTITY_PATTERN.test(identity)) {
            // Never echo the value: it is a secret, or part of one.
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('age-identity', 'a line is not an age identity.', 'store the whole key file made by age-keygen (the AGE-SECRET-KEY-1… line) as the secret.');
        }
    }
    return identities;
}
/** Short, non-secret label of a recipient for the manifest, so a restore can say which key is needed. */
function recipientFingerprint(recipient) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createHash)('sha256').update(recipient).digest('hex').slice(0, 16);
}
/** The ciphertext of a plaintext stream, as a stream: nothing is held in memory beyond age's 64 KiB chunks. */
async function encryptStream(recipients, plaintext) {
    const encrypter = new age_encryption__WEBPACK_IMPORTED_MODULE_0__/* .Encrypter */ .T7();
    for (const recipient of recipients)
        encrypter.addRecipient(recipient);
    const encrypted = await encrypter.encrypt(node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable.toWeb(plaintext));
    return node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable.fromWeb(encrypted);
}
/**
 * The plaintext of a ciphertext stream. Resolves once age has read the header, so a wrong identity fails
 * here, before the caller sends anything anywhere; the payload is authenticated chunk by chunk as it is read.
 */
async function decryptStream(identities, ciphertext) {
    const decrypter = new age_encryption__WEBPACK_IMPORTED_MODULE_0__/* .Decrypter */ .Hz();
    for (const identity of identities)
        decrypter.addIdentity(identity);
    try {
        return (await decrypter.decrypt(node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable.toWeb(node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable.from(ciphertext))));
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('age-identity', `it does not decrypt this backup (${error.message}).`, "use the identity whose recipient was in encrypt-to when the backup was made; the manifest lists the recipients' fingerprints.");
    }
}


/***/ }),

/***/ 5103:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   WI: () => (/* binding */ DEFAULT_CHUNK_SIZE),
/* harmony export */   Xd: () => (/* binding */ CHUNKS_WAITING_PER_PART),
/* harmony export */   i1: () => (/* binding */ ChunkedFileWriter),
/* harmony export */   sX: () => (/* binding */ CHUNK_SIZE_RANGE)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _kernel_manifest_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(592);





/** chunk-size's default: big enough that chunks stay few (each is an artifact), small enough for any runner's disk. */
const DEFAULT_CHUNK_SIZE = 256 * 1024 ** 2;
const CHUNK_SIZE_RANGE = { min: 1024 ** 2, max: 16 * 1024 ** 3 };
/** How many sealed chunks of one part may wait on the runner for the store while the next one is written. */
const CHUNKS_WAITING_PER_PART = 1;
/**
 * Writes a part's stored bytes into files of at most `chunkSize` bytes in `dir`, hashes each, hands each
 * to the store as soon as it is complete and deletes it once stored: the runner holds at most
 * CHUNKS_WAITING_PER_PART sealed chunks plus the one being written, whatever the part's size. A part that
 * fits in one chunk is stored under its own name `file`, with no chunk list. Without `handOver` (no
 * store: a test or a tool that keeps the files) nothing is cut or deleted.
 */
class ChunkedFileWriter extends node_stream__WEBPACK_IMPORTED_MODULE_3__.Writable {
    dir;
    file;
    handOver;
    storeOwnsDir;
    /** The chunks, in order, once the writer finished; empty when the part was stored as one file. */
    chunks = [];
    /** Bytes written so far, for error messages. */
    written = 0;
    current;
    waiting = [];
    sealedCount = 0;
    chunkSize;
    /** The write or final in progress, which destroy waits for. */
    busy = Promise.resolve();
    /**
     * `storeOwnsDir`: `dir` is the store's own directory (StoreSession.writeDirectory), so a handed-over
     * file stays where it is; otherwise it is deleted once stored.
     */
    constructor(dir, file, chunkSize, handOver, storeOwnsDir = false) {
        super();
        this.dir = dir;
        this.file = file;
        this.handOver = handOver;
        this.storeOwnsDir = storeOwnsDir;
        this.chunkSize = handOver ? chunkSize : Number.POSITIVE_INFINITY;
    }
    _write(data, _encoding, done) {
        this.busy = this.append(data);
        this.busy.then(() => done(), done);
    }
    _final(done) {
        this.busy = this.finish();
        this.busy.then(() => done(), done);
    }
    /** A failed producer destroys the writer, possibly mid-write: the unfinished chunk goes once that write has settled. */
    _destroy(error, done) {
        this.busy
            .catch(() => undefined)
            .then(async () => {
            const current = this.current;
            this.current = undefined;
            if (current) {
                await current.handle.close().catch(() => undefined);
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(current.temp, { force: true });
            }
        })
            .then(() => done(error), () => done(error));
    }
    async append(data) {
        for (let offset = 0; offset < data.length && !this.destroyed;) {
            // A full chunk is sealed only when more bytes come: then it is known not to be the only one.
            if (this.current && this.current.bytes >= this.chunkSize)
                await this.seal(false);
            const chunk = this.current ?? (await this.openChunk());
            const piece = data.subarray(offset, offset + Math.min(data.length - offset, this.chunkSize - chunk.bytes));
            await chunk.handle.write(piece);
            chunk.hash.update(piece);
            chunk.bytes += piece.length;
            this.written += piece.length;
            offset += piece.length;
        }
    }
    async finish() {
        // An empty part is still one (empty) file.
        if (!this.current && this.sealedCount === 0)
            await this.openChunk();
        // The last chunks upload while the next part streams; the store session's commit waits for them.
        if (this.current)
            await this.seal(true);
    }
    async openChunk() {
        // Bounded disk: wait for the store to take the oldest sealed chunk before writing a new one.
        while (this.waiting.length > CHUNKS_WAITING_PER_PART)
            await this.waiting.shift();
        const temp = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.dir, `${this.file}.writing`);
        const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(temp, 'wx', 0o600);
        this.current = { handle, temp, hash: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256'), bytes: 0 };
        return this.current;
    }
    async seal(last) {
        const chunk = this.current;
        this.current = undefined;
        await chunk.handle.close();
        const only = last && this.sealedCount === 0;
        const name = only ? this.file : (0,_kernel_manifest_js__WEBPACK_IMPORTED_MODULE_4__/* .chunkFileName */ .x5)(this.file, this.sealedCount);
        this.sealedCount += 1;
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(chunk.temp, (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.dir, name));
        if (!only)
            this.chunks.push({ file: name, bytes: chunk.bytes, sha256: chunk.hash.digest('hex') });
        if (!this.handOver)
            return;
        const handed = this.handOver(name);
        // A file that cannot be deleted here is removed with the staging directory at the end.
        this.waiting.push(this.storeOwnsDir ? handed : handed.then(() => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.dir, name), { force: true })).catch(() => undefined));
    }
}


/***/ }),

/***/ 6283:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fy: () => (/* binding */ placeMovedBecause),
/* harmony export */   Tj: () => (/* binding */ ROOT_PLACE),
/* harmony export */   Wy: () => (/* binding */ unsafePlaceError),
/* harmony export */   c4: () => (/* binding */ refuseUnsafePlace),
/* harmony export */   dh: () => (/* binding */ chooseSafePlaceLines),
/* harmony export */   mi: () => (/* binding */ PLACE_MOVED_MARK),
/* harmony export */   rC: () => (/* binding */ dataRootTag),
/* harmony export */   rQ: () => (/* binding */ besideDataRoot),
/* harmony export */   yw: () => (/* binding */ chooseSafePlace)
/* harmony export */ });
/* unused harmony exports UNSAFE_PLACE_EXIT_CODE, UnsafeHostPlaceError */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2386);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(151);
/**
 * Places on the host that selfhost-backup itself writes beside the data (the lock file, the incremental
 * state, the safety copies). They often sit in a directory the application's user owns, such as the home
 * of the user tabby, while the work runs as root: whoever can write that directory can put a link where
 * the place will be, and root would then create or write a file of their choosing. So before a place is
 * used, the host checks it: the place is no link, and no directory on the way to it can be written by
 * anyone but root, the effective user, and the user who ran sudo (who could run anything as root anyway).
 */




/** A short stable tag of a data root: names the lock, the state and the safety copies kept for it. */
function dataRootTag(dataRoot) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(dataRoot).digest('hex').slice(0, 12);
}
/** A place of ours beside the data directory (`.selfhost-backup-<what><tag>`), named after the data root it serves. */
function besideDataRoot(dataRoot, what, suffix = '') {
    return node_path__WEBPACK_IMPORTED_MODULE_1__.posix.join(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(dataRoot), `.selfhost-backup-${what}${dataRootTag(dataRoot)}${suffix}`);
}
/** A root-owned home for places that cannot stay beside the data; only root can use it. */
const ROOT_PLACE = '/var/lib/selfhost-backup';
/** The exit code and stderr mark of a refusal; the mark makes the code unambiguous. */
const UNSAFE_PLACE_EXIT_CODE = 86;
const UNSAFE_PLACE_MARK = 'selfhost-backup-unsafe-place';
/** A place was refused on the host: the message names it and why, the hint how to fix it. */
class UnsafeHostPlaceError extends _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ {
}
/**
 * Prints why a place is unsafe and returns 2 when a directory on its way is the problem, 1 when the place
 * itself is; returns 0 when it is safe. Fixed text: the place and its kind come in as arguments. The walk
 * goes up the physical path from the nearest existing directory (a missing one will be created by the
 * caller, as the effective user), and owners are compared by uid.
 */
const PROBLEM_FUNCTION = String.raw `selfhost_backup_place_problem() {
  local place=$1 kind=$2 trusted=" 0 $EUID " directory physical info owner group mode owner_name group_name
  if [[ -v SUDO_UID && $SUDO_UID =~ ^[0-9]+$ ]]; then trusted+="$SUDO_UID "; fi
  directory=$(dirname -- "$place")
  while [ ! -e "$directory" ] && [ ! -L "$directory" ]; do directory=$(dirname -- "$directory"); done
  if [ -L "$directory" ]; then echo "its directory $directory is a symbolic link"; return 2; fi
  physical=$(cd -P -- "$directory" && pwd -P) || { echo "its directory $directory cannot be entered"; return 2; }
  while :; do
    info=$(stat -c '%u %g %a %U %G' -- "$physical") || { echo "the directory $physical cannot be examined"; return 2; }
    read -r owner group mode owner_name group_name <<< "$info"
    if [[ "$trusted" != *" $owner "* ]]; then echo "the directory $physical can be written by its owner, the user $owner_name (uid $owner)"; return 2; fi
    if (( 8#$mode & 8#002 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by every user"; return 2; fi
    if (( 8#$mode & 8#020 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by the group $group_name"; return 2; fi
    [ "$physical" = / ] && break
    physical=$(dirname -- "$physical")
  done
  if [ -L "$place" ]; then echo "it is a symbolic link"; return 1; fi
  [ -e "$place" ] || return 0
  if [ "$kind" = file ] && [ ! -f "$place" ]; then echo "it is not a regular file"; return 1; fi
  if [ "$kind" = directory ] && [ ! -d "$place" ]; then echo "it is not a directory"; return 1; fi
  info=$(stat -c '%u %g %a %U %G' -- "$place") || { echo "it cannot be examined"; return 1; }
  read -r owner group mode owner_name group_name <<< "$info"
  if [[ "$trusted" != *" $owner "* ]]; then echo "it belongs to the user $owner_name (uid $owner)"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#002 )); then echo "it can be written by every user"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#020 )); then echo "it can be written by the group $group_name"; return 1; fi
  return 0
}`;
const indent = (lines) => lines.map(line => `  ${line}`);
/** Leaves the reason in $place_problem and the problem function's answer in $place_code. */
function placeProblemCheck(place) {
    return `place_code=0; place_problem=$(selfhost_backup_place_problem ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.path)} ${place.kind}) || place_code=$?`;
}
/** Ends the script with UNSAFE_PLACE_EXIT_CODE and one stderr line: what and why, then how to fix it. */
function refusal(place) {
    const what = `${place.name} ${place.path}`;
    // A link at the place is never ours, so it goes; a directory others can write is theirs to keep.
    const linkFix = `remove the link ${place.path} (selfhost-backup never makes one) and find out who made it; or ${place.fix}`;
    return [
        `case "$place_problem" in 'it is a symbolic link') place_fix=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(linkFix)} ;; *) place_fix=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.fix)} ;; esac`,
        `printf '%s\\t%s: %s\\t%s\\n' ${UNSAFE_PLACE_MARK} ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(what)} "$place_problem" "$place_fix" >&2`,
        `exit ${UNSAFE_PLACE_EXIT_CODE}`
    ];
}
/**
 * Bash lines for a script, before it uses the place: they end it with UNSAFE_PLACE_EXIT_CODE and one
 * line on stderr (turned into an error by `unsafePlaceError`) when the place is unsafe. The place itself
 * is not created.
 */
function refuseUnsafePlace(place) {
    return [PROBLEM_FUNCTION, placeProblemCheck(place), 'if [ "$place_code" != 0 ]; then', ...indent(refusal(place)), 'fi'];
}
/**
 * The clear error for a host command refused by `refuseUnsafePlace`, from a HostCommandError or a
 * RunResult (both carry exitCode and stderr); undefined for any other failure, so callers can write
 * `throw unsafePlaceError(error) ?? error`.
 */
function unsafePlaceError(failure) {
    if (typeof failure !== 'object' || failure === null)
        return undefined;
    const { exitCode, stderr } = failure;
    if (exitCode !== UNSAFE_PLACE_EXIT_CODE || typeof stderr !== 'string')
        return undefined;
    const line = stderr
        .split('\n')
        .reverse()
        .find(candidate => candidate.startsWith(`${UNSAFE_PLACE_MARK}\t`));
    if (!line)
        return undefined;
    const [, problem = '', fix = ''] = line.split('\t');
    return new UnsafeHostPlaceError(`Refusing to use ${problem}.`, fix, { cause: failure });
}
/**
 * Bash lines that leave in $place the path to use: `place` itself when it is safe; when a directory on
 * its way is not and the script runs as root, `fallback` (inside ROOT_PLACE, which only root can write),
 * after echoing `<movedMark>\t<why>` on stdout. Anything else is refused as by `refuseUnsafePlace`: a
 * link or a stranger's file at the place, in a directory only trusted users can write, is a sign of
 * tampering that someone should look at, rather than step around.
 */
function chooseSafePlaceLines(place, fallback, movedMark) {
    const fallbackPlace = { ...place, path: fallback };
    const directory = place.kind === 'directory' ? fallback : node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(fallback);
    return [
        PROBLEM_FUNCTION,
        `place=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(place.path)}`,
        placeProblemCheck(place),
        'if [ "$place_code" = 2 ] && [ "$EUID" = 0 ]; then',
        `  printf '%s\\t%s\\n' ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(movedMark)} "$place_problem"`,
        // umask for every directory mkdir -p makes, not only the last (which is all -m would cover).
        `  (umask 077 && mkdir -p -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(directory)})`,
        `  place=${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(fallback)}`,
        `  ${placeProblemCheck(fallbackPlace)}`,
        '  if [ "$place_code" != 0 ]; then',
        ...indent(indent(refusal(fallbackPlace))),
        '  fi',
        'elif [ "$place_code" != 0 ]; then',
        ...indent(refusal(place)),
        'fi'
    ];
}
/**
 * For a caller that needs the path before it builds its own scripts (the incremental state directory):
 * the place, or its fallback when the place is unsafe and the host runs this as root. Creates nothing but
 * the fallback's directory; a refusal throws UnsafeHostPlaceError.
 */
async function chooseSafePlace(host, place, fallback) {
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .script */ .K$)(...chooseSafePlaceLines(place, fallback, PLACE_MOVED_MARK), 'printf "selfhost-backup-place=%s\\n" "$place"'), {
        allowFailure: true,
        description: `Checking ${place.name} ${place.path}`
    });
    const refused = unsafePlaceError(result);
    if (refused)
        throw refused;
    const chosen = result.stdout.split('\n').find(line => line.startsWith('selfhost-backup-place='));
    if (result.exitCode !== 0 || chosen === undefined) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`Could not check ${place.name} ${place.path} on the host (exit code ${result.exitCode}): ${result.stderr.trim()}`);
    }
    const path = chosen.slice('selfhost-backup-place='.length);
    // Only the two paths this code offered are accepted, whatever the host printed.
    if (path !== place.path && path !== fallback)
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SelfhostBackupError */ .FZ(`The host answered an unexpected place for ${place.name}: ${path}`);
    return path === fallback ? { path, movedBecause: placeMovedBecause(result.stdout) } : { path };
}
/** The mark chooseSafePlaceLines echoes, for a caller that reads why the place moved (placeMovedBecause). */
const PLACE_MOVED_MARK = 'selfhost-backup-place-moved';
/** Why chooseSafePlaceLines, run with PLACE_MOVED_MARK, moved the place to its fallback, from the script's stdout. */
function placeMovedBecause(stdout) {
    const line = stdout.split('\n').find(candidate => candidate.startsWith(`${PLACE_MOVED_MARK}\t`));
    return line?.slice(PLACE_MOVED_MARK.length + 1) ?? '';
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
// EXTERNAL MODULE: ./src/pipeline/chunk-writer.ts
var chunk_writer = __webpack_require__(5103);
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
                describe: () => (chunked.chunks.length > 0 ? { chunks: chunked.chunks } : {}),
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

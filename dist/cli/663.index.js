export const id = 663;
export const ids = [663];
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

/***/ 8602:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Xd: () => (/* binding */ CHUNKS_WAITING_PER_PART),
  sX: () => (/* binding */ CHUNK_SIZE_RANGE),
  i1: () => (/* binding */ ChunkedFileWriter),
  WI: () => (/* binding */ DEFAULT_CHUNK_SIZE)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
;// CONCATENATED MODULE: ./src/kernel/block-hashes.ts

/**
 * The sha256 of each consecutive block of `blockSize` bytes of one stored file, computed as the file is
 * written (the last block may be shorter; an empty file has no blocks). See PartRecord.blockSize.
 */
class BlockHasher {
    blockSize;
    hashes = [];
    current;
    filled = 0;
    constructor(blockSize) {
        this.blockSize = blockSize;
    }
    update(data) {
        for (let offset = 0; offset < data.length;) {
            this.current ??= (0,external_node_crypto_.createHash)('sha256');
            const taken = Math.min(data.length - offset, this.blockSize - this.filled);
            this.current.update(data.subarray(offset, offset + taken));
            this.filled += taken;
            offset += taken;
            if (this.filled === this.blockSize)
                this.seal();
        }
    }
    /** Every block's sha256, in order, the shorter last one included. */
    digest() {
        if (this.filled > 0)
            this.seal();
        return this.hashes;
    }
    seal() {
        this.hashes.push(this.current.digest('hex'));
        this.current = undefined;
        this.filled = 0;
    }
}

// EXTERNAL MODULE: ./src/kernel/manifest.ts
var manifest = __webpack_require__(592);
;// CONCATENATED MODULE: ./src/pipeline/chunk-writer.ts






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
class ChunkedFileWriter extends external_node_stream_.Writable {
    dir;
    file;
    handOver;
    storeOwnsDir;
    /** The chunks, in order, once the writer finished; empty when the part was stored as one file. */
    chunks = [];
    /** The block hashes of the part's one file, when it was stored as one file. */
    onlyFileBlocks;
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
    /** What the part's record says about how it was stored, once the writer finished: its chunks, its blocks. */
    describe() {
        if (this.chunks.length > 0)
            return { chunks: this.chunks, blockSize: manifest/* BLOCK_SIZE */.cS };
        return this.onlyFileBlocks ? { blockSize: manifest/* BLOCK_SIZE */.cS, blocks: this.onlyFileBlocks } : {};
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
                await (0,promises_.rm)(current.temp, { force: true });
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
            chunk.blocks.update(piece);
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
        const temp = (0,external_node_path_.join)(this.dir, `${this.file}.writing`);
        const handle = await (0,promises_.open)(temp, 'wx', 0o600);
        this.current = { handle, temp, hash: (0,external_node_crypto_.createHash)('sha256'), blocks: new BlockHasher(manifest/* BLOCK_SIZE */.cS), bytes: 0 };
        return this.current;
    }
    async seal(last) {
        const chunk = this.current;
        this.current = undefined;
        await chunk.handle.close();
        const only = last && this.sealedCount === 0;
        const name = only ? this.file : (0,manifest/* chunkFileName */.x5)(this.file, this.sealedCount);
        this.sealedCount += 1;
        await (0,promises_.rename)(chunk.temp, (0,external_node_path_.join)(this.dir, name));
        if (only)
            this.onlyFileBlocks = chunk.blocks.digest();
        else
            this.chunks.push({ file: name, bytes: chunk.bytes, sha256: chunk.hash.digest('hex'), blocks: chunk.blocks.digest() });
        if (!this.handOver)
            return;
        const handed = this.handOver(name);
        // A file that cannot be deleted here is removed with the staging directory at the end.
        this.waiting.push(this.storeOwnsDir ? handed : handed.then(() => (0,promises_.rm)((0,external_node_path_.join)(this.dir, name), { force: true })).catch(() => undefined));
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


/***/ })

};

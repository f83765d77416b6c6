export const id = 91;
export const ids = [91];
export const modules = {

/***/ 9091:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runRestore: () => (/* binding */ runRestore)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/pipeline/lock.ts
var pipeline_lock = __webpack_require__(799);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
// EXTERNAL MODULE: ./src/kernel/manifest.ts
var kernel_manifest = __webpack_require__(592);
// EXTERNAL MODULE: ./src/kernel/manifest-keys.ts
var manifest_keys = __webpack_require__(3625);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/transport/local.ts
var local = __webpack_require__(2042);
// EXTERNAL MODULE: ./src/sources/tar-check.ts
var tar_check = __webpack_require__(424);
// EXTERNAL MODULE: ./src/sources/tar.ts
var tar = __webpack_require__(9401);
// EXTERNAL MODULE: ./src/kernel/encryption.ts
var encryption = __webpack_require__(9396);
// EXTERNAL MODULE: ./src/kernel/progress.ts
var progress = __webpack_require__(4174);
// EXTERNAL MODULE: ./src/kernel/shell.ts
var shell = __webpack_require__(151);
// EXTERNAL MODULE: ./src/pipeline/fanout.ts
var fanout = __webpack_require__(2251);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./src/kernel/dead-buffers.ts + 2 modules
var dead_buffers = __webpack_require__(5450);
;// CONCATENATED MODULE: ./src/pipeline/verified-bytes.ts







/**
 * The part's stored bytes, each piece checked against the signed manifest before it is yielded, and the
 * whole part's sha256 compared at the end. With block hashes in the manifest (every backup since they were
 * added) the stored files stream from the store and each block is checked in memory, nothing written on
 * the runner; an older backup's files are downloaded whole to the runner and checked first. A mismatch sets
 * `finding.damage` and stops the source.
 */
async function* verifiedBytes(source, record, finding) {
    const damaged = (message) => {
        finding.damage = message;
        return new errors/* VerificationError */.mk(message);
    };
    const pieces = record.chunks ?? [{ file: record.file, bytes: record.bytes, sha256: record.sha256, blocks: record.blocks }];
    const whole = (0,external_node_crypto_.createHash)('sha256');
    let wholeBytes = 0;
    const checked = record.blockSize !== undefined ? blockCheckedPieces(source, pieces, record.blockSize, damaged) : wholeCheckedPieces(source, pieces, damaged);
    for await (const data of checked) {
        whole.update(data);
        wholeBytes += data.length;
        yield data;
    }
    const sha256 = whole.digest('hex');
    if (sha256 !== record.sha256 || wholeBytes !== record.bytes) {
        throw damaged(`${record.file}: expected ${record.bytes} bytes with sha256 ${record.sha256}, got ${wholeBytes} bytes with ${sha256}`);
    }
}
/**
 * Each stored file read as a stream from the store, its bytes gathered into blocks of `blockSize`, each
 * block's sha256 compared with the manifest's before any byte of it is yielded. The next block is read and
 * checked into a second buffer while this one goes on, so the store and the host both stay busy; the runner
 * holds those two blocks whatever the size of the backup.
 */
async function* blockCheckedPieces(source, pieces, blockSize, damaged) {
    const reader = new CheckedBlockReader(source, pieces, blockSize, damaged);
    const blocks = reader.blocks();
    let next = blocks.next();
    next.catch(() => undefined);
    try {
        for (;;) {
            const block = await next;
            if (block.done)
                return;
            next = blocks.next();
            // Seen when it is awaited; until then a rejection must not count as unhandled.
            next.catch(() => undefined);
            yield* copiesOf(block.value);
        }
    }
    finally {
        // Stopped early (damage, or the host failed): the read in flight ends now instead of running on.
        reader.stop();
        await next.catch(() => undefined);
        await blocks.return(undefined);
    }
}
/**
 * How often a stored file's stream may break without a block checked in between before the restore gives
 * up: each time it is read again from the first block not yet checked, after a pause that grows.
 */
const READ_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 2000;
/**
 * Reads the blocks of a part's stored files in order, into two buffers in turn (a block handed out stays
 * untouched while the next one is read), hashing each as its bytes arrive. A stream that breaks is opened
 * again at the first block not yet checked (a download address expires, a connection drops), so a long
 * restore does not start over; a file longer or shorter than the manifest says is damage.
 */
class CheckedBlockReader {
    source;
    pieces;
    blockSize;
    damaged;
    buffers;
    handedOut = 0;
    stream;
    stopping = new AbortController();
    constructor(source, pieces, blockSize, damaged) {
        this.source = source;
        this.pieces = pieces;
        this.blockSize = blockSize;
        this.damaged = damaged;
        const largest = Math.max(1, Math.min(blockSize, Math.max(...pieces.map(piece => piece.bytes))));
        this.buffers = [Buffer.allocUnsafeSlow(largest), Buffer.allocUnsafeSlow(largest)];
    }
    /** Ends the stream in flight: a read waiting on it fails, and nothing is read again. */
    stop() {
        this.stopping.abort();
        this.stream?.destroy();
    }
    async *blocks() {
        for (const piece of this.pieces)
            yield* this.blocksOf(piece);
    }
    async *blocksOf(piece) {
        const { source, blockSize, damaged } = this;
        const expected = piece.blocks ?? [];
        let index = 0;
        let failures = 0;
        for (let ended = false; !ended;) {
            const stream = await source.store.read(source.backup, piece.file, index * blockSize);
            this.stream = stream;
            if (this.stopping.signal.aborted)
                stream.destroy();
            const reader = new StreamReader(stream);
            try {
                for (; index < expected.length; index += 1) {
                    const start = index * blockSize;
                    const length = Math.min(blockSize, piece.bytes - start);
                    const block = this.buffers[this.handedOut % 2];
                    const hash = (0,external_node_crypto_.createHash)('sha256');
                    const filled = await reader.fill(block, length, hash);
                    if (filled < length)
                        throw damaged(`${piece.file}: expected ${piece.bytes} bytes, the store holds ${start + filled}`);
                    const sha256 = hash.digest('hex');
                    if (sha256 !== expected[index])
                        throw damaged(`${piece.file}: block ${index + 1} of ${expected.length} (bytes ${start} to ${start + length - 1}) has sha256 ${sha256}, the manifest says ${expected[index]}`);
                    failures = 0;
                    this.handedOut += 1;
                    yield block.subarray(0, length);
                }
                if ((await reader.fill(this.buffers[this.handedOut % 2], 1)) > 0)
                    throw damaged(`${piece.file}: the store holds more than the ${piece.bytes} bytes the manifest says`);
                ended = true;
            }
            catch (error) {
                if (error instanceof errors/* VerificationError */.mk || error instanceof errors/* StoreError */.AD || this.stopping.signal.aborted)
                    throw error;
                failures += 1;
                const at = index * blockSize;
                if (failures >= READ_ATTEMPTS) {
                    const message = `Reading ${piece.file} from the store broke off ${failures} times at byte ${at}: ${error.message}`;
                    throw new errors/* StoreError */.AD(message, 'check the connection to the store, then run the restore again.', { cause: error });
                }
                source.logger.warning(`Reading ${piece.file} from the store broke off at byte ${at} (${error.message}); reading it again from there.`);
                await (0,external_node_timers_promises_.setTimeout)((source.retryPauseMs ?? RETRY_PAUSE_MS) * failures, undefined, { signal: this.stopping.signal });
            }
            finally {
                stream.destroy();
                this.stream = undefined;
            }
        }
    }
}
/** A checked block goes on in pieces of their own, so its buffer is free again as soon as it is copied out. */
function* copiesOf(block) {
    for (let offset = 0; offset < block.length; offset += STREAM_READ_BYTES) {
        const piece = Buffer.from(block.subarray(offset, Math.min(block.length, offset + STREAM_READ_BYTES)));
        (0,dead_buffers/* deadBytesRead */.o)(piece.length);
        yield piece;
    }
}
/** Reads a stream into blocks: what a read brings beyond the block it fills is kept for the next one. */
class StreamReader {
    pieces;
    leftover;
    constructor(stream) {
        this.pieces = stream[Symbol.asyncIterator]();
    }
    /** Fills `block` with up to `length` bytes, hashing them into `hash`; answers how many came (fewer only at the stream's end). */
    async fill(block, length, hash) {
        let filled = 0;
        while (filled < length) {
            let data = this.leftover;
            this.leftover = undefined;
            if (!data) {
                const next = await this.pieces.next();
                if (next.done)
                    return filled;
                data = next.value;
                (0,dead_buffers/* deadBytesRead */.o)(data.length);
            }
            const taken = Math.min(data.length, length - filled);
            data.copy(block, filled, 0, taken);
            hash?.update(taken < data.length ? data.subarray(0, taken) : data);
            filled += taken;
            if (taken < data.length)
                this.leftover = data.subarray(taken);
        }
        return filled;
    }
}
/**
 * A backup without block hashes: each stored file is downloaded whole to the runner and read once to
 * compare its size and sha256 with the manifest, then read again to stream on, and deleted. The next one is
 * fetched and checked while this one streams, when the runner has room for both, so the host never waits
 * for a download.
 */
async function* wholeCheckedPieces(source, pieces, damaged) {
    const { store, backup, runnerDir } = source;
    // One for every check of the part: they run one after another (the next file's while this one streams).
    const checkBuffer = Buffer.allocUnsafeSlow(CHECK_READ_BYTES);
    const fetchChecked = async (piece) => {
        const fetched = await store.fetch(backup, piece.file, runnerDir);
        try {
            const { sha256, bytes } = await hashFile(fetched, checkBuffer);
            if (sha256 !== piece.sha256 || bytes !== piece.bytes)
                throw damaged(`${piece.file}: expected ${piece.bytes} bytes with sha256 ${piece.sha256}, got ${bytes} bytes with ${sha256}`);
            return fetched;
        }
        catch (error) {
            await (0,promises_.rm)(fetched, { force: true });
            throw error;
        }
    };
    let ahead;
    try {
        for (const [index, piece] of pieces.entries()) {
            const current = ahead ?? ensureRoom(runnerDir, piece.bytes).then(() => fetchChecked(piece));
            ahead = undefined;
            const fetched = await current;
            try {
                const next = pieces[index + 1];
                if (next && (await freeBytes(runnerDir)) >= next.bytes) {
                    ahead = fetchChecked(next);
                    // Seen when it is awaited; until then a rejection must not count as unhandled.
                    ahead.catch(() => undefined);
                }
                for await (const data of (0,external_node_fs_.createReadStream)(fetched, { highWaterMark: STREAM_READ_BYTES })) {
                    (0,dead_buffers/* deadBytesRead */.o)(data.length);
                    yield data;
                }
            }
            finally {
                await (0,promises_.rm)(fetched, { force: true });
            }
        }
    }
    finally {
        // A stream stopped early leaves the file fetched ahead: it goes too.
        if (ahead)
            await ahead.then(path => (0,promises_.rm)(path, { force: true })).catch(() => undefined);
    }
}
/**
 * Every buffer read is garbage once it is consumed, and V8 frees such buffers only at its next GC, which
 * comes after a number of reads more than after a number of bytes: the dead buffers, not the data, set the
 * runner's peak RSS. So the two block buffers and the whole-file check's buffer are reused for a whole part,
 * and what streams on goes in 64 KiB pieces, each counted by deadBytesRead, which collects them every 8 MiB.
 * 16 KiB pieces cost the runner's node more CPU (a SeaTable restore 15.7 CPU s against 9.3) for no less
 * memory (SeaTable's restore at 4 × the data, two runs each: 103 and 119 MB against 97 and 105 MB at 1 ×
 * with 16 KiB, 108 and 123 MB against 103 and 103 MB with 64 KiB).
 */
const CHECK_READ_BYTES = 1024 * 1024;
const STREAM_READ_BYTES = 64 * 1024;
async function hashFile(path, buffer) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const file = await (0,promises_.open)(path, 'r');
    try {
        let bytes = 0;
        for (;;) {
            const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
            if (bytesRead === 0)
                return { sha256: hash.digest('hex'), bytes };
            hash.update(buffer.subarray(0, bytesRead));
            bytes += bytesRead;
        }
    }
    finally {
        await file.close();
    }
}
async function freeBytes(dir) {
    const space = await (0,promises_.statfs)(dir);
    return space.bavail * space.bsize;
}
/**
 * Refuses a download that cannot fit before it starts, rather than after it has moved most of the bytes and
 * left a partial file; a size known from the signed manifest makes the check exact. The error reads as
 * ENOSPC, so it is reported like one.
 */
async function ensureRoom(dir, bytes) {
    const free = await freeBytes(dir);
    if (free < bytes) {
        throw Object.assign(new Error(`ENOSPC: ${(0,log/* formatBytes */.z3)(bytes)} to download, ${(0,log/* formatBytes */.z3)(free)} free in ${dir}`), { code: 'ENOSPC' });
    }
}

// EXTERNAL MODULE: ./src/pipeline/verification.ts
var verification = __webpack_require__(7147);
;// CONCATENATED MODULE: ./src/pipeline/restore-fetch.ts














/**
 * Streams the parts of a backup whose manifest already verified (and, for incremental tarballs, the same
 * part of every backup of the chain, each manifest verified too) through the runner into the host's
 * staging directory, proving them on the way: each block's sha256 before its bytes go on, the whole part's
 * sha256, the plaintext checksum after decryption, the tar listing (no unsafe entries) beside the transfer,
 * and the sha256 of the file as it landed on the host. The runner holds two blocks in memory and nothing on
 * its disk (a backup made before block hashes: one stored chunk at a time, see verified-bytes.ts). Nothing live
 * on the host changes here; any failure leaves only the staging directory, which the caller removes.
 */
async function fetchVerifiedParts(store, backup, manifest, selection, place, reading, logger) {
    const { only, identities } = selection;
    if (manifest.encryption && identities.length === 0) {
        throw new errors/* InputError */.dz('age-identity', `${backup.backupId} is encrypted (to recipients ${manifest.encryption.recipients.join(', ')}), and no identity was given.`, 'pass the age identity (AGE-SECRET-KEY-1…) from your secret as age-identity.');
    }
    const unknown = only.filter(name => !manifest.parts.some(part => part.name === name));
    if (unknown.length > 0) {
        throw new errors/* InputError */.dz('parts', `${backup.backupId} has no part ${unknown.join(', ')}.`, `choose from: ${manifest.parts.map(part => part.name).join(', ')}.`);
    }
    const selected = manifest.parts.filter(part => only.length === 0 || only.includes(part.name));
    // Every link's manifest is verified before a single part byte moves.
    const chains = await chainLinks(store, manifest, selected.filter(kernel_manifest/* isIncrementPart */.tZ), reading, logger);
    const damage = [];
    const transfer = { store, place, identities, damage, logger };
    const parts = [];
    // A part is handed on only when nothing so far was damaged: a damaged backup is refused as a whole.
    const staged = (part) => {
        if (damage.length === 0 && place.staging)
            place.onStaged?.(part);
    };
    for (const record of selected) {
        const part = await transferPart(transfer, backup, record);
        parts.push(part);
        if (!chains.has(record.name))
            staged(part);
    }
    for (const part of parts) {
        const links = chains.get(part.record.name);
        if (!links)
            continue;
        part.chain = await serially(links, link => transferPart(transfer, link.backup, link.record));
        staged(part);
    }
    throwIfDamaged(backup, damage);
    return parts;
}
async function transferPart(transfer, backup, record) {
    const { place, logger } = transfer;
    const encrypted = record.encryption === 'age';
    // A full tarball is extracted as it streams in (one pass on the host, before anything live changes); an
    // incremental one must wait for the links it builds on, and other parts are files the recipe reads.
    const extracting = place.staging !== null && record.kind === 'tar' && record.incremental === undefined;
    const name = extracting ? `tree-${record.name}` : encrypted ? record.file.slice(0, -encryption/* AGE_EXTENSION */.E2.length) : record.file;
    const staged = place.staging ? external_node_path_.posix.join(place.staging.dir, name) : '';
    const part = { record, on: 'host', path: staged, ...(extracting ? { extracted: true } : {}) };
    // The finding, not the error: age wraps what its source threw.
    const finding = {};
    const stored = verifiedBytes({ store: transfer.store, backup, runnerDir: place.runnerDir, logger }, record, finding);
    const outlets = new fanout/* Fanout */.K();
    const began = Date.now();
    try {
        const plaintext = encrypted ? await (0,encryption/* decryptStream */.UC)(transfer.identities, stored) : stored;
        const landed = place.staging ? outlets.add(input => (extracting ? extractOnHost : stageOnHost)(place.staging.host, staged, record, input)) : null;
        const listed = record.kind === 'tar' ? outlets.add(input => listTarball(record, input)) : null;
        // Stored bytes are hashed while they are verified; only a decrypted plaintext needs hashing here.
        const counted = await pump(plaintext, outlets, (0,progress/* progressReporter */.x)(logger, `${record.name}: ${place.staging ? 'staged' : 'verified'}`, Date.now()), encrypted);
        await outlets.finish();
        if (encrypted && (counted.sha256 !== record.plaintext?.sha256 || counted.bytes !== record.plaintext?.bytes)) {
            throw new errors/* VerificationError */.mk(`${record.file} decrypts to content that does not match the manifest; nothing on the host was changed.`, 'restore another backup (set backup-id).');
        }
        // What was sent is what verified: the plaintext checked just now, or the stored bytes checked piece by piece.
        const sent = encrypted ? counted.sha256 : record.sha256;
        const onHost = landed ? await landed : undefined;
        if (onHost !== undefined && onHost.sha256 !== sent) {
            throw new errors/* VerificationError */.mk(`${record.file} arrived on the host with sha256 ${onHost.sha256}, not the ${sent} that was sent; nothing on the host was changed.`, "run the restore again; if it repeats, check the host's disk and memory.");
        }
        if (onHost?.refusal)
            throw onHost.refusal;
        await listed;
        logger.info(`${record.name}: ${(0,log/* formatBytes */.z3)(record.bytes)}${record.chunks ? ` in ${record.chunks.length} chunks` : ''}, sha256 verified${encrypted ? ', decrypted, plaintext sha256 verified' : ''}${place.staging ? (extracting ? ', extracted and checked on the host' : ', staged on the host') : ''} in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}`);
        return part;
    }
    catch (error) {
        await outlets.abandon();
        if (finding.damage === undefined)
            throw error;
        transfer.damage.push(finding.damage);
        return part;
    }
}
/** Reads the plaintext into every outlet at the pace of the slowest, counting it, and hashing it when asked. */
async function pump(plaintext, outlets, progress, hashing) {
    const hash = hashing ? (0,external_node_crypto_.createHash)('sha256') : undefined;
    let bytes = 0;
    for await (const data of plaintext) {
        hash?.update(data);
        bytes += data.length;
        progress(bytes);
        await outlets.write(data);
    }
    return { sha256: hash?.digest('hex') ?? '', bytes };
}
/**
 * Writes the part into the staging directory (a new file: noclobber) and answers the sha256 of what landed,
 * hashed on the host as it is written, so a transfer that lost or changed bytes cannot pass.
 */
async function stageOnHost(host, path, record, input) {
    const result = await host.run((0,shell/* script */.K$)('set -o noclobber', `exec 3> ${(0,shell/* quote */.hD)(path)}`, 'tee /dev/fd/3 | sha256sum', 'exec 3>&-'), {
        stdin: input,
        description: `Staging ${record.name} on the host`
    });
    const answer = /^([0-9a-f]{64})\s/.exec(result.stdout);
    if (!answer)
        throw new errors/* VerificationError */.mk(`The host's sha256sum of the staged ${record.name} could not be read: ${JSON.stringify(result.stdout.slice(0, 200))}.`);
    return { sha256: answer[1] };
}
/**
 * Extracts the tarball into a new directory `tree` in the staging directory as it arrives, hashing the bytes as
 * they land, and examines the tree on disk (links that resolve outside, devices, set-id files, hard links to
 * outside): the same checks a swap's extraction makes, made before the host's live data is touched at all.
 */
async function extractOnHost(host, tree, record, input) {
    const spec = {
        enter: [`cd -- ${(0,shell/* quote */.hD)(external_node_path_.posix.dirname(tree))}`, `mkdir -- ${(0,shell/* quote */.hD)(external_node_path_.posix.basename(tree))}`],
        dest: external_node_path_.posix.basename(tree),
        compression: record.compression,
        description: `Extracting ${record.name} on the host`,
        hashInput: true
    };
    const found = await (0,tar/* extractTarConfined */.Tl)(host, spec, input);
    if (found.received === undefined || !/^[0-9a-f]{64}$/.test(found.received))
        throw new errors/* VerificationError */.mk(`The host's sha256sum of the extracted ${record.name} could not be read.`);
    return { sha256: found.received, refusal: found.failure ?? (0,tar/* unsafeTreeError */.DI)(record.file, found) };
}
/** A tarball with absolute paths, "..", links out of the target or device files never reaches the live data. */
async function listTarball(record, input) {
    try {
        await (0,tar_check/* checkTarballEntries */.v)(new local/* LocalTransport */.V({ sudo: false }), input, record.compression);
    }
    catch (error) {
        throw new errors/* VerificationError */.mk(`${record.file} holds entries a restore must not write (${error.message}); nothing on the host was changed.`, 'restore another backup (set backup-id), and find out how these entries got into the backup.');
    }
}
function throwIfDamaged(backup, damage) {
    if (damage.length === 0)
        return;
    throw new errors/* VerificationError */.mk(`The backup ${backup.backupId} is damaged; nothing on the host was changed:\n${damage.map(line => `  - ${line}`).join('\n')}`, 'restore another backup (set backup-id).');
}
async function serially(items, work) {
    const results = [];
    for (const item of items)
        results.push(await work(item));
    return results;
}
/** For each incremental part: the same part of every earlier backup of the chain, full backup first, each manifest verified. */
async function chainLinks(store, manifest, increments, reading, logger) {
    const chains = new Map(increments.map(record => [record.name, []]));
    if (increments.length === 0)
        return chains;
    const links = manifest.incremental?.chain ?? [];
    logger.info(`${manifest.backupId} is incremental: fetching the ${links.length} backup${links.length > 1 ? 's' : ''} it builds on`);
    const listed = await store.list({ app: manifest.app, everywhere: true });
    for (const [level, linkId] of links.entries()) {
        const stored = listed.find(candidate => candidate.backupId === linkId);
        if (!stored) {
            throw new errors/* VerificationError */.mk(`${manifest.backupId} is incremental and builds on ${linkId}, which is not in the ${store.kind} store (expired or deleted); nothing on the host was changed.`, `restore a backup whose chain is complete (selfhost-backup list shows them)${store.traits.chainLinkHint}.`);
        }
        // Every link is a backup of its own: trusted only with its own valid signature.
        const linkManifest = await (0,verification.fetchManifest)(store, stored, reading);
        for (const increment of increments) {
            const record = linkManifest.parts.find(candidate => candidate.name === increment.name);
            if (record?.incremental?.level !== level) {
                throw new errors/* VerificationError */.mk(`${linkId} has no level-${level} ${increment.name} tarball, which ${manifest.backupId} builds on; nothing on the host was changed.`, 'the chain is inconsistent; restore another backup (set backup-id).');
            }
            chains.get(increment.name)?.push({ backup: stored, record });
        }
    }
    return chains;
}

// EXTERNAL MODULE: ./src/pipeline/host-places.ts
var host_places = __webpack_require__(6283);
;// CONCATENATED MODULE: ./src/pipeline/host-incoming.ts




const MADE_MARK = 'selfhost-backup-incoming=';
/**
 * Where a restore stages the verified parts on the host before anything live changes: a fresh private
 * directory (mode 700) in `.selfhost-backup-incoming-<tag>` beside the data, so the parts are on the host
 * (not on the runner's disk) and usually on the data's own filesystem. Root writes here, so the place is
 * checked like the lock and the safety copies, and moves under ROOT_PLACE when the app's user could plant
 * a link on its way. Called under the host lock: whatever an earlier, killed restore left here goes first.
 */
async function openIncoming(host, dataRoot, logger) {
    const beside = {
        path: (0,host_places/* besideDataRoot */.rQ)(dataRoot, 'incoming-'),
        name: "the restore's staging directory",
        kind: 'directory',
        fix: `run with sudo: true, so that root stages the parts in ${host_places/* ROOT_PLACE */.Tj}; or let only root and the user that runs the restore write ${external_node_path_.posix.dirname(dataRoot)}`
    };
    const fallback = external_node_path_.posix.join(host_places/* ROOT_PLACE */.Tj, 'incoming', external_node_path_.posix.basename(beside.path));
    // The place is chosen, checked and used in one script: nothing can change on the way between a check and its use.
    const result = await host
        .run((0,shell/* script */.K$)(...(0,host_places/* chooseSafePlaceLines */.dh)(beside, fallback, host_places/* PLACE_MOVED_MARK */.mi), '(umask 077 && mkdir -p -- "$place")', 'find "$place" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +', 'made=$(mktemp -d -- "$place/restore-XXXXXXXX")', `printf '${MADE_MARK}%s\\n' "$made"`), { description: `Creating the restore's staging directory beside ${dataRoot}` })
        .catch((error) => {
        throw (0,host_places/* unsafePlaceError */.Wy)(error) ?? error;
    });
    const dir = result.stdout
        .split('\n')
        .find(line => line.startsWith(MADE_MARK))
        ?.slice(MADE_MARK.length) ?? '';
    // Only a directory inside one of the two places this code offered is accepted, whatever the host printed.
    const chosen = [beside.path, fallback].find(place => dir.startsWith(`${place}/restore-`));
    if (!chosen || external_node_path_.posix.normalize(dir) !== dir || external_node_path_.posix.dirname(dir) !== chosen) {
        throw new errors/* SelfhostBackupError */.FZ(`The host answered an unexpected staging directory: ${JSON.stringify(dir)}`);
    }
    if (chosen === fallback)
        logger.info(`The parts are staged in ${fallback}: ${(0,host_places/* placeMovedBecause */.Fy)(result.stdout)}`);
    return dir;
}
/** Removes the staging directory, and its parent when nothing else is left there. */
async function removeIncoming(host, dir, logger) {
    await host
        .run((0,shell/* script */.K$)(`rm -rf -- ${(0,shell/* quote */.hD)(dir)}`, `rmdir -- ${(0,shell/* quote */.hD)(external_node_path_.posix.dirname(dir))} 2>/dev/null || true`), { description: `Removing the staging directory ${dir}` })
        .catch(error => logger.warning(`The staging directory ${JSON.stringify(dir)} was not removed: ${error.message}`));
}

// EXTERNAL MODULE: ./src/pipeline/safety-copy.ts
var safety_copy = __webpack_require__(5550);
// EXTERNAL MODULE: ./src/recipes/host-swap.ts + 1 modules
var host_swap = __webpack_require__(4466);
;// CONCATENATED MODULE: ./src/pipeline/prepared-swaps.ts
/**
 * What a recipe prepares beside the live data while the rest of the backup still streams in (prepareSwap,
 * e.g. a database import into a side database), each started as soon as its part is staged and verified.
 * Nothing live changes here; whatever is not swapped in is removed again.
 */
class Preparations {
    start;
    logger;
    running = [];
    constructor(start, logger) {
        this.start = start;
        this.logger = logger;
    }
    /** Starts preparing a part that has been staged and verified. */
    add(part) {
        if (!this.start)
            return;
        const preparing = this.start(part);
        // Awaited by ready() or abandon(); a failure must not surface as an unhandled rejection before that.
        preparing.catch(() => undefined);
        this.running.push(preparing);
    }
    /** Every preparation done: the parts prepared, or the first failure (abandon then removes the others). */
    async ready() {
        const results = await Promise.allSettled(this.running);
        const failed = results.find((result) => result.status === 'rejected');
        if (failed)
            throw failed.reason;
        return results.flatMap(result => (result.status === 'fulfilled' && result.value ? [result.value] : []));
    }
    /** Always, once the restore ended or failed: waits for what started and removes what was not swapped in. */
    async abandon() {
        const results = await Promise.allSettled(this.running);
        const prepared = results.flatMap(result => (result.status === 'fulfilled' && result.value ? [result.value] : []));
        for (const part of prepared) {
            await part.discard().catch((error) => this.logger.warning(`Removing what was prepared for ${part.part}: ${error.message}`));
        }
    }
}

;// CONCATENATED MODULE: ./src/pipeline/restore-recovery.ts



/** After a failure before the start: every complete swap goes back; the error says what was put back and what was not. */
async function rolledBack(error, swaps, context, logger) {
    const { recipe, options, signer, databases } = context;
    const kept = { files: swaps.places(), databases, keptDatabases: swaps.keptDatabases(), stamp: swaps.stamp };
    if (!swaps.changedAnything)
        return withRecoveryHint(error, databases ? 'The restore failed' : 'The restore failed before it changed any files', kept, { recipe, options, signer });
    try {
        const back = await logger.group('Putting back what the restore had replaced', () => swaps.rollBack());
        for (const line of back)
            logger.info(line);
        // An entries swap that stopped part-way is undone too; only a tree swap's is left for the user.
        const partWay = swaps.swaps.filter(swap => !swap.complete && swap.undo.kind === 'tree');
        const replaced = swaps.databases.length === 0 ? 'the files' : swaps.swaps.length === 0 ? 'the databases' : 'the files and databases';
        return withRecoveryHint(error, partWay.length === 0 ? `The restore failed; ${replaced} it had replaced were put back` : `The restore failed; ${replaced} it had replaced were put back where the swap had ended`, { ...kept, files: partWay.map(swap => swap.replaced.path), keptDatabases: [] }, { recipe, options, signer });
    }
    catch (rollbackError) {
        logger.warning(`Putting back what the restore had replaced failed: ${rollbackError.message}`);
        return withRecoveryHint(error, 'The restore failed part-way', kept, { recipe, options, signer });
    }
}
function withRecoveryHint(error, what, safetyCopy, target) {
    if (!(error instanceof errors/* SelfhostBackupError */.FZ) && !(error instanceof Error))
        return error;
    const { recipe, options, signer } = target;
    // The root is named explicitly: on the host, $TABBY_ROOT or ~ may not be what the action used.
    const app = `--app ${recipe.id} ${recipe.recoveryFlags(options)}`;
    const steps = [];
    const where = [
        ...(safetyCopy && safetyCopy.files.length > 0 ? [`the files from before the restore are in ${safetyCopy.files.join(', ')}`] : []),
        ...(safetyCopy && safetyCopy.keptDatabases.length > 0 ? [`the tables from before the restore are in the databases ${safetyCopy.keptDatabases.join(', ')}`] : [])
    ];
    if (safetyCopy && where.length > 0) {
        steps.push(`${where.join(' and ')}; put them back with: selfhost-backup put-back ${app} --transport local --sudo true --replaced ${safetyCopy.stamp} (run on the host)`);
    }
    if (safetyCopy?.databases) {
        const { dir, backupId } = safetyCopy.databases;
        steps.push(`the databases from before the restore are in ${dir}; put them back with: selfhost-backup restore ${app} --transport local --sudo true --store local --store-path ${(0,shell/* quote */.hD)(external_node_path_.posix.dirname(dir))} --backup-id ${backupId} --safety-copy false${signer ? ` --trusted-signers ${(0,shell/* quote */.hD)(signer.publicKey)}` : ''} (run on the host)`);
    }
    const recovery = steps.length > 0 ? `${steps.join('; ')}.` : what.includes('before it changed') ? 'nothing on the host was changed by the restore.' : 'no safety copy was kept.';
    return new errors/* SelfhostBackupError */.FZ(`${what}: ${error.message}`, recovery, { cause: error });
}

// EXTERNAL MODULE: ./src/recipes/registry.ts + 12 modules
var registry = __webpack_require__(8465);
// EXTERNAL MODULE: ./src/pipeline/stage-clock.ts
var stage_clock = __webpack_require__(3003);
;// CONCATENATED MODULE: ./src/pipeline/restore-choice.ts



/** A backup id given as input must be one, and of an app this restore may be for. */
function checkBackupIdMatchesApp(backupId, candidates) {
    const parsed = (0,kernel_manifest/* parseBackupId */.JN)(backupId);
    if (!parsed) {
        throw new errors/* InputError */.dz('backup-id', `"${backupId}" is not a backup id.`, "copy the id from the backup job's `backup-id` output or from `selfhost-backup list`, e.g. tabby--host--20261123T020000Z-ab12.");
    }
    if (!candidates.some(candidate => candidate.recipe.id === parsed.app)) {
        throw new errors/* InputError */.dz('backup-id', `${backupId} is a ${parsed.app} backup, but app is ${candidates.map(candidate => candidate.recipe.id).join(' or ')}.`, 'pick a backup of the same application, or set `app` to match it.');
    }
}
async function chooseBackup(store, backupId, target, reading, logger) {
    const { app, hostId } = target;
    if (backupId) {
        const listed = await store.list({ app });
        const found = listed.find(backup => backup.backupId === backupId);
        if (!found) {
            const known = listed.slice(0, 5).map(backup => backup.backupId);
            throw new errors/* NoBackupError */.ml(`no complete backup ${backupId} was found in the ${store.kind} store.`, known.length > 0 ? `available: ${known.join(', ')}${store.traits.notFoundHint}.` : 'check the id, and run-id / store-path.', 'backup-id');
        }
        return { backup: found, manifest: await (0,verification.fetchManifest)(store, found, reading) };
    }
    const refused = [];
    for (const candidate of (await store.list({ app, hostId })).slice(0, 20)) {
        try {
            return { backup: candidate, manifest: await (0,verification.fetchManifest)(store, candidate, reading) };
        }
        catch (error) {
            if (!(error instanceof errors/* VerificationError */.mk))
                throw error;
            logger.warning(`Skipping ${candidate.backupId}: ${error.message}`);
            refused.push(candidate.backupId);
        }
    }
    throw new errors/* NoBackupError */.ml(`no complete ${app} backup of this host (${hostId}) ${refused.length > 0 ? `with a valid signature was found in the ${store.kind} store (refused: ${refused.join(', ')})` : `was found in the ${store.kind} store`}.`, 'set backup-id (and run-id for another workflow run), or check host, store-path and trusted-signers.', 'backup-id');
}

// EXTERNAL MODULE: ./src/pipeline/app-version-check.ts
var app_version_check = __webpack_require__(6845);
// EXTERNAL MODULE: ./src/kernel/concurrency.ts
var concurrency = __webpack_require__(490);
;// CONCATENATED MODULE: ./src/pipeline/restore.ts





















/**
 * Verification first: the manifest's signature before any of its fields is used, this host's recipe
 * rules before any part is downloaded, every part's sha256 before anything on the host changes.
 */
async function runRestore(request) {
    const { transport, logger, store } = request;
    if (request.backupId)
        checkBackupIdMatchesApp(request.backupId, request.recipes);
    const keys = await (0,manifest_keys.loadManifestKeys)(request.signing);
    const download = await (0,promises_.mkdtemp)((0,external_node_path_.join)(request.workRoot, 'selfhost-backup-restore-'));
    const reading = { workRoot: download, trust: keys.trust };
    const started = Date.now();
    const stages = new stage_clock/* StageClock */.V();
    let opened = false;
    try {
        // With app: auto, the backup id names the app; without one, the host does.
        const named = request.backupId ? request.recipes.filter(candidate => candidate.recipe.id === (0,kernel_manifest/* parseBackupId */.JN)(request.backupId)?.app) : request.recipes;
        if (named.length > 1) {
            await transport.open();
            opened = true;
        }
        const { recipe, options: parsed } = await (0,registry.detectRecipe)(transport, named);
        const { backup: chosen, manifest } = await chooseBackup(store, request.backupId, { app: recipe.id, hostId: transport.hostId }, reading, logger).catch(error => {
            throw saysHostUnchanged(error);
        });
        logger.info(`Restoring ${chosen.backupId} onto ${transport.label}`);
        stages.end('find and verify the manifest');
        if (manifest.app !== recipe.id) {
            throw new errors/* InputError */.dz('backup-id', `${manifest.backupId} is a ${manifest.app} backup, not ${recipe.id}.`, 'pick a backup of the same application, or set `app` to match it.');
        }
        if (!opened) {
            await transport.open();
            opened = true;
        }
        const options = await recipe.preflight(transport, parsed, 'restore', { logger });
        // Only the parts this restore will write must fit the host (parts: data onto another layout is fine).
        const selected = manifest.parts.filter(part => request.parts.length === 0 || request.parts.includes(part.name));
        const fitting = { ...manifest, parts: selected };
        const partNames = selected.map(part => part.name);
        const doesNotFit = (problems) => new errors/* VerificationError */.mk(`${manifest.backupId} does not fit this ${recipe.title} host; nothing was downloaded and nothing on the host was changed:\n${problems.map(problem => `  - ${problem}`).join('\n')}`, "restore a backup made by this repository's backup job for this installation, or set the inputs named above.");
        const problems = recipe.acceptManifest(options, fitting);
        if (problems.length > 0)
            throw doesNotFit(problems);
        // Only a manifest whose shape the recipe accepted is held against the host; the running version is asked beside it.
        const [restorable, versionCheck] = await Promise.allSettled([
            recipe.restorable?.(transport, options, fitting) ?? Promise.resolve([]),
            (0,app_version_check/* checkAppVersion */.A)(transport, { recipe, options }, manifest, request.allowVersionMismatch, logger)
        ]);
        problems.push(...(0,concurrency/* settled */.gu)(restorable));
        if (problems.length > 0)
            throw doesNotFit(problems);
        const versions = (0,concurrency/* settled */.gu)(versionCheck);
        const plan = recipe.planRestore(options, fitting);
        stages.end('connect and preflight');
        logger.info(['Plan:', ...plan.map(step => `  - ${step}`)].join('\n'));
        const fetchInto = (staging, title, onStaged) => logger
            .group(title, () => fetchVerifiedParts(store, chosen, manifest, { only: request.parts, identities: request.identities }, { runnerDir: download, staging, onStaged }, reading, logger))
            .catch(error => {
            throw saysHostUnchanged((0,errors/* isOutOfSpace */.mK)(error) ? runnerFullWhileFetching(request.workRoot, selected, error) : error);
        });
        if (request.dryRun) {
            await fetchInto(null, 'Downloading and verifying');
            logger.info('dry-run: nothing on the host was changed.');
            return { backupId: manifest.backupId, manifest, dryRun: true, plan, report: [], seconds: { verify: (Date.now() - started) / 1000, host: 0 }, versions: versions.summary, parts: partNames };
        }
        const lock = await (0,pipeline_lock/* acquireHostLock */.QM)(transport, recipe.dataRoot(options), request.lockTimeoutSeconds, logger);
        try {
            const incoming = await openIncoming(transport, recipe.dataRoot(options), logger);
            stages.end('lock');
            // Names what this restore keeps (renamed directories, kept databases) and what it prepares beside the data.
            const stamp = restoreStamp(new Date());
            // Started as each part is staged, beside the transfer of the next; nothing live changes until the stop.
            const preparations = new Preparations(recipe.prepareSwap && (part => recipe.prepareSwap(transport, options, part, { logger, stamp })), logger);
            try {
                const parts = await fetchInto({ host: transport, dir: incoming }, 'Downloading, verifying and staging on the host', part => preparations.add(part));
                stages.end('download, verify and stage');
                const prepared = await preparations.ready().catch(error => {
                    throw saysHostUnchanged(error);
                });
                if (prepared.length > 0)
                    stages.end('imports beside the live data');
                const verifySeconds = (Date.now() - started) / 1000;
                const hostStarted = Date.now();
                const target = { recipe, options, signer: keys.signer, application: versions.running };
                const result = await replaceData(request, target, { parts, prepared: new Map(prepared.map(part => [part.part, part])), stamp }, manifest, plan, stages);
                await lock.assertHeld('restore');
                logger.info(`Stages: ${stages.summary()}`);
                return { ...result, seconds: { verify: verifySeconds, host: (Date.now() - hostStarted) / 1000 }, versions: versions.summary, parts: partNames };
            }
            finally {
                await preparations.abandon();
                await removeIncoming(transport, incoming, logger);
            }
        }
        finally {
            await lock.release();
        }
    }
    finally {
        await (0,promises_.rm)(download, { recursive: true, force: true });
        if (opened)
            await transport.close().catch(error => logger.warning(`Closing the connection: ${error.message}`));
    }
}
/**
 * Safety copy of what an import in place replaces, stop, swap, start, then the app's own post-start step.
 * Files are swapped out by rename and prepared databases by RENAME TABLE, which keeps them (the safety copy);
 * a database imported in place is dumped first, while the app still runs, because the import drops it.
 * A failure before the start puts every swap back (restore-recovery.ts).
 */
async function replaceData(request, target, staged, manifest, plan, stages) {
    const { transport, logger } = request;
    const { recipe, options, signer } = target;
    const { parts, prepared } = staged;
    let databases;
    // A prepared database is kept by its swap; only one imported in place needs a dump of it first.
    const imported = parts.map(part => part.record).filter(part => part.kind === 'sql-dump' && !prepared.has(part.name));
    if (request.safetyCopy && recipe.copyBeforeImport && imported.length > 0) {
        if (!signer)
            throw new Error('a safety copy needs a signing key (parseSigningInputs requires one)');
        const parent = await safetyCopyParent(request, recipe.dataRoot(options));
        const produce = (sink) => recipe.copyBeforeImport(transport, options, sink, imported, { logger });
        const began = Date.now();
        databases = await logger.group('Keeping a safety copy of the databases the restore imports', () => (0,safety_copy.takeSafetyCopy)(transport, { recipe, options, signer, produce, application: target.application }, parent));
        if (databases)
            logger.info(`Safety copy of the databases: ${databases.dir} (${(0,log/* formatSeconds */.Xo)(Date.now() - began)})`);
        stages.end("databases' safety copy");
    }
    else if (!request.safetyCopy) {
        logger.warning('safety-copy is off: what the restore replaces is removed once it succeeded.');
    }
    if (request.stopCommand) {
        await runUserCommand(transport, request.stopCommand, 'stop-command');
        stages.end('stop');
    }
    else
        logger.warning('No stop-command: the application keeps running while its data is replaced. Stop it (e.g. docker compose stop) for a clean restore.');
    const swaps = new host_swap/* SwapJournal */.li(transport, staged.stamp, logger);
    const report = [];
    const began = Date.now();
    try {
        report.push(...(await logger.group('Restoring', () => recipe.restore(transport, options, parts, manifest, { logger, swaps, prepared }))));
        const databaseSwaps = swaps.databases.length > 0 ? ` and ${swaps.databases.length} database swaps by RENAME TABLE` : '';
        logger.info(`Restored in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}: ${swaps.swaps.length} swaps by rename${databaseSwaps}, each keeping what it replaced`);
        stages.end('imports, extraction and swaps');
    }
    catch (error) {
        throw await rolledBack(error, swaps, { databases, recipe, options, signer }, logger);
    }
    const safetyCopy = request.safetyCopy ? { files: swaps.places(), databases, keptDatabases: swaps.keptDatabases(), stamp: swaps.stamp } : undefined;
    if (!request.safetyCopy)
        await swaps.discard();
    else if (safetyCopy && safetyCopy.files.length > 0)
        logger.info(`What the restore replaced is kept, by rename, in: ${safetyCopy.files.join(', ')}`);
    if (safetyCopy && safetyCopy.keptDatabases.length > 0)
        logger.info(`The tables the restore replaced are kept, by RENAME TABLE, in the databases: ${safetyCopy.keptDatabases.join(', ')}`);
    try {
        if (request.startCommand) {
            await runUserCommand(transport, request.startCommand, 'start-command');
            stages.end('start');
        }
        if (recipe.afterStart) {
            report.push(...(await logger.group('After the start', () => recipe.afterStart(transport, options, parts, manifest, { logger }))));
            stages.end('after the start');
        }
    }
    catch (error) {
        // The data is in place; only starting the app on it failed. Nothing is put back under a running app.
        throw withRecoveryHint(error, 'The restore put the data in place, but starting the application failed', safetyCopy, { recipe, options, signer });
    }
    return { backupId: manifest.backupId, manifest, dryRun: false, plan, report, safetyCopy };
}
/** A restore's own stamp, in the names of the directories that keep what it replaced. */
function restoreStamp(at) {
    return `${(0,kernel_manifest/* compactTimestamp */.ce)(at)}-${(0,external_node_crypto_.randomBytes)(3).toString('hex')}`;
}
/**
 * Where the safety copy goes: `safety-copy-dir` as given (refused later if unsafe), or beside the data,
 * or, when the application's user could plant links there and the restore runs as root, under ROOT_PLACE.
 */
async function safetyCopyParent(request, dataRoot) {
    if (request.safetyCopyDir)
        return request.safetyCopyDir;
    const beside = { path: external_node_path_.posix.join(external_node_path_.posix.dirname(dataRoot), 'selfhost-backup-safety'), name: 'the safety copy directory', kind: 'directory', fix: safety_copy.SAFETY_COPY_FIX };
    const chosen = await (0,host_places/* chooseSafePlace */.yw)(request.transport, beside, external_node_path_.posix.join(host_places/* ROOT_PLACE */.Tj, 'safety', (0,host_places/* dataRootTag */.rC)(dataRoot)));
    if (chosen.movedBecause)
        request.logger.info(`The safety copy goes to ${chosen.path}: ${chosen.movedBecause}`);
    return chosen.path;
}
/**
 * A backup made before block hashes is checked a stored chunk at a time on the runner (a part stored
 * unchunked, whole): say how much room that takes. Parts with block hashes take none.
 */
function runnerFullWhileFetching(workRoot, parts, cause) {
    const held = parts.filter(part => part.blockSize === undefined);
    const largest = held.reduce((most, part) => Math.max(most, ...(part.chunks ?? [part]).map(piece => piece.bytes)), 0);
    return new errors/* RunnerSpaceError */.js(`The runner's temp directory ${workRoot} ran out of space while the backup was downloaded and verified: this backup was made before block checksums, so a restore holds one stored chunk at a time on the runner (two when there is room: the next is fetched ahead; a part stored without chunks, whole), which here takes up to ${(0,log/* formatBytes */.z3)(largest)}.`, `free at least ${(0,log/* formatBytes */.z3)(largest)} in RUNNER_TEMP (a larger runner or disk), or restore with the command-line tool on a machine with that much room; then run the restore again.`, { cause });
}
/** Every failure while fetching happens before anything live on the host changes; the message says so, once. */
function saysHostUnchanged(error) {
    if (error instanceof errors/* SelfhostBackupError */.FZ && !/nothing on the host was changed/i.test(error.message)) {
        error.message = `${error.message} Nothing on the host was changed.`;
    }
    return error;
}
async function runUserCommand(host, commandText, input) {
    // The user's own shell command, run as they wrote it: it is configuration, not data.
    await host.run(commandText, { description: `${input} (${commandText.split('\n')[0]})` });
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

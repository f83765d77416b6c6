export const id = 36;
export const ids = [36];
export const modules = {

/***/ 592:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ev: () => (/* binding */ storedFilesOf),
/* harmony export */   JN: () => (/* binding */ parseBackupId),
/* harmony export */   OK: () => (/* binding */ MANIFEST_SUFFIX),
/* harmony export */   Sn: () => (/* binding */ MANIFEST_FORMAT),
/* harmony export */   V6: () => (/* binding */ manifestFileName),
/* harmony export */   _H: () => (/* binding */ newBackupId),
/* harmony export */   cS: () => (/* binding */ BLOCK_SIZE),
/* harmony export */   ce: () => (/* binding */ compactTimestamp),
/* harmony export */   oh: () => (/* binding */ assembleManifest),
/* harmony export */   tZ: () => (/* binding */ isIncrementPart),
/* harmony export */   v5: () => (/* binding */ blockCount),
/* harmony export */   v7: () => (/* binding */ backupIdOfFile),
/* harmony export */   wB: () => (/* binding */ BLOCK_SIZE_RANGE),
/* harmony export */   x5: () => (/* binding */ chunkFileName),
/* harmony export */   xg: () => (/* binding */ partFileName),
/* harmony export */   yv: () => (/* binding */ UNVERIFIED_SUFFIX)
/* harmony export */ });
/* harmony import */ var _version_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4929);

const MANIFEST_FORMAT = 'selfhost-backup/1';
const MANIFEST_SUFFIX = '.manifest.json';
/** A backup that failed verification keeps its manifest under this name: kept for inspection, never listed or restored. */
const UNVERIFIED_SUFFIX = '.unverified-manifest.json';
/** The block size a backup hashes its stored files in (PartRecord.blockSize), and what a manifest may say. */
const BLOCK_SIZE = 4 * 1024 * 1024;
const BLOCK_SIZE_RANGE = { min: 64 * 1024, max: 64 * 1024 * 1024 };
/** How many blocks of `blockSize` a stored file of `bytes` is hashed in: an empty file has none. */
function blockCount(bytes, blockSize) {
    return Math.ceil(bytes / blockSize);
}
/** A tarball holding only the changes since the previous backup of its chain. */
const isIncrementPart = (part) => (part.incremental?.level ?? 0) > 0;
function manifestFileName(backupId) {
    return `${backupId}${MANIFEST_SUFFIX}`;
}
function partFileName(backupId, partName, extension) {
    return `${backupId}.${partName}${extension}`;
}
/** The n-th chunk (from 0) of a part's stored file: `<file>.chunk-0001`, numbered from 1. */
function chunkFileName(file, index) {
    return `${file}.chunk-${String(index + 1).padStart(4, '0')}`;
}
/** The files a part is stored as, in order: its chunks, or the one file. */
function storedFilesOf(part) {
    return part.chunks ? part.chunks.map(chunk => chunk.file) : [part.file];
}
/** app--host-id--stamp[-suffix]; groups: app, host id, stamp. */
const BACKUP_ID = String.raw `([a-z0-9]+)--([a-z0-9.-]+)--(\d{8}T\d{6}Z)(?:-[a-z0-9]+)?`;
const BACKUP_ID_PATTERN = new RegExp(`^${BACKUP_ID}$`);
const FILE_OF_BACKUP_PATTERN = new RegExp(`^(${BACKUP_ID})\\.`);
/** UTC to the second, without separators (20261206T031500Z): the time in backup ids and a restore's stamp. */
function compactTimestamp(at) {
    return at
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
}
function newBackupId(app, hostId, at) {
    const suffix = Math.random().toString(36).slice(2, 6);
    return `${app}--${hostId}--${compactTimestamp(at)}-${suffix}`;
}
/** The backup id a stored file name begins with (`<id>.<part>…`, `<id>.manifest.json`), or undefined. */
function backupIdOfFile(file) {
    return FILE_OF_BACKUP_PATTERN.exec(file)?.[1];
}
function parseBackupId(backupId) {
    const match = BACKUP_ID_PATTERN.exec(backupId);
    return match ? { app: match[1], hostId: match[2], stamp: match[3] } : null;
}
function assembleManifest(fields) {
    const { backupId, app, host, hostId, startedAt, finishedAt, options, parts, ...rest } = fields;
    return { format: MANIFEST_FORMAT, backupId, app, host, hostId, startedAt, finishedAt, tool: { name: _version_js__WEBPACK_IMPORTED_MODULE_0__/* .TOOL_NAME */ .l, version: _version_js__WEBPACK_IMPORTED_MODULE_0__/* .TOOL_VERSION */ .w }, options, parts, ...rest };
}


/***/ }),

/***/ 2036:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createStore: () => (/* binding */ createStore)
});

// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/repository-name.ts
var repository_name = __webpack_require__(7541);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/store/artifact-retention.ts
/** Retention assumed for a chain when retention-days is empty: GitHub's default maximum. */
const DEFAULT_CHAIN_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
/**
 * Artifact retention for a chain: the full backup keeps retention + full-every days, each later link as
 * many days less as it is younger, so every link of a chain expires together and a full backup never
 * expires before the incrementals that need it.
 */
function chainRetentionDays(plan, retentionDays, now) {
    const base = retentionDays ?? DEFAULT_CHAIN_RETENTION_DAYS - plan.fullEveryDays;
    const elapsedDays = Math.ceil((now.getTime() - Date.parse(plan.baseStartedAt)) / DAY_MS);
    return Math.max(1, base + plan.fullEveryDays - elapsedDays);
}
/**
 * When an artifact uploaded at `uploadedAt` with `retentionDays` expires, computed as the artifact client
 * computes what it asks for: a retention beyond the repository's limit (GITHUB_RETENTION_DAYS) is cut to
 * it, and the days are calendar days from the upload.
 */
function artifactExpiry(uploadedAt, retentionDays, repositoryRetentionDays) {
    const days = repositoryRetentionDays !== undefined && repositoryRetentionDays < retentionDays ? repositoryRetentionDays : retentionDays;
    const expiry = new Date(uploadedAt);
    expiry.setDate(expiry.getDate() + days);
    return expiry.toISOString();
}

// EXTERNAL MODULE: ./src/kernel/manifest.ts
var kernel_manifest = __webpack_require__(592);
;// CONCATENATED MODULE: ./src/store/artifact-listing.ts
/**
 * A retried upload goes up under `<file>.retry-<n>`. The failed attempt may have left its artifact
 * created but never finalized (the name stays taken for the rest of the run: a new upload under it is
 * refused) or finalized with the answer lost, so the first name cannot be used again. Listing and
 * fetching read a retry name as the file it holds, and the newest finalized artifact of a file wins.
 */
const RETRY_NAME = /^(.+)\.retry-(\d+)$/;
function retryArtifactName(file, retry) {
    return `${file}.retry-${retry}`;
}
/** The backup file an artifact holds: its name without a retry suffix. */
function storedFileName(artifactName) {
    return RETRY_NAME.exec(artifactName)?.[1] ?? artifactName;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/kernel/dead-buffers.ts + 2 modules
var dead_buffers = __webpack_require__(5450);
;// CONCATENATED MODULE: ./src/store/http-exchange.ts






/**
 * The HTTP the `github` store speaks (GitHub's REST API, the artifact service, blob storage), on
 * `node:http`: `fetch` loads undici, whose parser is WebAssembly that V8 compiles on start and again in
 * the background, which cost the action about 20 MB of its peak (a restore from artifacts peaked at 116
 * MB against 92 MB from the local store; 20 fetches in an otherwise idle process: 43 MB, then 86 MB).
 */
/** A request that has not finished after this long is abandoned (and retried, as a dropped connection). */
const REQUEST_TIMEOUT_MS = 300_000;
/** A download that receives nothing for this long is abandoned (as the artifact client's 30 s). */
const DOWNLOAD_IDLE_MS = 30_000;
/** How much of an answer is kept by default: blob storage's answers (an error code at most) are small. */
const DEFAULT_ANSWER_BYTES = 65_536;
/**
 * The most of an answer that is parsed whole: a REST page (100 artifacts, a few hundred KiB) or the
 * artifact service's listing of a run (about 370 bytes per artifact; a job may upload 500 and a run has
 * many jobs). Its caller refuses a longer answer rather than parse it cut.
 */
const PARSED_ANSWER_BYTES = 16 * 1024 * 1024;
/**
 * A failed request: `status` for an answer (withRetry tries a 5xx or 429 again, a 4xx is final),
 * `transient` for a connection that failed or timed out before an answer came.
 */
class HttpFailure extends Error {
    status;
    transient;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.transient = status === undefined;
    }
}
function startRequest(url, options, answered) {
    return (url.protocol === 'https:' ? external_node_https_.request : external_node_http_.request)(url, options, answered);
}
/**
 * One HTTP request with a time limit: its status, headers and up to `answerBytes` of its answer. A 5xx
 * or 429 is thrown with its status, a connection lost before the whole answer came as `transient`. No
 * message holds the URL (an upload or download address carries its signature).
 */
function exchange(what, url, init) {
    const limit = init.answerBytes ?? DEFAULT_ANSWER_BYTES;
    return new Promise((resolve, reject) => {
        const request = startRequest(url, { method: init.method, headers: init.headers, timeout: REQUEST_TIMEOUT_MS }, response => {
            const pieces = [];
            let kept = 0;
            let cut = false;
            response.on('data', (piece) => {
                const room = limit - kept;
                if (piece.length > room)
                    cut = true;
                if (room <= 0)
                    return;
                const taken = piece.length > room ? piece.subarray(0, room) : piece;
                pieces.push(taken);
                kept += taken.length;
            });
            response.on('end', () => {
                const status = response.statusCode ?? 0;
                if (status >= 500 || status === 429)
                    reject(new HttpFailure(`${what}: HTTP ${status}`, status));
                else
                    resolve({ status, headers: response.headers, text: Buffer.concat(pieces).toString('utf8'), cut });
            });
            response.on('error', error => reject(new HttpFailure(`${what}: the connection failed while the answer came (${error.message})`)));
            response.on('aborted', () => reject(new HttpFailure(`${what}: the connection failed while the answer came`)));
        });
        request.on('timeout', () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
        request.on('error', error => reject(new HttpFailure(`${what}: the connection failed (${error.code ?? error.message})`)));
        request.end(init.body);
    });
}
/**
 * Reads a signed blob address into `path` (created or emptied, mode 600) as the bytes come: the name
 * is the caller's, never the one the answer suggests, and nothing is unpacked (a stored part is a raw
 * file; anything else fails the checks that follow). Not retried here: an address expires, so the
 * caller asks for a fresh one each attempt.
 */
async function downloadTo(url, path) {
    const body = await openDownload(url, 0);
    const written = (0,promises_.pipeline)(body, (0,external_node_fs_.createWriteStream)(path, { mode: 0o600 }));
    // Counted after the pipe is set up, so this listener never starts the flow the pipe paces.
    body.on('data', (piece) => (0,dead_buffers/* deadBytesRead */.o)(piece.length));
    try {
        await written;
    }
    catch (error) {
        // The runner's own disk (ENOSPC, EACCES: the error names its path) is not the network: no retry helps.
        const failure = error;
        throw failure.path !== undefined ? failure : new HttpFailure(`The download broke off (${failure.code ?? failure.message})`);
    }
}
/**
 * Opens a signed blob address for reading from byte `offset` (a range request) and answers the body as a
 * stream, at the pace of its reader: the socket's idle limit counts only while the reader wants more. A
 * server that ignores the range and sends the whole blob has its first `offset` bytes skipped here.
 * Failures before the body starts are HttpFailures; a connection lost later is an error on the stream.
 */
function openDownload(url, offset) {
    return new Promise((resolve, reject) => {
        const headers = offset > 0 ? { Range: `bytes=${offset}-` } : {};
        let answer;
        const request = startRequest(url, { method: 'GET', headers, timeout: DOWNLOAD_IDLE_MS }, response => {
            const status = response.statusCode ?? 0;
            if (status !== 200 && status !== 206) {
                response.resume();
                reject(new HttpFailure(`Blob storage answered HTTP ${status}`, status));
                return;
            }
            answer = response;
            const body = status === 200 && offset > 0 ? response.pipe(skipping(offset)) : response;
            if (body !== response)
                response.on('error', error => body.destroy(error));
            response.on('aborted', () => body.destroy(new Error('the download broke off')));
            resolve(body);
        });
        request.on('timeout', () => {
            // Idle because the reader is the slow side (its buffer is full) is no network failure.
            if (answer && answer.readableLength >= answer.readableHighWaterMark)
                return;
            request.destroy(new Error(`nothing came for ${DOWNLOAD_IDLE_MS / 1000} s`));
        });
        request.on('error', error => {
            if (answer)
                answer.destroy(error);
            else
                reject(new HttpFailure(`The download failed (${error.code ?? error.message})`));
        });
        request.end();
    });
}
/** Drops the first `count` bytes of a stream. */
function skipping(count) {
    let left = count;
    return new external_node_stream_.Transform({
        transform(data, _encoding, done) {
            if (left >= data.length) {
                left -= data.length;
                done();
                return;
            }
            const rest = data.subarray(left);
            left = 0;
            done(null, rest);
        }
    });
}

;// CONCATENATED MODULE: ./src/store/github-http.ts

/** Whole store operations: an upload (again under a fresh name), a listing of this run, a download: 2 s and 4 s pauses. */
const OPERATION_RETRY = { attempts: 3, baseMs: 2000 };
/** Single requests: REST calls, the artifact service's calls and blob blocks: 1, 2 and 4 s pauses. */
const REQUEST_RETRY = { attempts: 4, baseMs: 1000 };
const DEFAULT_RETRY = { operation: OPERATION_RETRY, request: REQUEST_RETRY };
/**
 * Dropped connections (or a request marked `transient`: no answer came), and 5xx or 429 answers; a 4xx
 * (bad token, missing artifact, duplicate name) is final.
 */
function isTransient(error) {
    if (error.transient === true)
        return true;
    const status = error.status;
    if (typeof status === 'number')
        return status >= 500 || status === 429;
    const message = error instanceof Error ? error.message : String(error);
    return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|EPIPE|socket hang up/i.test(message);
}
const sleep = (milliseconds) => new Promise(resolve => setTimeout(resolve, milliseconds));
/**
 * Listing, downloading, looking up, a block and a fresh upload are safe to repeat, so a few more
 * attempts with backoff turn a network blip into a delay: single requests with the `rest` policy, whole
 * store operations around them with the `client` one. `work` learns which attempt it is (an upload renames its retries);
 * `retryable` narrows what is tried again (a call that must not be repeated under the same name).
 */
async function withRetry(logger, what, policy, work, retryable = isTransient) {
    for (let attempt = 1;; attempt++) {
        try {
            return await work(attempt);
        }
        catch (error) {
            if (attempt >= policy.attempts || !retryable(error))
                throw error;
            const delay = policy.baseMs * 2 ** (attempt - 1);
            logger.warning(`${what} failed (${error.message.split('\n')[0]}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${policy.attempts}).`);
            await sleep(delay);
        }
    }
}
/** Redirects followed (the API moves a renamed repository's addresses), and only within its own origin: the token goes nowhere else. */
const REST_REDIRECTS = 5;
/** One REST call; a 5xx or 429 reply becomes an error with its status, which withRetry counts as transient. */
async function restCall(method, address, token, follow = true) {
    let url = new URL(address);
    for (let hop = 0;; hop++) {
        const answer = await exchange(`${method} ${url.pathname}`, url, {
            method,
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'selfhost-backup' },
            answerBytes: PARSED_ANSWER_BYTES
        });
        const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
        const next = location !== undefined ? new URL(location, url) : undefined;
        if (follow && method === 'GET' && next && [301, 302, 307, 308].includes(answer.status) && next.origin === url.origin && hop < REST_REDIRECTS) {
            url = next;
            continue;
        }
        if (answer.cut)
            throw new HttpFailure(`${method} ${url.pathname}: the answer is larger than ${PARSED_ANSWER_BYTES / 1024 / 1024} MiB`, 502);
        return {
            status: answer.status,
            ok: answer.status >= 200 && answer.status < 300,
            location,
            json: () => {
                try {
                    return JSON.parse(answer.text);
                }
                catch {
                    throw new HttpFailure(`${method} ${url.pathname}: HTTP ${answer.status} with an answer that is not JSON`, 502);
                }
            }
        };
    }
}
const restGet = (url, token) => restCall('GET', url, token);
/** A GET whose redirect is the answer (an artifact's download address), not followed. */
const restGetRedirect = (url, token) => restCall('GET', url, token, false);
const restDelete = (url, token) => restCall('DELETE', url, token);

;// CONCATENATED MODULE: ./src/store/artifact-service.ts


const TWIRP_ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
/** The service answered that it failed: it did not act on the call, so the same call may be made again. */
const failedAnswer = (error) => typeof error.status === 'number' && isTransient(error);
/**
 * The calls this job makes to GitHub's artifact service (Twirp with JSON, as the `@actions/artifact`
 * client makes them), each retried in place when that is safe: a 5xx answer always (the service did
 * not act), a dropped connection only for reads. CreateArtifact and FinalizeArtifact whose answer was
 * lost may have happened: the upload is retried whole under a fresh name by the store.
 */
class ArtifactServiceClient {
    address;
    logger;
    retry;
    backend;
    constructor(address, logger, 
    /** Each request's own retries (the store retries whole uploads and downloads around them). */
    retry) {
        this.address = address;
        this.logger = logger;
        this.retry = retry;
        this.backend = backendIdsFromToken(address.runtimeToken);
    }
    /** Calls `method` with the run's backend ids added; `read` calls are repeated after a dropped connection too. */
    call(method, body, kind) {
        return withRetry(this.logger, `${method} (artifact service)`, this.retry, () => this.callOnce(method, { ...this.backend, ...body }), kind === 'read' ? isTransient : failedAnswer);
    }
    /** This run's finalized artifacts (the service lists no others, so the caller knows their run). */
    async list() {
        const answer = await this.call('ListArtifacts', {}, 'read');
        const artifacts = Array.isArray(answer.artifacts) ? answer.artifacts : [];
        return artifacts.flatMap(artifact => {
            const id = Number(artifact.database_id);
            const { name, created_at: createdAt } = artifact;
            if (!Number.isSafeInteger(id) || typeof name !== 'string')
                return [];
            return [{ id, name, createdAt: typeof createdAt === 'string' ? createdAt : new Date(0).toISOString() }];
        });
    }
    /** A short-lived address the artifact `name` of this run is read from. */
    async downloadUrl(name) {
        const answer = await this.call('GetSignedArtifactURL', { name }, 'read');
        if (typeof answer.signed_url !== 'string' || !answer.signed_url)
            throw new HttpFailure(`GetSignedArtifactURL: the artifact service gave no address for ${name}.`, 404);
        return answer.signed_url;
    }
    async delete(name) {
        await this.call('DeleteArtifact', { name }, 'write');
    }
    async callOnce(method, body) {
        const url = new URL(`/twirp/${TWIRP_ARTIFACT_SERVICE}/${method}`, new URL(this.address.resultsUrl).origin);
        const payload = JSON.stringify(body);
        const answer = await exchange(method, url, {
            method: 'POST',
            headers: { Authorization: `Bearer ${this.address.runtimeToken}`, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
            body: payload,
            // ListArtifacts answers a whole run in one reply: cut at the default 64 KiB, a backup of some 180
            // chunks could not be listed (its size check retried for 27 s and gave up).
            answerBytes: PARSED_ANSWER_BYTES
        });
        // Cut is not transient: asking again gets the same answer, so it is an error of its own, never retried.
        if (answer.cut) {
            throw new Error(`${method}: the artifact service's answer is larger than ${PARSED_ANSWER_BYTES / 1024 / 1024} MiB (tens of thousands of artifacts in this run; a larger chunk-size makes fewer)`);
        }
        let parsed;
        try {
            parsed = JSON.parse(answer.text);
        }
        catch {
            throw new HttpFailure(`${method}: the artifact service answered HTTP ${answer.status} with something that is not JSON.`, answer.status === 200 ? 502 : answer.status);
        }
        if (answer.status !== 200) {
            const said = typeof parsed.msg === 'string' ? `: ${parsed.msg.slice(0, 200)}` : '';
            throw new HttpFailure(`${method}: the artifact service answered HTTP ${answer.status}${said}`, answer.status);
        }
        return parsed;
    }
}
/** The run's and the job's backend ids, from the runtime token's `Actions.Results:<run>:<job>` scope. */
function backendIdsFromToken(token) {
    const unreadable = new Error('ACTIONS_RUNTIME_TOKEN does not name the workflow run (no Actions.Results scope): the artifact service cannot be used from this job.');
    let scope;
    try {
        scope = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).scp;
    }
    catch {
        throw unreadable;
    }
    if (typeof scope !== 'string')
        throw unreadable;
    for (const claim of scope.split(' ')) {
        const parts = claim.split(':');
        if (parts[0] !== 'Actions.Results')
            continue;
        if (parts.length !== 3 || !parts[1] || !parts[2])
            throw unreadable;
        return { workflow_run_backend_id: parts[1], workflow_job_run_backend_id: parts[2] };
    }
    throw unreadable;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/store/artifact-upload.ts




/**
 * 4 MiB blocks, four on the way: 16 MiB of buffers. The artifact client reads a file through two 8 MiB
 * stream buffers into five 8 MiB blocks (measured: 56 MB of buffers at a Tabby backup's peak, 162 MB
 * of RSS against the 150 MB target), and has no setting for either.
 */
const UPLOAD_LIMITS = { blockBytes: 4 * 1024 * 1024, blocksInFlight: 4 };
/** The storage REST version the blocks are written with; any version since 2019 has Put Block and Put Block List. */
const STORAGE_API_VERSION = '2024-11-04';
/** Blob storage takes at most 50,000 blocks per blob: a file larger than that many blocks gets larger blocks. */
const MAX_BLOCKS = 50_000;
/** Characters the artifact service refuses in a name (as the artifact client checks before its upload). */
const FORBIDDEN_NAME_CHARACTERS = /[":<>|*?\r\n\\/]/;
/**
 * The buffers of finished uploads, kept for the next one: uploads come one after another, and a buffer
 * of this size lives outside V8's young generation, so a fresh set per upload would wait for a full
 * collection (and the allocator would keep the freed pages).
 */
const sparePool = new Map();
/**
 * Uploads one file as a single-file artifact (what the artifact client's `skipArchive` upload makes:
 * the service's CreateArtifact, the blob's Put Block and Put Block List, then FinalizeArtifact with the
 * size and sha256), reading it block by block into a fixed set of buffers, so memory stays flat at any size.
 * A dropped answer of CreateArtifact or FinalizeArtifact is not retried here: the name may be taken by
 * then, and the caller retries the whole upload under a fresh name.
 */
async function uploadArtifactFile(service, file, logger, limits = UPLOAD_LIMITS) {
    if (FORBIDDEN_NAME_CHARACTERS.test(file.name))
        throw new Error(`The artifact name ${JSON.stringify(file.name)} has a character the artifact service refuses.`);
    const contentType = file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const created = await service.call('CreateArtifact', { name: file.name, mime_type: contentType, version: 7, ...(file.expiresAt ? { expires_at: file.expiresAt } : {}) }, 'write');
    const uploadUrl = created.signed_upload_url;
    if (created.ok !== true || typeof uploadUrl !== 'string')
        throw new Error('CreateArtifact: the artifact service did not hand out an upload address.');
    const { bytes, sha256 } = await uploadBlocks(new URL(uploadUrl), file.path, contentType, logger, limits, service.retry);
    const finalized = await service.call('FinalizeArtifact', { name: file.name, size: String(bytes), hash: `sha256:${sha256}` }, 'write');
    if (finalized.ok !== true || typeof finalized.artifact_id !== 'string' || !/^\d+$/.test(finalized.artifact_id)) {
        throw new Error('FinalizeArtifact: the artifact service did not confirm the artifact.');
    }
    return { id: finalized.artifact_id, bytes };
}
/**
 * The file's blocks, read in order (so the sha256 is taken on the way) into at most `blocksInFlight`
 * reusable buffers; a buffer is read into again only once its block is stored. Then the block list commits the blob.
 */
async function uploadBlocks(uploadUrl, path, contentType, logger, limits, retry) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    // Every id of a blob must have the same length: a per-upload prefix and a six-digit block number.
    const prefix = (0,external_node_crypto_.randomUUID)();
    const blockIds = [];
    const inFlight = new Set();
    let failure;
    let bytes = 0;
    const handle = await (0,external_node_fs_promises_.open)(path, 'r');
    let buffers;
    try {
        buffers = buffersFor((await handle.stat()).size, limits);
        const { free } = buffers;
        for (;;) {
            while (free.length === 0 && failure === undefined)
                await Promise.race(inFlight);
            if (failure !== undefined)
                break;
            const buffer = free.pop();
            const read = await readFully(handle, buffer, bytes);
            if (read === 0) {
                free.push(buffer);
                break;
            }
            const block = buffer.subarray(0, read);
            hash.update(block);
            const id = Buffer.from(`${prefix}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
            blockIds.push(id);
            bytes += read;
            const put = putBlock(uploadUrl, id, block, logger, retry).then(() => {
                free.push(buffer);
            }, (error) => {
                failure ??= error;
            });
            const tracked = put.finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
        }
        await Promise.all(inFlight);
    }
    finally {
        await handle.close();
        // A buffer of a failed block may still be referenced by its request: only those returned are kept.
        if (buffers?.blockBytes === limits.blockBytes)
            sparePool.set(buffers.blockBytes, [...(sparePool.get(buffers.blockBytes) ?? []), ...buffers.free].slice(0, limits.blocksInFlight));
    }
    if (failure !== undefined)
        throw failure;
    await putBlockList(uploadUrl, blockIds, contentType, logger, retry);
    return { bytes, sha256: hash.digest('hex') };
}
/**
 * No more buffers, and none larger, than the file needs (a manifest of a few KB takes one of its size);
 * full-size ones come from the pool of earlier uploads.
 */
function buffersFor(size, limits) {
    const blockBytes = Math.max(1, Math.min(limits.blockBytes, size), Math.ceil(size / MAX_BLOCKS));
    const count = Math.max(1, Math.min(limits.blocksInFlight, Math.ceil(size / blockBytes)));
    const spare = blockBytes === limits.blockBytes ? (sparePool.get(blockBytes) ?? []) : [];
    const free = spare.splice(0, count);
    while (free.length < count)
        free.push(new Uint8Array(blockBytes));
    return { blockBytes, free };
}
/** Fills `buffer` from `position` unless the file ends first; returns how much was read. */
async function readFully(handle, buffer, position) {
    let filled = 0;
    while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
        if (bytesRead === 0)
            break;
        filled += bytesRead;
    }
    return filled;
}
function blobUrl(uploadUrl, query) {
    const url = new URL(uploadUrl);
    for (const [key, value] of Object.entries(query))
        url.searchParams.set(key, value);
    return url;
}
const storageCode = (text) => {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
    return code ? ` (${code})` : '';
};
/** One block, sent straight from its buffer (node:http writes it as it is; fetch would copy each block first). */
async function putBlock(uploadUrl, id, block, logger, retry) {
    await withRetry(logger, 'Storing a block of the artifact', retry, async () => {
        const answer = await exchange('Put Block', blobUrl(uploadUrl, { comp: 'block', blockid: id }), {
            method: 'PUT',
            headers: { 'x-ms-version': STORAGE_API_VERSION, 'Content-Length': String(block.length) },
            body: block
        });
        if (answer.status !== 201)
            throw new HttpFailure(`Put Block: blob storage answered HTTP ${answer.status}${storageCode(answer.text)}`, answer.status);
    });
}
async function putBlockList(uploadUrl, blockIds, contentType, logger, retry) {
    const body = `<?xml version="1.0" encoding="utf-8"?><BlockList>${blockIds.map(id => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    await withRetry(logger, 'Committing the blocks of the artifact', retry, async () => {
        const answer = await exchange('Put Block List', blobUrl(uploadUrl, { comp: 'blocklist' }), {
            method: 'PUT',
            headers: { 'x-ms-version': STORAGE_API_VERSION, 'x-ms-blob-content-type': contentType, 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) },
            body
        });
        if (answer.status !== 201)
            throw new HttpFailure(`Put Block List: blob storage answered HTTP ${answer.status}${storageCode(answer.text)}`, answer.status);
    });
}

;// CONCATENATED MODULE: ./src/store/run-provenance.ts




const DISTRUST_LABELS = { fork: 'from forks', 'pull-request': 'from pull request runs', unchecked: 'from runs that could not be checked' };
/**
 * Events whose run executes a pull request's code rather than this repository's reviewed workflows: from
 * a fork such a run has no secrets and can still upload artifacts, so what it uploads is nobody's backup.
 */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);
/** Run look-ups in flight at once: quick on a long history, gentle on the API's rate limits. */
const RUN_CHECKS_AT_ONCE = 4;
/** Which runs' artifacts may be listed: those that ran this repository's own code, looked up once per run. */
class RunProvenance {
    settings;
    logger;
    verdicts = new Map();
    lastSummary = '';
    constructor(settings, logger) {
        this.settings = settings;
        this.logger = logger;
    }
    /** For the `run-id` setting: a run whose artifacts are not ours is refused outright, not quietly emptied. */
    async refuseUntrusted(runId) {
        const verdict = await this.check(runId);
        if (!verdict)
            return;
        const why = verdict.distrust === 'unchecked' ? 'could not be checked' : `did not run this repository's own code (${verdict.distrust === 'fork' ? 'a fork' : 'a pull request'})`;
        throw new errors/* StoreError */.AD(`Workflow run ${runId} (run-id) ${why}: ${verdict.detail}. Backups are only read from runs of ${this.settings.repository} that are not pull requests, because anyone who can open a pull request can upload artifacts from its run.`, verdict.distrust === 'unchecked'
            ? 'check that github-token has `actions: read` on this repository and that the run exists, then retry.'
            : 'set run-id to a run of your backup workflow (push, schedule or workflow_dispatch), or leave it empty to restore the newest backup.');
    }
    /**
     * The listing's manifests whose run ran this repository's own code; other artifacts are dropped too, as
     * a backup's parts are only ever fetched from its manifest's run. Says once how many were ignored and
     * why, so a restore that finds nothing explains itself.
     */
    async trustedOnly(artifacts) {
        const manifests = artifacts.filter(artifact => storedFileName(artifact.name).endsWith(kernel_manifest/* MANIFEST_SUFFIX */.OK));
        const pending = [...new Set(manifests.filter(artifact => !artifact.distrust).map(artifact => artifact.runId))];
        const worker = async () => {
            for (let runId = pending.shift(); runId !== undefined; runId = pending.shift())
                await this.check(runId);
        };
        await Promise.all(Array.from({ length: RUN_CHECKS_AT_ONCE }, worker));
        const trusted = [];
        const ignored = new Map();
        for (const artifact of manifests) {
            const verdict = artifact.distrust ?? (await this.check(artifact.runId));
            if (!verdict)
                trusted.push(artifact);
            else
                ignored.set(verdict.distrust, (ignored.get(verdict.distrust) ?? new Set()).add(artifact.runId));
        }
        const summary = [...ignored].map(([distrust, runs]) => `${DISTRUST_LABELS[distrust]} (run ${[...runs].slice(0, 5).join(', ')}${runs.size > 5 ? ', …' : ''})`).join('; ');
        if (summary && summary !== this.lastSummary) {
            const count = manifests.length - trusted.length;
            this.logger.info(`Ignored ${count} backup manifest${count === 1 ? '' : 's'} among the repository's artifacts that its own workflows did not upload: ${summary}.`);
        }
        this.lastSummary = summary;
        return trusted;
    }
    check(runId) {
        let verdict = this.verdicts.get(runId);
        if (!verdict) {
            verdict = this.lookUp(runId);
            this.verdicts.set(runId, verdict);
        }
        return verdict;
    }
    /** GET …/actions/runs/{id}; a run that cannot be looked up is not trusted. */
    async lookUp(runId) {
        const unchecked = (detail) => ({ distrust: 'unchecked', detail });
        if (!this.settings.token)
            return unchecked('there is no github-token to look it up with');
        const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/runs/${runId}`;
        try {
            const response = await withRetry(this.logger, `Checking workflow run ${runId}`, (this.settings.retry ?? DEFAULT_RETRY).request, () => restGet(url, this.settings.token ?? ''));
            if (!response.ok) {
                return unchecked(`the GitHub API answered HTTP ${response.status}`);
            }
            return runVerdict(response.json(), this.settings.repository);
        }
        catch (error) {
            return unchecked(`the GitHub API failed (${error.message.split('\n')[0]})`);
        }
    }
}
/** What the REST artifact object alone tells: a fork's run, or a run it does not place at all. */
function artifactRunVerdict(run) {
    if (typeof run.repository_id !== 'number' || typeof run.head_repository_id !== 'number')
        return { distrust: 'unchecked', detail: 'the artifact does not say which repository its run came from' };
    return run.head_repository_id === run.repository_id ? undefined : { distrust: 'fork', detail: 'its run came from another repository' };
}
/** Trusted (undefined) only for a run of `repository` itself, from its own head repository, that is no pull request. */
function runVerdict(run, repository) {
    const own = typeof run.repository?.full_name === 'string' ? run.repository.full_name : '';
    const head = typeof run.head_repository?.full_name === 'string' ? run.head_repository.full_name : '';
    if (own.toLowerCase() !== repository.toLowerCase())
        return { distrust: 'unchecked', detail: `the GitHub API does not report it as a run of ${repository}` };
    if (head.toLowerCase() !== own.toLowerCase())
        return { distrust: 'fork', detail: `its code came from ${printable(head)}, not ${repository}` };
    if (typeof run.event !== 'string')
        return { distrust: 'unchecked', detail: 'the GitHub API does not say which event started it' };
    if (PULL_REQUEST_EVENTS.has(run.event))
        return { distrust: 'pull-request', detail: `it was started by a ${run.event} event` };
    return undefined;
}
/** Repository names come from the API; anything unlike one is not echoed into a log line. */
function printable(name) {
    return /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(name) ? name : 'another repository';
}

;// CONCATENATED MODULE: ./src/store/artifact-rest.ts




/** The REST API's largest page. A repository with tens of thousands of artifacts takes that many hundred pages; none is skipped. */
const PAGE_SIZE = 100;
/**
 * The artifact store's side that only the REST API offers: the repository-wide listing (every page),
 * the sizes and expiry dates a quota is counted in, a backup's expiry, and deleting another run's artifacts.
 */
class ArtifactRestApi {
    settings;
    logger;
    retry;
    constructor(settings, logger, retry) {
        this.settings = settings;
        this.logger = logger;
        this.retry = retry;
    }
    /** Every page of a REST artifact listing under the repository (`path`); `what` and `hint` word its errors. */
    async listAll(path, what, hint) {
        const found = [];
        for (let page = 1;; page++) {
            const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/${path}?per_page=${PAGE_SIZE}&page=${page}`;
            let response;
            try {
                response = await withRetry(this.logger, `Listing ${what} (page ${page})`, this.retry, () => restGet(url, this.settings.token ?? ''));
            }
            catch (error) {
                const status = error.status;
                if (status !== undefined)
                    throw new errors/* StoreError */.AD(`Listing ${what} failed: HTTP ${status}.`, 'the GitHub API kept failing; retry later, or set run-id to read one run through the artifact service.', {
                        cause: error
                    });
                throw new errors/* StoreError */.AD(`Cannot reach the GitHub API: ${error.message}`, 'check that the runner reaches GITHUB_API_URL, then retry later.', { cause: error });
            }
            if (!response.ok)
                throw new errors/* StoreError */.AD(`Listing ${what} failed: HTTP ${response.status}.`, hint);
            const body = response.json();
            found.push(...body.artifacts);
            // total_count bounds the walk: an API that kept answering full pages cannot keep the listing going forever.
            if (body.artifacts.length < PAGE_SIZE || page * PAGE_SIZE >= body.total_count)
                break;
        }
        return found;
    }
    /**
     * Where artifact `id` is downloaded from: the API answers 302 with a signed blob address, valid for
     * about a minute, so it is asked for right before each download attempt.
     */
    async downloadAddress(id) {
        const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/artifacts/${id}/zip`;
        const response = await withRetry(this.logger, `Looking up the download of artifact ${id}`, this.retry, () => restGetRedirect(url, this.settings.token ?? ''));
        const location = response.location;
        if (response.status !== 302 || !location) {
            const why = response.status === 302 ? 'without an address' : `HTTP ${response.status}`;
            throw Object.assign(new Error(`the GitHub API answered the download of artifact ${id} ${why}`), { status: response.status === 302 ? 502 : response.status });
        }
        return location;
    }
    /**
     * The repository's artifacts as GitHub counts them against the Actions storage quota: every artifact
     * not expired, backups or not. A backup's size is the sum of its artifacts; it expires with its first.
     */
    async usage() {
        if (!this.settings.token)
            return undefined;
        const artifacts = (await this.listAll('actions/artifacts', "the repository's artifacts", 'check that `github-token` has `actions: read` on this repository.')).filter(artifact => !artifact.expired);
        const backups = new Map();
        let totalBytes = 0;
        let otherBytes = 0;
        // Newest first (the REST order), so the map's order is too.
        for (const artifact of artifacts) {
            const bytes = artifact.size_in_bytes ?? 0;
            totalBytes += bytes;
            const backupId = (0,kernel_manifest/* backupIdOfFile */.v7)(storedFileName(artifact.name)) ?? '';
            const parsed = (0,kernel_manifest/* parseBackupId */.JN)(backupId);
            if (!parsed) {
                otherBytes += bytes;
                continue;
            }
            const entry = backups.get(backupId) ?? { backupId, app: parsed.app, hostId: parsed.hostId, bytes: 0, expiresAt: artifact.expires_at };
            entry.bytes += bytes;
            if (artifact.expires_at && (!entry.expiresAt || artifact.expires_at < entry.expiresAt))
                entry.expiresAt = artifact.expires_at;
            backups.set(backupId, entry);
        }
        return { totalBytes, otherBytes, backups: [...backups.values()] };
    }
    /**
     * When the first of the artifacts `ids` of workflow run `runId` expires, as the service recorded it
     * (without retention-days it applies the repository's setting); undefined unless it lists them all.
     */
    async earliestExpiry(runId, ids) {
        if (!this.settings.token)
            return undefined;
        const wanted = new Set(ids);
        const listed = (await this.listAll(`actions/runs/${runId}/artifacts`, `the artifacts of workflow run ${runId}`, 'check that `github-token` has `actions: read`.')).filter(artifact => wanted.has(String(artifact.id)));
        const expiries = listed.map(artifact => Date.parse(artifact.expires_at ?? ''));
        if (listed.length !== wanted.size || expiries.some(Number.isNaN))
            return undefined;
        return new Date(Math.min(...expiries)).toISOString();
    }
    /** Deletes `artifacts` (the manifest's first, as given) through the REST API; the token needs `actions: write`. */
    async deleteAll(artifacts) {
        if (!this.settings.token)
            return { deleted: false, refused: 'deleting artifacts of another run needs github-token with `actions: write`' };
        try {
            for (const artifact of artifacts) {
                const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/artifacts/${artifact.id}`;
                const response = await withRetry(this.logger, `Deleting ${artifact.name}`, this.retry, () => restDelete(url, this.settings.token ?? ''));
                // 404: already gone (expired, or deleted by someone else): the goal is reached.
                if (response.status === 403)
                    return { deleted: false, refused: `GitHub refused to delete ${artifact.name} (HTTP 403): give the job \`permissions: actions: write\` (or a token with it) to prune artifacts` };
                if (!response.ok && response.status !== 404)
                    return { deleted: false, refused: `deleting ${artifact.name} failed: HTTP ${response.status}` };
            }
        }
        catch (error) {
            return { deleted: false, refused: `deleting its artifacts failed: ${error.message}` };
        }
        return { deleted: true };
    }
}

;// CONCATENATED MODULE: ./src/store/store.ts

function matchesFilter(backup, filter = {}) {
    return (!filter.app || backup.app === filter.app) && (!filter.hostId || backup.hostId === filter.hostId);
}
/**
 * How far a backup id's stamp may run ahead of the store's own creation time before the id counts as
 * forged. The stamp comes from the runner's clock when the backup starts, the creation time from
 * GitHub's (or the store disk's) clock when the manifest is stored, later; runner clocks drift by
 * seconds, so ten minutes forgives any honest clock while a stamp further ahead could only be a backup
 * posing as newer than the ones that come after it.
 */
const STAMP_CLOCK_SKEW_MS = 10 * 60 * 1000;
/** A backup id stamp (20261123T020000Z) as epoch milliseconds. */
function stampTime(stamp) {
    const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
    return match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : Number.NaN;
}
/** Why a listed backup cannot be trusted to be as old as it says, or undefined. */
function forgedStampReason(backup) {
    const created = Date.parse(backup.createdAt);
    const stamp = stampTime((0,kernel_manifest/* parseBackupId */.JN)(backup.backupId)?.stamp ?? '');
    if (Number.isNaN(created))
        return 'the store does not say when it was created';
    if (Number.isNaN(stamp))
        return 'its id carries no valid time stamp';
    if (stamp > created + STAMP_CLOCK_SKEW_MS)
        return `its id is stamped ${new Date(stamp).toISOString()}, later than the store created it (${new Date(created).toISOString()})`;
    return undefined;
}
/** GitHub's artifact ids only grow, so between two artifacts made in the same millisecond the larger is newer. */
function artifactIdOf(backup) {
    const id = backup.location.manifestArtifactId;
    return typeof id === 'number' ? id : undefined;
}
/**
 * What every store's `list` returns. The age of a backup is the store's own creation time: the id's
 * stamp is written by whoever uploads it, so ordering by it would let one stamped 9999-12-31 stay the
 * newest forever. A backup whose stamp is later than its creation (beyond clock skew) is left out with
 * a warning; `warned` remembers whom a store already warned about, so repeated listings say it once.
 */
function trustedNewestFirst(backups, logger, warned = new Set()) {
    const trusted = backups.filter(backup => {
        const reason = forgedStampReason(backup);
        if (reason === undefined)
            return true;
        // Backup ids match a strict pattern (parseBackupId), so naming one in a log line is safe.
        if (!warned.has(backup.backupId)) {
            warned.add(backup.backupId);
            logger.warning(`Left the backup ${backup.backupId} out of the listing: ${reason}. Only the uploader writes the stamp, so a backup stamped ahead of its creation could pose as the newest one; it is not restored, checked or used as an incremental base. If it is genuine, the clock of the runner that made it was wrong: take a new backup.`);
        }
        return false;
    });
    return trusted.sort((a, b) => {
        const byCreation = Date.parse(b.createdAt) - Date.parse(a.createdAt);
        if (byCreation !== 0)
            return byCreation;
        const [idA, idB] = [artifactIdOf(a), artifactIdOf(b)];
        if (idA !== undefined && idB !== undefined && idA !== idB)
            return idB - idA;
        return a.backupId < b.backupId ? 1 : a.backupId > b.backupId ? -1 : 0;
    });
}
/** Store.save for every store: the parts, then the manifest, through one session. */
async function saveAll(store, request) {
    const session = store.begin(request);
    try {
        for (const file of request.partFiles)
            void session.addPart(file);
        return await session.commit(request.manifestFile, request.partFiles);
    }
    catch (error) {
        await session.abandon();
        throw error;
    }
}
/** Runs stored work one item at a time in the background; remembers the first failure and skips the rest. */
class StoringQueue {
    tail = Promise.resolve();
    failure;
    /** Queues `work`; the promise settles when it ran (or was skipped after an earlier failure), and never rejects. */
    push(work) {
        if (this.failure !== undefined)
            throw this.failure;
        this.tail = this.tail.then(async () => {
            if (this.failure !== undefined)
                return;
            try {
                await work();
            }
            catch (error) {
                this.failure = error;
            }
        });
        return this.tail;
    }
    /** Waits for everything queued; throws the first failure. */
    async drain() {
        await this.tail;
        if (this.failure !== undefined)
            throw this.failure;
    }
    /** Waits for everything queued, whatever happened. */
    async settle() {
        await this.tail;
    }
}
/**
 * What a session stored of `files`, in that order (parts finish in any order when dumps run side by side).
 * A file the manifest lists but the session never stored is an error, checked before the manifest goes up.
 */
function itemsInOrder(stored, files) {
    return files.map(file => {
        const item = stored.get(file);
        if (!item)
            throw new Error(`${file} is listed in the manifest but was never stored`);
        return item;
    });
}

// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
;// CONCATENATED MODULE: ./src/store/upload-session.ts



/**
 * The session of a store that uploads: files go up one after another in the background while the backup
 * goes on, the manifest last, after every part is stored, so a listing only ever shows a complete backup.
 * One at a time: with three at once a SeaTable backup to the artifact emulator took 59.8 s instead of
 * 54.1 s and peaked at 363 MB instead of 281 MB (each upload holds its client's blocks), and small backups
 * gained nothing.
 */
function uploadSession(spec, logger) {
    const queue = new StoringQueue();
    const stored = new Map();
    // Upload time, summed over the files: it overlaps the parts, so it is reported apart from the stages.
    const uploads = { count: 0, milliseconds: 0 };
    const place = (file) => queue.push(async () => {
        const began = Date.now();
        try {
            stored.set(file, await spec.upload(file));
        }
        catch (error) {
            throw spec.failed(file, error);
        }
        finally {
            uploads.count++;
            uploads.milliseconds += Date.now() - began;
        }
    });
    return {
        addPart: place,
        commit: async (manifestFile, partFiles) => {
            await queue.drain();
            try {
                itemsInOrder(stored, partFiles);
            }
            catch (error) {
                throw spec.failed(manifestFile, error);
            }
            await spec.beforeManifest?.();
            void place(manifestFile);
            await queue.drain();
            spec.settled?.();
            logger.info(`Uploads: ${uploads.count} ${spec.noun} in ${(0,log/* formatSeconds */.Xo)(uploads.milliseconds)}, one after another while the parts were made`);
            return { items: itemsInOrder(stored, [...partFiles, manifestFile]), where: spec.where, manifestPath: (0,external_node_path_.join)(spec.dir, manifestFile) };
        },
        abandon: async () => {
            await queue.settle();
            await spec.removeStored([...stored.values()]);
            spec.settled?.();
        }
    };
}

;// CONCATENATED MODULE: ./src/store/artifact.ts














/** By time (the Twirp and REST listings write it with and without milliseconds), then by id, which only grows. */
const newestArtifactFirst = (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;
/**
 * GitHub Actions artifacts: each part is its own single-file artifact (not re-zipped: the tarball keeps
 * modes that a zip would drop), named after the backup id, with the manifest uploaded last.
 */
class GithubArtifactStore {
    settings;
    logger;
    kind = 'github';
    traits = {
        readableByOthers: true,
        notFoundHint: ' (set run-id when the backup was made by another run)',
        chainLinkHint: ", and leave run-id empty so the repository's artifacts are searched"
    };
    /** This job's side of the artifact service, made on first use: only a workflow run has one. */
    serviceClient;
    runListings = new Map();
    provenance;
    retry;
    warned = new Set();
    rest;
    constructor(settings, logger) {
        this.settings = settings;
        this.logger = logger;
        this.provenance = new RunProvenance(settings, logger);
        this.retry = settings.retry ?? DEFAULT_RETRY;
        this.rest = new ArtifactRestApi(settings, logger, this.retry.request);
    }
    /**
     * The artifact service of this job (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN), called directly rather
     * than through the `@actions/artifact` client, whose upload holds about 56 MB of buffers and whose code
     * and Azure SDK take about 36 MB more once loaded (artifact-service.ts, artifact-upload.ts).
     */
    service() {
        const resultsUrl = process.env.ACTIONS_RESULTS_URL;
        const runtimeToken = process.env.ACTIONS_RUNTIME_TOKEN;
        if (!resultsUrl || !runtimeToken) {
            throw new errors/* StoreError */.AD('The artifact service is only reachable from a workflow run: ACTIONS_RESULTS_URL or ACTIONS_RUNTIME_TOKEN is not set.', 'run this as a step of a GitHub Actions job, or use store: local or s3.');
        }
        this.serviceClient ??= new ArtifactServiceClient({ resultsUrl, runtimeToken }, this.logger, this.retry.request);
        return this.serviceClient;
    }
    save(request) {
        return saveAll(this, request);
    }
    /** Parts upload one after another while the backup goes on, the manifest last (see uploadSession). */
    begin(backup) {
        const retentionDays = backup.incremental ? chainRetentionDays(backup.incremental, this.settings.retentionDays, new Date()) : this.settings.retentionDays;
        if (backup.incremental)
            this.logger.info(`Artifacts of this backup are kept ${retentionDays} days, so the chain expires together (full backup of ${backup.incremental.baseStartedAt}).`);
        let firstUpload;
        const session = uploadSession({
            dir: backup.dir,
            upload: file => {
                firstUpload ??= new Date();
                return this.upload(backup.dir, file, retentionDays);
            },
            failed: (file, error) => new errors/* StoreError */.AD(`Uploading ${file} as an artifact failed: ${error.message}`, 'the backup was not stored (no manifest was uploaded); re-run the job. If it keeps failing, check the Actions service status and the artifact storage quota.', { cause: error }),
            noun: 'artifacts',
            where: `artifacts of workflow run ${this.settings.currentRunId ?? '(current)'}`,
            removeStored: async (items) => {
                for (const item of items) {
                    await Promise.resolve()
                        .then(() => this.service().delete(item.name))
                        .catch((error) => this.logger.warning(`Could not delete the artifact ${item.name} of the failed backup: ${error.message}`));
                }
            },
            settled: () => this.runListings.clear()
        }, this.logger);
        return {
            ...session,
            commit: async (manifestFile, partFiles) => {
                const saved = await session.commit(manifestFile, partFiles);
                return { ...saved, expiresAt: await this.expiryOf(saved.items, retentionDays, firstUpload) };
            }
        };
    }
    /**
     * When the backup's first artifact expires (the backup is gone with it). With a retention the client
     * asked for it, so it is computed as the client did, from before the first upload (at most seconds early);
     * otherwise the service applied the repository's setting: read back, else computed from GITHUB_RETENTION_DAYS.
     */
    async expiryOf(items, retentionDays, firstUpload) {
        if (!firstUpload)
            return undefined;
        const { currentRunId, repositoryRetentionDays } = this.settings;
        if (retentionDays !== undefined)
            return artifactExpiry(firstUpload, retentionDays, repositoryRetentionDays);
        if (currentRunId) {
            try {
                const listed = await this.rest.earliestExpiry(currentRunId, items.map(item => item.id));
                if (listed)
                    return listed;
            }
            catch (error) {
                this.logger.debug(`Reading when the artifacts expire: ${error.message}`);
            }
        }
        if (repositoryRetentionDays !== undefined)
            return artifactExpiry(firstUpload, repositoryRetentionDays);
        this.logger.info('When the artifacts of this backup expire is unknown: no retention-days, no GITHUB_RETENTION_DAYS, and github-token could not list them.');
        return undefined;
    }
    /**
     * Uploads one file with bounded memory (artifact-upload.ts, not the client's upload); a retry goes up
     * under a fresh name (see RETRY_NAME).
     */
    async upload(dir, file, retentionDays) {
        const service = this.service();
        return withRetry(this.logger, `Uploading ${file}`, this.retry.operation, async (attempt) => {
            const name = attempt === 1 ? file : retryArtifactName(file, attempt - 1);
            if (name !== file)
                this.logger.info(`Uploading ${file} as the artifact ${name}: the failed upload may have taken the name ${attempt === 2 ? file : retryArtifactName(file, attempt - 2)}.`);
            const expiresAt = retentionDays === undefined ? undefined : artifactExpiry(new Date(), retentionDays, this.settings.repositoryRetentionDays);
            const { id } = await uploadArtifactFile(service, { path: (0,external_node_path_.join)(dir, file), name, expiresAt }, this.logger);
            return { name, id, ...this.webAddress(id) };
        });
    }
    /** Where a signed-in user downloads the artifact `id` of this run (as upload-artifact's artifact-url output). */
    webAddress(id) {
        const { serverUrl, repository, currentRunId } = this.settings;
        if (!serverUrl || !repository || !currentRunId || !/^\d+$/.test(id))
            return {};
        return { url: `${serverUrl.replace(/\/+$/, '')}/${repository}/actions/runs/${currentRunId}/artifacts/${id}` };
    }
    async list(filter) {
        const chosenRun = filter?.everywhere ? undefined : this.settings.runId;
        if (chosenRun)
            await this.provenance.refuseUntrusted(chosenRun);
        const artifacts = chosenRun ? await this.listRun(chosenRun) : await this.listCurrentAndRepository();
        const backups = new Map();
        // Newest first, so a manifest stored twice (a retried upload whose first attempt was finalized after all) counts by its newest copy.
        for (const artifact of [...artifacts].sort(newestArtifactFirst)) {
            const file = storedFileName(artifact.name);
            if (!file.endsWith(kernel_manifest/* MANIFEST_SUFFIX */.OK))
                continue;
            const backupId = file.slice(0, -kernel_manifest/* MANIFEST_SUFFIX */.OK.length);
            const parsed = (0,kernel_manifest/* parseBackupId */.JN)(backupId);
            if (!parsed || backups.has(backupId))
                continue;
            const backup = { backupId, app: parsed.app, hostId: parsed.hostId, createdAt: artifact.createdAt, location: { runId: artifact.runId, manifestArtifactId: artifact.id } };
            if (matchesFilter(backup, filter))
                backups.set(backupId, backup);
        }
        return trustedNewestFirst([...backups.values()], this.logger, this.warned);
    }
    /**
     * Downloads the artifact holding `fileName` into `destDir` under that name (never one the download
     * suggests), as it comes and never unpacked: this job's own run through the artifact service, any other run
     * through the REST API. Each attempt asks for a fresh address (they expire within minutes).
     */
    async fetch(backup, fileName, destDir) {
        const path = (0,external_node_path_.join)(destDir, fileName);
        await this.download(backup, fileName, address => downloadTo(address, path));
        return path;
    }
    async read(backup, fileName, offset) {
        return this.download(backup, fileName, address => openDownload(address, offset));
    }
    /**
     * Finds the artifact holding `fileName` and hands a fresh download address to `start`, retried as one
     * operation: each attempt asks for a new address (they expire within minutes).
     */
    async download(backup, fileName, start) {
        const runId = Number(backup.location.runId);
        const [artifact] = (await this.listRun(runId)).filter(candidate => storedFileName(candidate.name) === fileName).sort(newestArtifactFirst);
        if (!artifact) {
            throw new errors/* StoreError */.AD(`The artifact ${fileName} is missing from workflow run ${runId}.`, 'the backup is incomplete or its artifacts expired; pick another backup-id.');
        }
        // Another run's listing above already required the token the REST download needs.
        const ownRun = this.isOwnRun(runId);
        try {
            return await withRetry(this.logger, `Downloading ${artifact.name}`, this.retry.operation, async () => start(new URL(ownRun ? await this.service().downloadUrl(artifact.name) : await this.rest.downloadAddress(artifact.id))));
        }
        catch (error) {
            if (error.path !== undefined)
                throw error;
            throw new errors/* StoreError */.AD(`Downloading ${artifact.name} failed: ${error.message}`, 'check that github-token has `actions: read` and the artifact has not expired.', { cause: error });
        }
    }
    /**
     * Every artifact of the backup in its run, the manifest first: this job's own through the artifact
     * service, another run's through the REST API (the token needs `actions: write`).
     */
    async delete(backup) {
        const runId = Number(backup.location.runId);
        const manifestFile = `${backup.backupId}${kernel_manifest/* MANIFEST_SUFFIX */.OK}`;
        const artifacts = (await this.listRun(runId))
            .filter(artifact => storedFileName(artifact.name).startsWith(`${backup.backupId}.`))
            .sort((a, b) => Number(storedFileName(b.name) === manifestFile) - Number(storedFileName(a.name) === manifestFile));
        if (this.isOwnRun(runId)) {
            try {
                for (const artifact of artifacts)
                    await this.service().delete(artifact.name);
                return { deleted: true };
            }
            catch (error) {
                return { deleted: false, refused: `deleting its artifacts failed: ${error.message}` };
            }
            finally {
                this.runListings.clear();
            }
        }
        try {
            return await this.rest.deleteAll(artifacts);
        }
        finally {
            this.runListings.clear();
        }
    }
    /** What the repository's artifacts take against the Actions storage quota (see ArtifactRestApi.usage). */
    usage() {
        return this.rest.usage();
    }
    /** This job's own run: read and changed through the artifact service with the runtime token. */
    isOwnRun(runId) {
        return runId === this.settings.currentRunId && Boolean(process.env.ACTIONS_RUNTIME_TOKEN);
    }
    /** Another run's artifacts are read through the REST API, which needs a token. */
    tokenFor(runId) {
        if (!this.settings.token) {
            throw new errors/* StoreError */.AD(`Reading artifacts of workflow run ${runId} needs a token.`, 'set `github-token` (the default `${{ github.token }}` works when the job has `permissions: actions: read`).');
        }
        return this.settings.token;
    }
    /**
     * One run's artifacts: this job's own run through the artifact service, any other run through the REST
     * API, every page of it (the artifact client stops at 1,000 artifacts, and a large backup is more chunks).
     */
    async listRun(runId) {
        const cached = this.runListings.get(runId);
        if (cached)
            return cached;
        let listed;
        if (!this.isOwnRun(runId)) {
            this.tokenFor(runId);
            const artifacts = await this.rest.listAll(`actions/runs/${runId}/artifacts`, `the artifacts of workflow run ${runId}`, 'check `run-id` and that `github-token` has `actions: read`.');
            listed = artifacts.filter(artifact => !artifact.expired).map(artifact => ({ id: artifact.id, name: artifact.name, runId, createdAt: artifact.created_at }));
        }
        else {
            try {
                listed = (await withRetry(this.logger, `Listing the artifacts of run ${runId}`, this.retry.operation, () => this.service().list())).map(artifact => ({ ...artifact, runId }));
            }
            catch (error) {
                if (error instanceof errors/* StoreError */.AD)
                    throw error;
                throw new errors/* StoreError */.AD(`Listing the artifacts of workflow run ${runId} failed: ${error.message}`, 'check that the job still runs and retry.', { cause: error });
            }
        }
        this.runListings.set(runId, listed);
        return listed;
    }
    // The current run needs no check: its artifacts come from this very job's workflow.
    async listCurrentAndRepository() {
        const found = [];
        if (this.settings.currentRunId && this.isOwnRun(this.settings.currentRunId))
            found.push(...(await this.listRun(this.settings.currentRunId)));
        if (this.settings.token)
            found.push(...(await this.provenance.trustedOnly(await this.listRepository())));
        return found;
    }
    /** The repository's artifacts across all runs, newest first (REST; the artifact client has no such call). */
    async listRepository() {
        const artifacts = await this.rest.listAll('actions/artifacts', "the repository's artifacts", 'check that `github-token` has `actions: read` on this repository.');
        const found = [];
        for (const artifact of artifacts) {
            const run = artifact.workflow_run;
            if (artifact.expired || !run?.id)
                continue;
            found.push({ id: artifact.id, name: artifact.name, runId: run.id, createdAt: artifact.created_at, distrust: artifactRunVerdict(run) });
        }
        this.logger.debug(`repository listing: ${found.length} artifacts`);
        return found;
    }
}

;// CONCATENATED MODULE: ./src/store/link-or-copy.ts

/** A hard link where the filesystem allows one (no second copy of a large part), else a copy. */
async function linkOrCopy(from, to) {
    try {
        await (0,external_node_fs_promises_.link)(from, to);
    }
    catch (error) {
        if (!['EXDEV', 'EPERM', 'EMLINK'].includes(error.code ?? ''))
            throw error;
        await (0,external_node_fs_promises_.copyFile)(from, to);
    }
}

;// CONCATENATED MODULE: ./src/store/local-dir.ts







/**
 * A directory with one sub-directory per backup. A backup is written under a ".partial" name and
 * renamed when its manifest is in place, so a crash never leaves something that looks complete.
 */
class LocalDirectoryStore {
    root;
    logger;
    kind = 'local';
    traits = { readableByOthers: false, notFoundHint: '', chainLinkHint: '' };
    warned = new Set();
    /** Without a logger, a backup left out of a listing is still reported, on stderr. */
    constructor(root, logger = (0,log/* consoleLogger */.kS)()) {
        this.root = root;
        this.logger = logger;
    }
    save(request) {
        return saveAll(this, request);
    }
    /**
     * Parts (or their chunks) go into a ".partial" directory as they complete: written there directly when
     * the writer asks for writeDirectory (the backup pipeline does, so nothing is staged in RUNNER_TEMP),
     * else linked (or, across filesystems, copied) from the backup's directory. The manifest goes last and
     * the directory is renamed.
     */
    begin(backup) {
        const partial = (0,external_node_path_.join)(this.root, `.${backup.backupId}.partial`);
        const final = (0,external_node_path_.join)(this.root, backup.backupId);
        const queue = new StoringQueue();
        const stored = new Map();
        const prepared = (async () => {
            await (0,external_node_fs_promises_.mkdir)(this.root, { recursive: true, mode: 0o700 });
            await (0,external_node_fs_promises_.rm)(partial, { recursive: true, force: true });
            await (0,external_node_fs_promises_.mkdir)(partial, { mode: 0o700 });
        })();
        // Once the writer asked for writeDirectory, its parts are written in the ".partial" directory itself.
        let partsWrittenInPlace = false;
        const place = (file, from) => queue.push(async () => {
            await prepared;
            if (from !== partial)
                await linkOrCopy((0,external_node_path_.join)(from, file), (0,external_node_path_.join)(partial, file));
            stored.set(file, { name: file, id: (0,external_node_path_.join)(final, file) });
        });
        const failed = (error) => new errors/* StoreError */.AD(`Saving the backup into ${this.root} failed: ${error.message}`, 'check that the store directory is writable and has space.', { cause: error });
        return {
            addPart: file => {
                try {
                    return place(file, partsWrittenInPlace ? partial : backup.dir);
                }
                catch (error) {
                    throw failed(error);
                }
            },
            // A failed commit leaves the ".partial" directory to abandon(), which every caller runs.
            commit: async (manifestFile, partFiles) => {
                try {
                    await queue.drain();
                    itemsInOrder(stored, partFiles);
                    void place(manifestFile, backup.dir);
                    await queue.drain();
                    await (0,external_node_fs_promises_.rename)(partial, final);
                    return { items: itemsInOrder(stored, [...partFiles, manifestFile]), where: final, manifestPath: (0,external_node_path_.join)(final, manifestFile) };
                }
                catch (error) {
                    throw failed(error);
                }
            },
            abandon: async () => {
                await queue.settle();
                await prepared.catch(() => undefined);
                await (0,external_node_fs_promises_.rm)(partial, { recursive: true, force: true });
            },
            writeDirectory: async () => {
                try {
                    await prepared;
                }
                catch (error) {
                    throw failed(error);
                }
                partsWrittenInPlace = true;
                return partial;
            }
        };
    }
    async list(filter) {
        let entries;
        try {
            entries = await (0,external_node_fs_promises_.readdir)(this.root);
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return [];
            throw error;
        }
        const backups = [];
        for (const entry of entries) {
            const parsed = (0,kernel_manifest/* parseBackupId */.JN)(entry);
            if (!parsed)
                continue;
            const manifest = (0,external_node_path_.join)(this.root, entry, `${entry}${kernel_manifest/* MANIFEST_SUFFIX */.OK}`);
            const info = await (0,external_node_fs_promises_.stat)(manifest).catch(() => null);
            if (!info)
                continue;
            // The manifest's mtime: written last, just before the store took it in (a link keeps that time, a copy takes its own).
            const backup = { backupId: entry, app: parsed.app, hostId: parsed.hostId, createdAt: info.mtime.toISOString(), location: { dir: (0,external_node_path_.join)(this.root, entry) } };
            if (matchesFilter(backup, filter))
                backups.push(backup);
        }
        return trustedNewestFirst(backups, this.logger, this.warned);
    }
    /** Renamed out of the listing first (a name parseBackupId refuses), then removed: a crash half-way never leaves a backup that lists with parts missing. */
    async delete(backup) {
        const dir = (0,external_node_path_.join)(this.root, backup.backupId);
        const going = (0,external_node_path_.join)(this.root, `.${backup.backupId}.deleting`);
        try {
            await (0,external_node_fs_promises_.rename)(dir, going);
            await (0,external_node_fs_promises_.rm)(going, { recursive: true, force: true });
        }
        catch (error) {
            return { deleted: false, refused: `it could not be removed from ${this.root}: ${error.message}` };
        }
        return { deleted: true };
    }
    async fetch(backup, fileName, destDir) {
        const source = (0,external_node_path_.join)(String(backup.location.dir), fileName);
        const target = (0,external_node_path_.join)(destDir, fileName);
        try {
            await (0,external_node_fs_promises_.copyFile)(source, target);
        }
        catch (error) {
            throw new errors/* StoreError */.AD(`${fileName} is missing from ${backup.location.dir}.`, 'the backup is incomplete; pick another backup-id.', { cause: error });
        }
        return target;
    }
    async read(backup, fileName, offset) {
        const source = (0,external_node_path_.join)(String(backup.location.dir), fileName);
        try {
            const file = await (0,external_node_fs_promises_.open)(source, 'r');
            return file.createReadStream({ start: offset, highWaterMark: STORE_READ_BYTES });
        }
        catch (error) {
            throw new errors/* StoreError */.AD(`${fileName} is missing from ${backup.location.dir}.`, 'the backup is incomplete; pick another backup-id.', { cause: error });
        }
    }
}
/** A restore reads a stored file in pieces of this size (a block is checked once whole, then sent on). */
const STORE_READ_BYTES = 64 * 1024;

;// CONCATENATED MODULE: ./src/store/s3-connection.ts

/** lib-storage's part size: the smallest S3 accepts is 5 MiB; two parts in flight per upload. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
/** Object metadata (x-amz-meta-…) in which every locked object records its retention. */
const RETAIN_UNTIL_METADATA = 'selfhost-backup-retain-until';
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;
/**
 * The S3 calls the store needs, through the AWS SDK v3, loaded on first use (its own bundle chunk: a run
 * with another store never loads it). Checksums are sent when the operation requires one and on every
 * upload (SHA-256 per part), which is also what a bucket with Object Lock requires on writes.
 */
class S3Connection {
    settings;
    opening;
    constructor(settings) {
        this.settings = settings;
    }
    open() {
        this.opening ??= Promise.all([__webpack_require__.e(/* import() */ 711).then(__webpack_require__.t.bind(__webpack_require__, 3711, 19)), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(358)]).then(__webpack_require__.t.bind(__webpack_require__, 2358, 19))]).then(([s3, storage]) => {
            const { endpoint, region, forcePathStyle, credentials } = this.settings;
            const client = new s3.S3Client({
                region,
                ...(endpoint ? { endpoint } : {}),
                forcePathStyle,
                ...(credentials ? { credentials } : {}),
                // Servers other than AWS (and older gateways) refuse or mangle the SDK's default streaming CRC32 trailers.
                requestChecksumCalculation: 'WHEN_REQUIRED',
                responseChecksumValidation: 'WHEN_REQUIRED',
                maxAttempts: 4
            });
            return { s3, storage, client };
        });
        return this.opening;
    }
    /** The bucket exists and these credentials reach it. */
    async checkBucket() {
        const { s3, client } = await this.open();
        try {
            await client.send(new s3.HeadBucketCommand({ Bucket: this.settings.bucket }));
        }
        catch (error) {
            const status = statusOf(error);
            const where = `s3://${this.settings.bucket}${this.settings.endpoint ? ` at ${this.settings.endpoint}` : ''}`;
            if (status === 404)
                throw new errors/* StoreError */.AD(`The bucket ${where} does not exist.`, 'create it first (with Object Lock if you want it), or fix s3-bucket, s3-endpoint and s3-region.');
            if (status === 403 || status === 401)
                throw new errors/* StoreError */.AD(`The credentials were refused by ${where} (HTTP ${status}).`, 'check s3-access-key-id and s3-secret-access-key, or the AWS_* variables, and that they may use this bucket.');
            if (/credential/i.test(error.message))
                throw new errors/* StoreError */.AD(`No S3 credentials were found for ${where}.`, 'set s3-access-key-id and s3-secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (aws-actions/configure-aws-credentials sets them).');
            throw new errors/* StoreError */.AD(`Cannot reach ${where}: ${this.describe(error)}`, 'check s3-endpoint and s3-region, and that the runner reaches the endpoint.', { cause: error });
        }
    }
    /** Object Lock is enabled on the bucket: without it, retention headers would be refused or, worse, ignored. */
    async checkObjectLock() {
        const { s3, client } = await this.open();
        const missing = new errors/* StoreError */.AD(`s3-object-lock-days is set, but the bucket ${this.settings.bucket} has no Object Lock enabled.`, 'enable Object Lock on the bucket (it needs versioning), or leave s3-object-lock-days empty.');
        try {
            const answer = await client.send(new s3.GetObjectLockConfigurationCommand({ Bucket: this.settings.bucket }));
            if (answer.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled')
                throw missing;
        }
        catch (error) {
            if (error === missing || nameOf(error) === 'ObjectLockConfigurationNotFoundError')
                throw missing;
            throw new errors/* StoreError */.AD(`Reading the Object Lock configuration of ${this.settings.bucket} failed: ${this.describe(error)}`, 'the credentials need s3:GetBucketObjectLockConfiguration.', {
                cause: error
            });
        }
    }
    /** One object from a stream, in 8 MiB parts (a single PUT when it is smaller), with its retention when given. */
    async upload(key, body, retainUntil) {
        const { storage, client } = await this.open();
        const lock = this.settings.objectLock;
        const upload = new storage.Upload({
            client,
            params: {
                Bucket: this.settings.bucket,
                Key: key,
                Body: body,
                ChecksumAlgorithm: 'SHA256',
                ...(this.settings.storageClass ? { StorageClass: this.settings.storageClass } : {}),
                // The metadata records the retention for this tool's own checks, also on a server that ignores the lock headers.
                ...(lock && retainUntil ? { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: retainUntil, Metadata: { [RETAIN_UNTIL_METADATA]: retainUntil.toISOString() } } : {})
            },
            partSize: PART_SIZE,
            queueSize: PARTS_IN_FLIGHT,
            leavePartsOnError: false
        });
        await upload.done();
    }
    /** Every key under `prefix`, every page of it. */
    async listKeys(prefix) {
        const { s3, client } = await this.open();
        const found = [];
        let token;
        do {
            const page = await client.send(new s3.ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
            for (const object of page.Contents ?? [])
                if (object.Key && object.LastModified)
                    found.push({ key: object.Key, lastModified: object.LastModified });
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return found;
    }
    /** The object's bytes from `offset` to its end (a range request, but for the whole object). */
    async download(key, offset = 0) {
        const { s3, client } = await this.open();
        const answer = await client.send(new s3.GetObjectCommand({ Bucket: this.settings.bucket, Key: key, ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) }));
        if (!answer.Body)
            throw new errors/* StoreError */.AD(`s3://${this.settings.bucket}/${key} came back without a body.`, 'retry; if it repeats, check the endpoint.');
        return answer.Body;
    }
    /** The later of the retention the server reports for `key` and the one this tool recorded in its metadata; undefined when neither. */
    async retainedUntil(key) {
        const { s3, client } = await this.open();
        const head = await client.send(new s3.HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
        const recorded = head.Metadata?.[RETAIN_UNTIL_METADATA] ? new Date(head.Metadata[RETAIN_UNTIL_METADATA]) : undefined;
        const dates = [head.ObjectLockRetainUntilDate, recorded].filter((date) => date instanceof Date && !Number.isNaN(date.getTime()));
        return dates.length > 0 ? new Date(Math.max(...dates.map(date => date.getTime()))) : undefined;
    }
    /** Moves the retention of every current object under `prefix` out to `until` (never earlier: a lock is only ever extended). */
    async extendRetention(prefix, until) {
        const { s3, client } = await this.open();
        const lock = this.settings.objectLock;
        if (!lock)
            return 0;
        let extended = 0;
        for (const { key } of await this.listKeys(prefix)) {
            const current = await this.retainedUntil(key);
            if (current && current.getTime() >= until.getTime())
                continue;
            await client.send(new s3.PutObjectRetentionCommand({ Bucket: this.settings.bucket, Key: key, Retention: { Mode: lock.mode, RetainUntilDate: until } }));
            extended++;
        }
        return extended;
    }
    /** Every version and delete marker under `prefix` (a bucket without versioning answers one "null" version per key). */
    async listVersions(prefix) {
        const { s3, client } = await this.open();
        const found = [];
        let keyMarker;
        let versionMarker;
        for (;;) {
            const page = await client.send(new s3.ListObjectVersionsCommand({ Bucket: this.settings.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
            for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])])
                if (entry.Key)
                    found.push({ key: entry.Key, versionId: entry.VersionId });
            if (!page.IsTruncated)
                return found;
            keyMarker = page.NextKeyMarker;
            versionMarker = page.NextVersionIdMarker;
        }
    }
    /**
     * Deletes objects: an exact version when one is given, else the current one (in a versioned bucket that
     * hides it behind a delete marker). Returns the server's refusals, each with its key and reason.
     */
    async remove(objects) {
        const { s3, client } = await this.open();
        const refused = [];
        for (let start = 0; start < objects.length; start += DELETE_BATCH) {
            const batch = objects.slice(start, start + DELETE_BATCH).map(object => ({ Key: object.key, VersionId: object.versionId }));
            const answer = await client.send(new s3.DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch, Quiet: true } }));
            for (const failure of answer.Errors ?? [])
                refused.push({ key: failure.Key ?? '', reason: `${failure.Code ?? 'refused'} ${failure.Message ?? ''}`.trim() });
        }
        return refused;
    }
    isMissing(error) {
        return nameOf(error) === 'NoSuchKey' || statusOf(error) === 404;
    }
    /** The SDK's error name, message and HTTP status; never a credential (the SDK's errors carry none). */
    describe(error) {
        const status = statusOf(error);
        return `${nameOf(error) ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${error.message}`;
    }
}
function statusOf(error) {
    return error.$metadata?.httpStatusCode;
}
function nameOf(error) {
    return error.name;
}

;// CONCATENATED MODULE: ./src/store/s3.ts









/**
 * An S3-compatible bucket: each backup is the prefix `<s3-prefix><backup-id>/`, holding its part files (or
 * their chunks) and, written last, its manifest. With Object Lock asked for, every object is written with
 * its retention, so nobody holding the same credentials can delete or overwrite it before it runs out.
 */
class S3ObjectStore {
    settings;
    logger;
    kind = 's3';
    traits = { readableByOthers: false, notFoundHint: ' (check s3-bucket and s3-prefix)', chainLinkHint: '' };
    connection;
    warned = new Set();
    constructor(settings, logger) {
        this.settings = settings;
        this.logger = logger;
        this.connection = new S3Connection(settings);
    }
    /** Before any work: the bucket answers with these credentials, and has Object Lock when it is asked for. */
    async preflight() {
        await this.connection.checkBucket();
        if (this.settings.objectLock)
            await this.connection.checkObjectLock();
    }
    save(request) {
        return saveAll(this, request);
    }
    /** One file at a time (see uploadSession); each upload has two 8 MiB parts in flight (s3-connection.ts). */
    begin(backup) {
        const retainUntil = this.settings.objectLock ? new Date(Date.now() + this.settings.objectLock.days * 86_400_000) : undefined;
        if (retainUntil)
            this.logger.info(`Object Lock (${this.settings.objectLock.mode.toLowerCase()}): every object of this backup is kept until ${retainUntil.toISOString()}.`);
        const where = `s3://${this.settings.bucket}/${this.keyOf(backup.backupId, '')}`;
        return uploadSession({
            dir: backup.dir,
            upload: async (file) => {
                const key = this.keyOf(backup.backupId, file);
                await this.connection.upload(key, (0,external_node_fs_.createReadStream)((0,external_node_path_.join)(backup.dir, file)), retainUntil);
                return { name: file, id: key };
            },
            failed: (file, error) => new errors/* StoreError */.AD(`Uploading ${file} to ${where} failed: ${this.connection.describe(error)}`, 'the backup was not stored (no manifest was uploaded); check the bucket, the credentials and the endpoint, then re-run.', { cause: error }),
            noun: 'objects',
            where,
            beforeManifest: async () => {
                if (retainUntil && backup.incremental)
                    await this.lockChain(backup.incremental.chain, retainUntil);
            },
            removeStored: async (items) => {
                const keys = items.map(item => item.id);
                const refused = await this.connection.remove(keys.map(key => ({ key }))).catch((error) => {
                    this.logger.warning(`Could not delete what the failed backup uploaded to ${where}: ${this.connection.describe(error)}`);
                    return [];
                });
                if (retainUntil && keys.length > 0)
                    this.logger.info(`The failed backup's ${keys.length} objects are hidden by delete markers; Object Lock keeps their versions until ${retainUntil.toISOString()}.`);
                for (const { key } of refused)
                    this.logger.warning(`s3://${this.settings.bucket}/${key} of the failed backup was not deleted (the server refused).`);
            }
        }, this.logger);
    }
    /**
     * An incremental backup is only as restorable as the backups it builds on: their locks are extended to
     * this one's before its manifest goes up. Failing that, the backup is not stored.
     */
    async lockChain(chain, until) {
        for (const backupId of chain) {
            try {
                const extended = await this.connection.extendRetention(this.keyOf(backupId, ''), until);
                if (extended > 0)
                    this.logger.info(`Object Lock of ${backupId} (a backup this one builds on) extended to ${until.toISOString()} on ${extended} objects.`);
            }
            catch (error) {
                throw new errors/* StoreError */.AD(`Extending the Object Lock of ${backupId}, which this incremental backup builds on, failed: ${this.connection.describe(error)}`, 'the credentials need s3:PutObjectRetention; without it the chain could be deleted before this backup, so no manifest was uploaded.', { cause: error });
            }
        }
    }
    async list(filter) {
        const backups = [];
        let objects;
        try {
            objects = await this.connection.listKeys(this.settings.prefix);
        }
        catch (error) {
            throw new errors/* StoreError */.AD(`Listing s3://${this.settings.bucket}/${this.settings.prefix} failed: ${this.connection.describe(error)}`, 'check s3-bucket, s3-endpoint, s3-region and the credentials (they need s3:ListBucket).', {
                cause: error
            });
        }
        for (const object of objects) {
            // <prefix><backup-id>/<backup-id>.manifest.json, nothing else: keys are untrusted names.
            const [backupId, file, ...deeper] = object.key.slice(this.settings.prefix.length).split('/');
            if (deeper.length > 0 || file !== `${backupId}${kernel_manifest/* MANIFEST_SUFFIX */.OK}`)
                continue;
            const parsed = (0,kernel_manifest/* parseBackupId */.JN)(backupId);
            if (!parsed)
                continue;
            const backup = { backupId, app: parsed.app, hostId: parsed.hostId, createdAt: object.lastModified.toISOString(), location: { prefix: this.keyOf(backupId, '') } };
            if (matchesFilter(backup, filter))
                backups.push(backup);
        }
        return trustedNewestFirst(backups, this.logger, this.warned);
    }
    async fetch(backup, fileName, destDir) {
        const key = this.keyOf(backup.backupId, fileName);
        const target = (0,external_node_path_.join)(destDir, fileName);
        const body = await this.read(backup, fileName, 0);
        try {
            await (0,promises_.pipeline)(body, (0,external_node_fs_.createWriteStream)(target, { mode: 0o600 }));
        }
        catch (error) {
            // Nothing half-downloaded stays where a whole file is expected.
            await (0,external_node_fs_promises_.rm)(target, { force: true });
            throw new errors/* StoreError */.AD(`Downloading s3://${this.settings.bucket}/${key} was cut off: ${error.message}`, 'retry; if it repeats, check the connection to the endpoint.', { cause: error });
        }
        return target;
    }
    async read(backup, fileName, offset) {
        const key = this.keyOf(backup.backupId, fileName);
        try {
            return await this.connection.download(key, offset);
        }
        catch (error) {
            if (this.connection.isMissing(error))
                throw new errors/* StoreError */.AD(`s3://${this.settings.bucket}/${key} is missing.`, 'the backup is incomplete or was deleted; pick another backup-id.', { cause: error });
            throw new errors/* StoreError */.AD(`Downloading s3://${this.settings.bucket}/${key} failed: ${this.connection.describe(error)}`, 'check the credentials (they need s3:GetObject) and the endpoint, then retry.', {
                cause: error
            });
        }
    }
    /**
     * Every version of every object of the backup, the manifest's first, unless a retention still runs:
     * the one the manifest records (this tool's own note) or the server reports, whichever is later. A
     * server that enforces Object Lock refuses a locked version all the same, and that refusal is reported.
     */
    async delete(backup) {
        const manifestKey = this.keyOf(backup.backupId, (0,kernel_manifest/* manifestFileName */.V6)(backup.backupId));
        try {
            const until = await this.connection.retainedUntil(manifestKey);
            if (until && until.getTime() > Date.now())
                return { deleted: false, refused: `Object Lock keeps it until ${until.toISOString()}` };
            const versions = await this.connection.listVersions(this.keyOf(backup.backupId, ''));
            // The manifest in a call of its own: the backup stops being listed before any part goes.
            const refused = await this.connection.remove(versions.filter(version => version.key === manifestKey));
            if (refused.length === 0)
                refused.push(...(await this.connection.remove(versions.filter(version => version.key !== manifestKey))));
            if (refused.length > 0)
                return { deleted: false, refused: `the server refused to delete ${refused.length} object version(s), e.g. ${refused[0].key}: ${refused[0].reason}` };
        }
        catch (error) {
            return { deleted: false, refused: `deleting it failed: ${this.connection.describe(error)}` };
        }
        return { deleted: true };
    }
    /** `<prefix><backup-id>/<file>`; the backup id matched its strict pattern before it got here. */
    keyOf(backupId, file) {
        return `${this.settings.prefix}${backupId}/${file}`;
    }
}

;// CONCATENATED MODULE: ./src/store/settings.ts





/** `retry` is the seam for tests: the artifact store's back-off in milliseconds instead of seconds. */
function createStore(settings, env, logger, options = {}) {
    if (settings.kind === 'local')
        return new LocalDirectoryStore(settings.path, logger);
    if (settings.kind === 's3')
        return new S3ObjectStore(settings, logger);
    const repository = env.GITHUB_REPOSITORY ?? '';
    // Outside a workflow run the artifacts are read through the REST API: with a token, of a named repository.
    if (!env.ACTIONS_RUNTIME_TOKEN && !settings.token) {
        throw new errors/* InputError */.dz('store', 'github is read outside a workflow run through the GitHub API, and no github-token was given (ACTIONS_RUNTIME_TOKEN is not set either).', 'pass a token with actions: read (--github-token-file PATH or SELFHOST_BACKUP_GITHUB_TOKEN) and --repository owner/name; or use store: local or s3.');
    }
    if (!env.ACTIONS_RUNTIME_TOKEN && !(0,repository_name/* isRepositoryName */.e)(repository)) {
        throw new errors/* InputError */.dz('repository', 'reading the github store outside a workflow run needs the repository the backups were made in.', 'pass --repository owner/name (the repository whose workflow ran the backup).');
    }
    return new GithubArtifactStore({
        retentionDays: settings.retentionDays,
        runId: settings.runId,
        token: settings.token,
        repository,
        apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
        currentRunId: env.GITHUB_RUN_ID ? Number(env.GITHUB_RUN_ID) : undefined,
        serverUrl: env.GITHUB_SERVER_URL || undefined,
        repositoryRetentionDays: positiveInteger(env.GITHUB_RETENTION_DAYS),
        retry: options.retry
    }, logger);
}
/** A positive whole number from the environment, or undefined (as the artifact client reads GITHUB_RETENTION_DAYS, but stricter). */
function positiveInteger(value) {
    return value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}


/***/ })

};

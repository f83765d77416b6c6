export const id = 825;
export const ids = [825,783,147,211];
export const modules = {

/***/ 9825:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseBackupInputs: () => (/* binding */ parseBackupInputs)
});

// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/encryption.ts
var encryption = __webpack_require__(9396);
// EXTERNAL MODULE: ./src/pipeline/incremental.ts
var incremental = __webpack_require__(878);
;// CONCATENATED MODULE: ./src/inputs/incremental.ts

function parseIncrementalInputs(reader) {
    return {
        enabled: reader.boolean('incremental'),
        fullEveryDays: reader.integer('full-every', { min: 1, max: 365 }) ?? incremental/* DEFAULT_FULL_EVERY_DAYS */.Cu
    };
}

// EXTERNAL MODULE: ./src/kernel/input-reader.ts
var input_reader = __webpack_require__(473);
// EXTERNAL MODULE: ./src/inputs/signing.ts
var inputs_signing = __webpack_require__(5126);
// EXTERNAL MODULE: ./src/inputs/target.ts + 2 modules
var inputs_target = __webpack_require__(3211);
// EXTERNAL MODULE: ./src/pipeline/chunk-writer.ts + 1 modules
var chunk_writer = __webpack_require__(8602);
;// CONCATENATED MODULE: ./src/inputs/verification.ts

const AGE_UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
function parseVerificationInputs(reader) {
    const mode = reader.choice('mode', ['backup', 'check', 'prune']);
    const maxAgeText = reader.string('max-age');
    let maxAgeSeconds;
    if (maxAgeText) {
        const match = /^(\d+)\s*([smhdw]?)$/.exec(maxAgeText);
        if (!match || Number(match[1]) <= 0)
            throw new errors/* InputError */.dz('max-age', `"${maxAgeText}" is not a duration.`, 'write a number with a unit: 90m, 26h, 7d (s, m, h, d, w).');
        maxAgeSeconds = Number(match[1]) * AGE_UNITS[match[2] || 's'];
    }
    if (mode === 'check' && maxAgeSeconds === undefined)
        throw new errors/* InputError */.dz('max-age', 'is required with mode: check.', 'e.g. max-age: 26h for a nightly backup.');
    return {
        mode,
        verify: reader.choice('verify', ['drill', 'checksum']),
        shrinkThreshold: reader.integer('shrink-threshold', { min: 1, max: 100 }) ?? 50,
        failOnShrink: reader.boolean('fail-on-shrink'),
        maxAgeSeconds
    };
}

// EXTERNAL MODULE: ./src/pipeline/retention.ts
var retention = __webpack_require__(892);
;// CONCATENATED MODULE: ./src/inputs/retention.ts


/** At most this many periods per rule: 100 years of days, far beyond any store's life. */
const MOST = 36_500;
/** storage-budget and on-budget: only the artifact store has a quota to check against. */
function parseBudgetInputs(reader, store) {
    const bytes = reader.byteSize('storage-budget', { min: 1024, max: 1024 ** 4 });
    const onExceed = reader.choice('on-budget', ['fail', 'warn']);
    if (bytes === undefined)
        return undefined;
    if (store !== 'github')
        throw new errors/* InputError */.dz('storage-budget', `applies to store: github (the Actions storage quota), not store: ${store}.`, 'leave storage-budget empty for this store.');
    return { bytes, onExceed };
}
/** keep-last, keep-daily, keep-weekly, keep-monthly, keep-yearly and dry-run; `prune` says retention is the whole job. */
function parseRetentionInputs(reader, prune) {
    const policy = Object.fromEntries(retention/* RETENTION_RULES */.hO.map(rule => [rule, reader.integer(`keep-${rule}`, { min: 0, max: MOST }) ?? 0]));
    if (prune && !(0,retention/* hasRetention */.D2)(policy)) {
        throw new errors/* InputError */.dz('mode', 'is prune, but no keep-* input is set: that would keep nothing.', 'set at least one of keep-last, keep-daily, keep-weekly, keep-monthly, keep-yearly, e.g. keep-daily: 7.');
    }
    return { policy, dryRun: reader.boolean('dry-run') };
}

;// CONCATENATED MODULE: ./src/inputs/backup.ts









/** All backup inputs, validated before any connection is made. */
function parseBackupInputs(get) {
    const reader = new input_reader.InputReader(get);
    const verification = parseVerificationInputs(reader);
    const target = (0,inputs_target.parseTargetInputs)(reader, 'backup', { identityOnly: verification.mode !== 'backup' });
    const retention = parseRetentionInputs(reader, verification.mode === 'prune');
    const budget = parseBudgetInputs(reader, target.store.kind);
    const recipients = (0,encryption/* parseRecipients */.q)(reader.string('encrypt-to', { multiline: true }));
    if (recipients.length === 0 && reader.boolean('require-encryption') && verification.mode === 'backup') {
        throw new errors/* InputError */.dz('encrypt-to', 'is empty, and require-encryption is true.', 'generate a key pair with age-keygen, put the age1… recipient in encrypt-to and keep the identity as a secret for restores.');
    }
    const signing = (0,inputs_signing.parseSigningInputs)(reader, target.transport.kind, verification.mode === 'backup' ? 'sign' : 'verify');
    const chunkSize = reader.byteSize('chunk-size', chunk_writer/* CHUNK_SIZE_RANGE */.sX) ?? chunk_writer/* DEFAULT_CHUNK_SIZE */.WI;
    return {
        ...target,
        recipients,
        verification,
        incremental: parseIncrementalInputs(reader),
        allowUnencryptedSecrets: reader.boolean('allow-unencrypted-secrets'),
        signing,
        chunkSize,
        retention,
        budget,
        coverage: reader.string('coverage') === '' ? 'report' : reader.choice('coverage', ['report', 'strict'])
    };
}


/***/ }),

/***/ 5126:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseSigningInputs: () => (/* binding */ parseSigningInputs)
/* harmony export */ });
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2386);
/* harmony import */ var _kernel_manifest_signature_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9887);


const KEY_HINT = 'make a signing key once with `ssh-keygen -t ed25519 -N "" -f selfhost-backup-signing`, store the private key as a secret and pass it as signing-key to the backup and the restore (README: "Signed manifests").';
/**
 * The signing key is the SSH key both workflows already hold, unless `signing-key` names another one;
 * with transport: local there is no SSH key, so signing-key is required wherever a manifest is written.
 */
function parseSigningInputs(reader, transportKind, need) {
    const trustedSigners = (0,_kernel_manifest_signature_js__WEBPACK_IMPORTED_MODULE_1__/* .parseTrustedSigners */ .m3)(reader.string('trusted-signers', { multiline: true }));
    const signingKey = reader.string('signing-key', { multiline: true });
    if (signingKey && (0,_kernel_manifest_signature_js__WEBPACK_IMPORTED_MODULE_1__/* .normalizePublicKey */ .U1)(signingKey.split('\n')[0])) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('signing-key', 'this is a public key; the private key is needed.', 'pass the private key file; its public key goes into trusted-signers where only verification is needed.');
    }
    if (signingKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(signingKey)) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('signing-key', 'this does not look like a private key (no "-----BEGIN … PRIVATE KEY-----" line).', KEY_HINT);
    }
    const sshKey = transportKind === 'ssh' ? reader.string('ssh-key', { multiline: true }) : '';
    const privateKey = signingKey || sshKey;
    const privateKeyInput = signingKey ? 'signing-key' : sshKey ? 'ssh-key' : '';
    if (need === 'sign' && !privateKey) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('signing-key', `is required with transport: ${transportKind}: every manifest this run writes is signed, and there is no SSH key to sign with.`, KEY_HINT);
    }
    if (need === 'verify' && !privateKey && trustedSigners.length === 0) {
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('trusted-signers', 'is empty and no private key (ssh-key or signing-key) was given, so no manifest could be verified.', 'pass the public key of the key your backups are signed with as trusted-signers (it is not a secret), or the signing key itself as signing-key.');
    }
    return { privateKey, privateKeyInput, trustedSigners };
}


/***/ }),

/***/ 5783:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseStoreInputs: () => (/* binding */ parseStoreInputs)
});

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
;// CONCATENATED MODULE: ./src/inputs/store-s3.ts

/** S3's bucket rule (3-63 characters; lowercase letters, digits, dots, hyphens; a letter or digit at both ends), which every compatible service follows. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Plain path segments only: a prefix never climbs, never starts at "/", never doubles a slash. */
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;
const REGION = /^[a-z0-9-]{1,40}$/;
const STORAGE_CLASS = /^[A-Z_]{1,40}$/;
/** Object Lock retention in days: S3 takes up to 100 years. */
const LOCK_DAYS = { min: 1, max: 36_500 };
/** The s3-* inputs; `action` decides whether Object Lock (a backup's writes) is read at all. */
function parseS3Inputs(reader, action, env) {
    const bucket = reader.required('s3-bucket', 'with store: s3');
    if (!BUCKET.test(bucket))
        throw new errors/* InputError */.dz('s3-bucket', `"${bucket}" is not a bucket name.`, 'use the bucket name only (3-63 lowercase letters, digits, dots and hyphens), no s3:// and no path.');
    const settings = {
        bucket,
        prefix: parsePrefix(reader.string('s3-prefix')),
        endpoint: parseEndpoint(reader.string('s3-endpoint')),
        region: parseRegion(reader.string('s3-region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
        forcePathStyle: reader.boolean('s3-force-path-style'),
        storageClass: parseStorageClass(reader.string('s3-storage-class')),
        credentials: parseCredentials(reader)
    };
    if (action === 'backup') {
        const days = reader.integer('s3-object-lock-days', LOCK_DAYS);
        const mode = reader.choice('s3-object-lock-mode', ['governance', 'compliance']);
        if (days !== undefined)
            settings.objectLock = { days, mode: mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE' };
    }
    return settings;
}
function parsePrefix(raw) {
    if (raw === '')
        return '';
    const segments = raw.replace(/\/$/, '').split('/');
    if (raw.startsWith('/') || raw.length > 512 || segments.some(segment => !PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..')) {
        throw new errors/* InputError */.dz('s3-prefix', `"${raw}" is not a usable key prefix.`, 'use path segments of letters, digits, ".", "_" and "-" separated by single slashes, e.g. backups/tabby/ (no leading slash, no "..").');
    }
    return `${segments.join('/')}/`;
}
function parseEndpoint(raw) {
    if (raw === '')
        return undefined;
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        throw new errors/* InputError */.dz('s3-endpoint', 'is not a URL.', 'write the service URL, e.g. https://<account>.r2.cloudflarestorage.com or https://s3.eu-central-003.backblazeb2.com; empty for AWS.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new errors/* InputError */.dz('s3-endpoint', `uses ${url.protocol} instead of https:.`, 'write an https:// URL.');
    // Credentials belong in their inputs (as secrets), not in a URL that is printed in logs.
    if (url.username || url.password)
        throw new errors/* InputError */.dz('s3-endpoint', 'holds a user name or password.', 'remove them from the URL; set s3-access-key-id and s3-secret-access-key instead.');
    if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
        throw new errors/* InputError */.dz('s3-endpoint', 'has a path, query or fragment.', 'write only the scheme, host and port; the bucket goes in s3-bucket, a folder in s3-prefix.');
    return url.origin;
}
function parseRegion(raw) {
    if (!REGION.test(raw))
        throw new errors/* InputError */.dz('s3-region', `"${raw}" is not a region name.`, 'use the region id, e.g. eu-central-1 (R2: auto).');
    return raw;
}
function parseStorageClass(raw) {
    if (raw === '')
        return undefined;
    if (!STORAGE_CLASS.test(raw))
        throw new errors/* InputError */.dz('s3-storage-class', `"${raw}" is not a storage class.`, 'use the S3 name in capitals, e.g. STANDARD_IA; empty: the bucket default.');
    return raw;
}
function parseCredentials(reader) {
    const accessKeyId = reader.string('s3-access-key-id');
    const secretAccessKey = reader.string('s3-secret-access-key');
    if (!accessKeyId && !secretAccessKey)
        return undefined;
    // Neither value is echoed: the key id identifies an account, the secret is a secret.
    if (!accessKeyId)
        throw new errors/* InputError */.dz('s3-access-key-id', 'is empty, but s3-secret-access-key is set.', 'set both, or neither to use the AWS_* variables.');
    if (!secretAccessKey)
        throw new errors/* InputError */.dz('s3-secret-access-key', 'is empty, but s3-access-key-id is set.', 'set both, or neither to use the AWS_* variables.');
    // It goes into the Authorization header only: printable ASCII, no spaces (every provider's ids are).
    if (!/^[\x21-\x7e]{3,128}$/.test(accessKeyId))
        throw new errors/* InputError */.dz('s3-access-key-id', 'is not a key id (3-128 printable characters, no spaces).', 'paste the key id alone.');
    return { accessKeyId, secretAccessKey };
}

;// CONCATENATED MODULE: ./src/inputs/store.ts




function parseStoreInputs(reader, action, env = process.env) {
    const kind = reader.choice('store', ['github', 'local', 's3']);
    if (kind === 's3')
        return { kind, ...parseS3Inputs(reader, action, env) };
    const storePath = reader.string('store-path');
    if (kind === 'local') {
        const path = storePath || reader.required('store-path', 'with store: local');
        return { kind, path: (0,external_node_path_.resolve)(path.replace(/^~(?=$|\/)/, (0,external_node_os_.homedir)())) };
    }
    if (action === 'backup')
        return { kind, retentionDays: reader.integer('retention-days', { min: 1, max: 400 }), token: reader.string('github-token') || undefined };
    const runId = reader.integer('run-id', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const token = reader.string('github-token') || undefined;
    if (runId && !token)
        throw new errors/* InputError */.dz('github-token', "is required with run-id (reading another run's artifacts).", 'pass a token with `actions: read`; the default `${{ github.token }}` works with `permissions: actions: read`.');
    return { kind, runId, token };
}


/***/ }),

/***/ 3211:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseTargetInputs: () => (/* binding */ parseTargetInputs)
});

// EXTERNAL MODULE: ./src/recipes/registry.ts + 12 modules
var registry = __webpack_require__(8465);
// EXTERNAL MODULE: ./src/inputs/store.ts + 1 modules
var inputs_store = __webpack_require__(5783);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/transport/ssh-args.ts
var ssh_args = __webpack_require__(2669);
;// CONCATENATED MODULE: ./src/inputs/transport.ts


/** Host names, IPv4 and bracket-less IPv6: nothing a shell or ssh_config would interpret. */
const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^[0-9A-Fa-f:.]{2,45}$/;
const USER_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** `identityOnly`: the host is only named (mode: check finds its backups), never connected to. */
function parseTransportInputs(reader, options = {}) {
    const kind = reader.choice('transport', ['ssh', 'local']);
    const sudo = reader.boolean('sudo');
    if (kind === 'local')
        return { kind, sudo };
    const host = reader.required('host', 'with transport: ssh');
    if (!HOST_PATTERN.test(host))
        throw new errors/* InputError */.dz('host', `"${host}" is not a host name or IP address.`, 'use a name like backup.example.com or an address like 192.0.2.10 (no user@, no port: use `user` and `port`).');
    const port = reader.integer('port', { min: 1, max: 65535 }) ?? 22;
    if (options.identityOnly)
        return { kind, sudo, target: { host, port, user: reader.string('user') || 'unused' }, privateKey: '', knownHosts: '', insecureSkipHostKeyCheck: false };
    const user = reader.required('user', 'with transport: ssh');
    if (!USER_PATTERN.test(user))
        throw new errors/* InputError */.dz('user', `"${user}" is not a valid login name.`, 'use the plain user name, e.g. deploy.');
    const privateKey = reader.required('ssh-key', 'with transport: ssh (the private key content, from a secret)');
    if (/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/.test(privateKey)) {
        throw new errors/* InputError */.dz('ssh-key', 'this is a public key; the private key is needed.', 'store the content of the private key file (e.g. ~/.ssh/backup_key, not backup_key.pub) as the secret.');
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
        throw new errors/* InputError */.dz('ssh-key', 'this does not look like a private key (no "-----BEGIN … PRIVATE KEY-----" line).', 'store the whole private key file as the secret.');
    }
    const insecureSkipHostKeyCheck = reader.boolean('insecure-skip-host-key-check');
    const knownHosts = reader.string('known-hosts', { multiline: true });
    if (!knownHosts && !insecureSkipHostKeyCheck) {
        throw new errors/* InputError */.dz('known-hosts', "is required so the host's identity can be verified.", `run \`ssh-keyscan -p ${port} ${host}\` from a trusted network, compare the fingerprint with the server's, and pass the lines (e.g. from a secret or variable).`);
    }
    const jumpText = reader.string('jump-host');
    let jump;
    if (jumpText) {
        jump = (0,ssh_args/* parseEndpoint */.Bk)(jumpText, { user, port: 22 });
        if (!HOST_PATTERN.test(jump.host) || !USER_PATTERN.test(jump.user) || !(jump.port >= 1 && jump.port <= 65535)) {
            throw new errors/* InputError */.dz('jump-host', `"${jumpText}" is not [user@]host[:port].`, 'e.g. jump@bastion.example.com:2222.');
        }
    }
    return { kind, sudo, target: { host, port, user }, jump, privateKey, knownHosts, insecureSkipHostKeyCheck };
}

;// CONCATENATED MODULE: ./src/inputs/recipe.ts

/** The raw values of every recipe's inputs; each recipe parses (and validates) its own. */
function readRecipeInputs(reader) {
    const names = new Set(registry.RECIPES.flatMap(recipe => recipe.inputs));
    return Object.fromEntries([...names].map(name => [name, reader.string(name, { multiline: true })]));
}

;// CONCATENATED MODULE: ./src/inputs/target.ts




function parseTargetInputs(reader, action, options = {}) {
    const app = reader.choice('app', registry.APP_CHOICES);
    const transport = parseTransportInputs(reader, options);
    const store = (0,inputs_store.parseStoreInputs)(reader, action);
    // Every recipe that may run has its options checked now, before anything connects.
    const recipes = (0,registry.chooseRecipes)(app, readRecipeInputs(reader));
    const lockTimeoutSeconds = reader.integer('lock-timeout', { min: 1, max: 86_400 }) ?? 600;
    return { app, transport, store, recipes, lockTimeoutSeconds };
}


/***/ }),

/***/ 878:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cu: () => (/* binding */ DEFAULT_FULL_EVERY_DAYS),
/* harmony export */   Wt: () => (/* binding */ planIncremental)
/* harmony export */ });
/* unused harmony export stateDirFor */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _host_places_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6283);
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(151);
/* harmony import */ var _verification_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7147);




const DEFAULT_FULL_EVERY_DAYS = 7;
const DAY_MS = 86_400_000;
/** Host directory for the snapshot files, beside the data directory like the lock: written by whoever writes the data. */
function stateDirFor(dataRoot) {
    return (0,_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .besideDataRoot */ .rQ)(dataRoot, 'state-');
}
const snapshotFile = (stateDir, part, backupId) => node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(stateDir, `${part}.${backupId}.snar`);
/**
 * Decides between a full and an incremental backup. An incremental builds on the newest complete backup
 * of this app and host only when every backup of its chain is still in the store, the full one is younger
 * than full-every, the options are the same, and the host still has the parent's snapshot files; anything
 * else gives a full backup, so a chain never depends on something that is gone.
 */
async function planIncremental(host, store, target, settings, reading, logger) {
    // tar writes the snapshot files as root: never in a directory the application's user could plant a link in.
    const beside = {
        path: stateDirFor(target.dataRoot),
        name: 'the incremental state directory',
        kind: 'directory',
        fix: `run with sudo: true, so that root keeps it in ${_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .ROOT_PLACE */ .Tj}; or let only root and the user that runs the backup write ${node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(target.dataRoot)}`
    };
    const chosen = await (0,_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .chooseSafePlace */ .yw)(host, beside, node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .ROOT_PLACE */ .Tj, 'state', node_path__WEBPACK_IMPORTED_MODULE_0__.posix.basename(beside.path)));
    if (chosen.movedBecause)
        logger.info(`The incremental state lives in ${chosen.path}: ${chosen.movedBecause}`);
    const stateDir = chosen.path;
    const decision = await chooseParent(host, store, target, settings, stateDir, reading);
    // Snapshot files of other backups (older links, failed attempts) are not needed any more.
    const keep = decision.parent ? `*${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(`.${decision.parent.backupId}.snar`)}) ;; ` : '';
    await host
        .run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .script */ .K$)(...(0,_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .refuseUnsafePlace */ .c4)({ ...beside, path: stateDir }), `mkdir -p -m 700 -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(stateDir)}`, `cd -- ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(stateDir)}`, `for file in *.snar; do [ -e "$file" ] || continue; case "$file" in ${keep}*) rm -f -- "$file" ;; esac; done`), { description: 'Preparing the incremental state directory' })
        .catch((error) => {
        throw (0,_host_places_js__WEBPACK_IMPORTED_MODULE_1__/* .unsafePlaceError */ .Wy)(error) ?? error;
    });
    const parent = decision.parent;
    const chain = parent ? [...(parent.incremental?.chain ?? []), parent.backupId] : [];
    const level = chain.length;
    logger.info(parent ? `Incremental backup, level ${level}, on top of ${parent.backupId}` : `Full backup (start of an incremental chain): ${decision.reason}`);
    return {
        level,
        chain,
        baseStartedAt: parent?.incremental?.baseStartedAt ?? target.startedAt.toISOString(),
        fullEveryDays: settings.fullEveryDays,
        reason: decision.reason,
        stateDir,
        snapshotFor: part => ({ level, next: snapshotFile(stateDir, part, target.backupId), ...(parent ? { previous: snapshotFile(stateDir, part, parent.backupId) } : {}) })
    };
}
async function chooseParent(host, store, target, settings, stateDir, reading) {
    const listed = await store.list({ app: target.app, hostId: target.hostId });
    const newest = listed[0];
    if (!newest)
        return { reason: 'no earlier backup of this app and host' };
    let previous;
    try {
        previous = await (0,_verification_js__WEBPACK_IMPORTED_MODULE_2__.fetchManifest)(store, newest, reading);
    }
    catch (error) {
        // Never build on a manifest that does not verify: a full backup depends on nothing stored.
        return { reason: `${newest.backupId} could not be used as a parent (${error.message.split('\n')[0]})` };
    }
    if (!previous.incremental)
        return { reason: `${previous.backupId} was not taken with incremental: true` };
    const ageDays = (target.startedAt.getTime() - Date.parse(previous.incremental.baseStartedAt)) / DAY_MS;
    if (!(ageDays < settings.fullEveryDays))
        return { reason: `the chain's full backup is ${ageDays.toFixed(1)} days old (full-every: ${settings.fullEveryDays})` };
    const missing = previous.incremental.chain.filter(id => !listed.some(backup => backup.backupId === id));
    if (missing.length > 0)
        return { reason: `${missing.join(', ')} of the chain is no longer in the store` };
    if (JSON.stringify(previous.options) !== JSON.stringify(target.options))
        return { reason: 'the recipe options changed since the previous backup' };
    const snapshots = previous.parts.filter(part => part.incremental).map(part => snapshotFile(stateDir, part.name, previous.backupId));
    const result = await host.run((0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .script */ .K$)(...snapshots.map(path => `[ -s ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_3__/* .quote */ .hD)(path)} ] || echo missing`)), { description: 'Looking for the previous snapshot files' });
    if (result.stdout.includes('missing'))
        return { reason: `the host has no snapshot files of ${previous.backupId} (in ${stateDir})` };
    return { parent: previous, reason: '' };
}


/***/ }),

/***/ 892:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D2: () => (/* binding */ hasRetention),
/* harmony export */   hO: () => (/* binding */ RETENTION_RULES),
/* harmony export */   pe: () => (/* binding */ decideRetention)
/* harmony export */ });
const RETENTION_RULES = ['last', 'daily', 'weekly', 'monthly', 'yearly'];
/** True when the policy keeps anything at all: an all-zero policy is "no retention", never "delete everything". */
function hasRetention(policy) {
    return RETENTION_RULES.some(rule => policy[rule] > 0);
}
const pad = (value) => String(value).padStart(2, '0');
/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(date) {
    const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
    const weekday = day.getUTCDay() || 7;
    day.setUTCDate(day.getUTCDate() + 4 - weekday);
    const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
    const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
    return `${day.getUTCFullYear()}-W${pad(week)}`;
}
const PERIOD = {
    daily: date => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
    weekly: isoWeek,
    monthly: date => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}`,
    yearly: date => String(date.getUTCFullYear())
};
/** Applies `policy` to `candidates` (any order; sorted newest first here, ties by id). */
function decideRetention(candidates, policy) {
    const newestFirst = [...candidates].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.backupId < b.backupId ? 1 : -1));
    const reasons = new Map();
    const keep = (backupId, reason) => {
        reasons.set(backupId, [...(reasons.get(backupId) ?? []), reason]);
    };
    newestFirst.slice(0, policy.last).forEach((candidate, index) => keep(candidate.backupId, `last ${index + 1}`));
    for (const rule of ['daily', 'weekly', 'monthly', 'yearly']) {
        let left = policy[rule];
        let previous;
        for (const candidate of newestFirst) {
            if (left <= 0)
                break;
            const period = PERIOD[rule](candidate.takenAt);
            if (period === previous)
                continue;
            previous = period;
            left--;
            keep(candidate.backupId, `${rule} ${period}`);
        }
    }
    return {
        kept: newestFirst.filter(candidate => reasons.has(candidate.backupId)).map(candidate => ({ backupId: candidate.backupId, reasons: reasons.get(candidate.backupId) })),
        forgotten: newestFirst.filter(candidate => !reasons.has(candidate.backupId)).map(candidate => candidate.backupId)
    };
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

/***/ 2669:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $1: () => (/* binding */ buildSshConfig),
/* harmony export */   Bk: () => (/* binding */ parseEndpoint),
/* harmony export */   DC: () => (/* binding */ controlArgs),
/* harmony export */   P1: () => (/* binding */ remoteCommandArgs),
/* harmony export */   ws: () => (/* binding */ masterArgs)
/* harmony export */ });
/* unused harmony export TARGET_ALIAS */
/* harmony import */ var _kernel_shell_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(151);

const TARGET_ALIAS = 'selfhost-backup-target';
const JUMP_ALIAS = 'selfhost-backup-jump';
/**
 * The ssh client configuration as a file, so the jump host gets the same key, known_hosts and strict
 * checking as the target (command-line -o options are not passed on to ProxyJump's inner ssh).
 * Host, user and port were validated to a safe character set when the inputs were parsed.
 */
function buildSshConfig(settings, files) {
    const common = [
        `IdentityFile "${files.keyFile}"`,
        'IdentitiesOnly yes',
        'IdentityAgent none',
        'BatchMode yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'ConnectTimeout 20',
        'ServerAliveInterval 15',
        'ServerAliveCountMax 4',
        // Backups move GBs through one connection: AES-GCM runs on the CPU's AES instructions, several times
        // cheaper than the default chacha20 there; the rest of OpenSSH's default list stays as the fallback.
        'Ciphers ^aes128-gcm@openssh.com,aes256-gcm@openssh.com',
        'Compression no',
        'LogLevel ERROR',
        ...(settings.insecureSkipHostKeyCheck ? ['StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null'] : ['StrictHostKeyChecking yes', `UserKnownHostsFile "${files.knownHostsFile}"`]),
        'GlobalKnownHostsFile /dev/null',
        'UpdateHostKeys no',
        'ForwardAgent no',
        'ClearAllForwardings yes'
    ];
    const block = (alias, endpoint, extra) => [
        `Host ${alias}`,
        `  HostName ${endpoint.host}`,
        `  Port ${endpoint.port}`,
        `  User ${endpoint.user}`,
        ...[...extra, ...common].map(line => `  ${line}`)
    ];
    const targetExtra = ['ControlMaster no', `ControlPath "${files.controlPath}"`, ...(settings.jump ? [`ProxyJump ${JUMP_ALIAS}`] : [])];
    const lines = [...block(TARGET_ALIAS, settings.target, targetExtra)];
    if (settings.jump)
        lines.push(...block(JUMP_ALIAS, settings.jump, []));
    return `${lines.join('\n')}\n`;
}
/** The long-lived master connection every later command multiplexes over. */
function masterArgs(configFile) {
    return ['-F', configFile, '-o', 'ControlMaster=yes', '-N', TARGET_ALIAS];
}
function controlArgs(configFile, operation) {
    return ['-F', configFile, '-O', operation, TARGET_ALIAS];
}
/**
 * argv for one remote command. ssh hands the command to the remote login shell as one string, so the
 * script is quoted once here and runs under bash (pipefail) — through `sudo -n` when asked.
 */
function remoteCommandArgs(configFile, script, sudo) {
    const remote = `${sudo ? 'sudo -n -- ' : ''}bash -c ${(0,_kernel_shell_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(script)}`;
    return ['-F', configFile, '-T', TARGET_ALIAS, remote];
}
/** "[user@]host[:port]" → endpoint; validated by the input parser before it gets here. */
function parseEndpoint(value, defaults) {
    let rest = value;
    let user = defaults.user;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
        user = rest.slice(0, at);
        rest = rest.slice(at + 1);
    }
    let port = defaults.port;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    if (bracketed) {
        rest = bracketed[1];
        if (bracketed[2])
            port = Number(bracketed[2]);
    }
    else if (/^[^:]+:\d+$/.test(rest)) {
        const colon = rest.lastIndexOf(':');
        port = Number(rest.slice(colon + 1));
        rest = rest.slice(0, colon);
    }
    return { host: rest, port, user };
}


/***/ })

};

export const id = 467;
export const ids = [467,783,126,211];
export const modules = {

/***/ 3467:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseRestoreInputs: () => (/* binding */ parseRestoreInputs)
/* harmony export */ });
/* harmony import */ var _kernel_encryption_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9396);
/* harmony import */ var _kernel_input_reader_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(473);
/* harmony import */ var _signing_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5126);
/* harmony import */ var _target_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3211);




/** All restore inputs, validated before anything is downloaded or any connection is made. */
function parseRestoreInputs(get) {
    const reader = new _kernel_input_reader_js__WEBPACK_IMPORTED_MODULE_1__.InputReader(get);
    const target = (0,_target_js__WEBPACK_IMPORTED_MODULE_3__.parseTargetInputs)(reader, 'restore');
    const safetyCopyDir = reader.absolutePath('safety-copy-dir', 'give a full path on the host, e.g. /var/backups/safety, or leave it empty.');
    const dryRun = reader.boolean('dry-run');
    const safetyCopy = reader.boolean('safety-copy');
    // The safety copy is a backup of its own, signed so that it can be restored with the same checks.
    const signing = (0,_signing_js__WEBPACK_IMPORTED_MODULE_2__.parseSigningInputs)(reader, target.transport.kind, safetyCopy && !dryRun ? 'sign' : 'verify');
    return {
        ...target,
        backupId: reader.string('backup-id', { maxLength: 200 }),
        dryRun,
        stopCommand: reader.string('stop-command', { multiline: true }),
        startCommand: reader.string('start-command', { multiline: true }),
        safetyCopy,
        safetyCopyDir,
        parts: reader
            .string('parts', { multiline: true })
            .split(/[\s,]+/)
            .filter(Boolean),
        identities: (0,_kernel_encryption_js__WEBPACK_IMPORTED_MODULE_0__/* .parseIdentities */ .go)(reader.string('age-identity', { multiline: true })),
        signing,
        allowVersionMismatch: reader.boolean('allow-version-mismatch')
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

/***/ 4451:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q: () => (/* binding */ childEnvironment)
/* harmony export */ });
/**
 * The runner passes inputs (secrets included) as INPUT_* variables, and the CLI takes secrets as
 * SELFHOST_BACKUP_* variables; no child process needs them, nor the runtime's tokens.
 */
function childEnvironment(source = process.env) {
    return Object.fromEntries(Object.entries(source).filter(([name]) => !name.startsWith('INPUT_') && !name.startsWith('SELFHOST_BACKUP_') && !['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'GITHUB_TOKEN'].includes(name)));
}


/***/ }),

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

/***/ 9887:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Od: () => (/* binding */ verifySignature),
/* harmony export */   U1: () => (/* binding */ normalizePublicKey),
/* harmony export */   m3: () => (/* binding */ parseTrustedSigners),
/* harmony export */   rO: () => (/* binding */ createSigner)
/* harmony export */ });
/* unused harmony exports SIGNATURE_NAMESPACE, keyFingerprint */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _child_environment_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4451);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(2386);







/**
 * Manifests are signed with an OpenSSH key (`ssh-keygen -Y sign`) under a namespace of ours, so a
 * signature made for something else (a git commit, another tool) with the same key never verifies
 * as a manifest. The key is one the workflows already hold (the SSH key, or `signing-key`): the
 * attacker of the threat model can upload artifacts but has none of the repository's secrets.
 */
const SIGNATURE_NAMESPACE = 'selfhost-backup-manifest@v1';
/** The principal in the allowed-signers file; any fixed name works, the keys decide. */
const PRINCIPAL = 'selfhost-backup';
const KEY_TYPES = '(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com)';
const PUBLIC_KEY = new RegExp(`^(${KEY_TYPES}) (AAAA[A-Za-z0-9+/]+={0,3})(?: .*)?$`);
const ARMORED = /^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+\n-----END SSH SIGNATURE-----\n?$/;
/** "type base64" without the comment, or null when the text is not one OpenSSH public key. */
function normalizePublicKey(line) {
    const match = PUBLIC_KEY.exec(line.trim());
    return match ? `${match[1]} ${match[2]}` : null;
}
/** The fingerprint ssh-keygen -l prints (SHA256:…), computed here so a hostile key never reaches a command. */
function keyFingerprint(publicKey) {
    const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
    return `SHA256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
/** The `trusted-signers` input: one public key per line (as in a .pub file); blank lines and # comments ignored. */
function parseTrustedSigners(text, input = 'trusted-signers') {
    const keys = [];
    for (const line of text.split(/\r?\n/).map(candidate => candidate.trim())) {
        if (!line || line.startsWith('#'))
            continue;
        const key = normalizePublicKey(line);
        if (!key) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(input, `"${line.slice(0, 40)}${line.length > 40 ? '…' : ''}" is not an OpenSSH public key.`, 'give one public key per line as in a .pub file, e.g. ssh-ed25519 AAAAC3Nz… old-backup-key.');
        }
        keys.push(key);
    }
    return keys;
}
/** Runs ssh-keygen with `input` on stdin; only key and signature paths (never key material) are in its argv. */
function sshKeygen(args, input) {
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_4__.spawn)('ssh-keygen', args, { stdio: ['pipe', 'pipe', 'pipe'], env: (0,_child_environment_js__WEBPACK_IMPORTED_MODULE_6__/* .childEnvironment */ .Q)() });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
        child.stdin.on('error', () => undefined);
        child.once('error', reject);
        child.once('close', code => resolve({ exitCode: code ?? 1, stdout, stderr }));
        child.stdin.end(input);
    });
}
/** A private 0700 directory for one ssh-keygen call; the key inside is removed with it. */
async function withScratch(work) {
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(process.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir)(), 'sb-sign-'));
    try {
        return await work(dir);
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(dir, { recursive: true, force: true });
    }
}
async function writePrivateKey(dir, privateKey) {
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, 'key');
    // ssh-keygen refuses a key file without its final newline; secrets often lose it on the way.
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(path, privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    return path;
}
/**
 * Checks the private key and derives its public key. `-P ''` makes an encrypted key fail instead of
 * prompting for a passphrase on a terminal that does not exist in a workflow.
 */
async function createSigner(privateKey, input) {
    const publicKey = await withScratch(async (dir) => {
        const keyFile = await writePrivateKey(dir, privateKey);
        const result = await sshKeygen(['-y', '-P', '', '-f', keyFile], '');
        const key = normalizePublicKey(result.stdout);
        if (result.exitCode !== 0 || !key) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(input, 'is not an unencrypted OpenSSH private key that ssh-keygen can read.', 'use a key without a passphrase, e.g. made with `ssh-keygen -t ed25519 -N "" -f selfhost-backup-signing`, and pass the whole private key file.');
        }
        return key;
    });
    return {
        publicKey,
        sign: text => withScratch(async (dir) => {
            const keyFile = await writePrivateKey(dir, privateKey);
            const result = await sshKeygen(['-Y', 'sign', '-q', '-f', keyFile, '-n', SIGNATURE_NAMESPACE], text);
            if (result.exitCode !== 0)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .VerificationError */ .mk(`Signing the manifest with ssh-keygen failed (exit code ${result.exitCode}): ${result.stderr.trim()}`, 'check that ssh-keygen (OpenSSH 8.1 or later) is installed on the runner.');
            return { format: 'sshsig', namespace: SIGNATURE_NAMESPACE, publicKey, armored: result.stdout };
        })
    };
}
/**
 * Proves `text` was signed by one of the trusted keys under our namespace, or throws one error that
 * says which of the three things is wrong: no signature, a key we do not trust, or altered content.
 */
async function verifySignature(text, signature, trust, what) {
    const hint = 'restore a backup this repository\'s backup job made; if this one is yours, see the README\'s "Signed manifests" section.';
    if (signature === undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .VerificationError */ .mk(`${what} is not signed, so nothing proves the backup action made it; it was refused and nothing on the host was changed.`, `${hint} Backups made before signing existed (selfhost-backup 0.1) restore only with that version.`);
    }
    const candidate = signature;
    const publicKey = typeof candidate.publicKey === 'string' ? normalizePublicKey(candidate.publicKey) : null;
    if (candidate.format !== 'sshsig' || candidate.namespace !== SIGNATURE_NAMESPACE || !publicKey || typeof candidate.armored !== 'string' || !ARMORED.test(candidate.armored)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .VerificationError */ .mk(`${what} carries a signature that is not one of ours (wrong format or namespace); it was refused and nothing on the host was changed.`, hint);
    }
    if (!trust.publicKeys.includes(publicKey)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .VerificationError */ .mk(`${what} is signed by the key ${keyFingerprint(publicKey)}, which is not trusted here (trusted: ${trust.publicKeys.map(keyFingerprint).join(', ') || 'none'}); it was refused and nothing on the host was changed.`, "if that key is yours (a key used before a rotation, or another machine's signing key), add its public key to trusted-signers; otherwise this backup was not made by your backup job.");
    }
    const good = await withScratch(async (dir) => {
        const allowed = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, 'allowed_signers');
        const signatureFile = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, 'manifest.sig');
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(allowed, `${PRINCIPAL} namespaces="${SIGNATURE_NAMESPACE}" ${publicKey}\n`, { mode: 0o600 });
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(signatureFile, candidate.armored, { mode: 0o600 });
        const result = await sshKeygen(['-Y', 'verify', '-f', allowed, '-I', PRINCIPAL, '-n', SIGNATURE_NAMESPACE, '-s', signatureFile], text);
        return result.exitCode === 0;
    });
    if (!good) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .VerificationError */ .mk(`${what} was altered after it was signed (its signature by ${keyFingerprint(publicKey)} does not match its content); it was refused and nothing on the host was changed.`, hint);
    }
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

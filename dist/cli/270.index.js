export const id = 270;
export const ids = [270];
export const modules = {

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

/***/ 3270:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  WI: () => (/* binding */ readManifest),
  VN: () => (/* binding */ signedManifestText),
  HN: () => (/* binding */ writeManifest)
});

// UNUSED EXPORTS: validateManifest

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/manifest-signature.ts
var manifest_signature = __webpack_require__(9887);
// EXTERNAL MODULE: ./src/kernel/app-version.ts
var app_version = __webpack_require__(7875);
// EXTERNAL MODULE: ./src/kernel/manifest.ts
var kernel_manifest = __webpack_require__(592);
;// CONCATENATED MODULE: ./src/kernel/manifest-validation.ts


/** Part names become file names, artifact names and log text: a strict pattern, nothing a shell or the runner reads. */
const PART_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KINDS = new Set(['sqlite', 'tar', 'sql-dump']);
const COMPRESSIONS = new Set(['zstd', 'gzip', 'none']);
const SHA256 = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
/**
 * Free text that may legitimately hold a line break: the recorded recipe options (a data root's name
 * may contain one), warnings and drill details that quote those paths, and table names. A restore
 * never uses these as paths or names, and every log line escapes them; everything else refuses
 * control characters outright.
 */
const FREE_TEXT = [
    /^options(\.|$)/,
    /^parts\.\d+\.warnings\./,
    /^parts\.\d+\.details\.(path|excluded|leftOut)/,
    /^notCovered\./,
    /^parts\.\d+\.tables\./,
    /^verification\.parts\.\d+\.detail$/,
    /^host$/
];
function controlCharacterPaths(value, path, found) {
    if (found.length >= 5)
        return;
    if (typeof value === 'string') {
        if (CONTROL.test(value) && !FREE_TEXT.some(pattern => pattern.test(path)))
            found.push(path || '(top level)');
        return;
    }
    if (typeof value !== 'object' || value === null)
        return;
    for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (CONTROL.test(key) && !FREE_TEXT.some(pattern => pattern.test(childPath)))
            found.push(`a key under ${path || 'the top level'}`);
        controlCharacterPaths(child, childPath, found);
    }
}
function partProblems(manifest, part, index) {
    const problems = [];
    const label = typeof part?.name === 'string' && PART_NAME_PATTERN.test(part.name) ? `part ${part.name}` : `part #${index + 1}`;
    if (typeof part !== 'object' || part === null)
        return [`${label} is not an object`];
    if (typeof part.name !== 'string' || !PART_NAME_PATTERN.test(part.name))
        problems.push(`${label}: the name is not lower-case letters, digits, "-" and "_"`);
    if (!KINDS.has(part.kind))
        problems.push(`${label}: unknown kind`);
    if (!COMPRESSIONS.has(part.compression))
        problems.push(`${label}: unknown compression`);
    if (typeof part.file !== 'string' || !part.file.startsWith(`${manifest.backupId}.${part.name}.`) || /[/\\]/.test(part.file) || part.file.includes('..'))
        problems.push(`${label}: bad file name`);
    if (typeof part.sha256 !== 'string' || !SHA256.test(part.sha256))
        problems.push(`${label}: bad sha256`);
    if (!Number.isSafeInteger(part.bytes) || part.bytes < 0)
        problems.push(`${label}: bad size`);
    if (part.encryption !== undefined) {
        if (part.encryption !== 'age')
            problems.push(`${label}: unknown encryption`);
        if (typeof part.plaintext?.sha256 !== 'string' || !SHA256.test(part.plaintext.sha256) || !Number.isSafeInteger(part.plaintext.bytes))
            problems.push(`${label}: bad plaintext checksum`);
    }
    if (part.incremental !== undefined && (!Number.isSafeInteger(part.incremental?.level) || part.incremental.level < 0))
        problems.push(`${label}: bad incremental level`);
    if (part.chunks !== undefined)
        problems.push(...chunkProblems(part, label));
    if (part.blockSize !== undefined || part.blocks !== undefined || part.chunks?.some?.(chunk => chunk?.blocks !== undefined))
        problems.push(...blockProblems(part, label));
    if (part.tables !== undefined && (typeof part.tables !== 'object' || part.tables === null || Object.values(part.tables).some(rows => !Number.isSafeInteger(rows))))
        problems.push(`${label}: bad row counts`);
    return problems;
}
/** Chunks are named by their place (so a reordered or renamed one is caught), and add up to the part. */
function chunkProblems(part, label) {
    const chunks = part.chunks;
    if (!Array.isArray(chunks) || chunks.length < 2)
        return [`${label}: a chunk list needs at least two chunks`];
    const problems = [];
    chunks.forEach((chunk, index) => {
        if (typeof chunk !== 'object' || chunk === null || chunk.file !== (0,kernel_manifest/* chunkFileName */.x5)(part.file, index))
            problems.push(`${label}: chunk ${index + 1} is not named ${(0,kernel_manifest/* chunkFileName */.x5)(String(part.file), index)}`);
        else if (typeof chunk.sha256 !== 'string' || !SHA256.test(chunk.sha256) || !Number.isSafeInteger(chunk.bytes) || chunk.bytes <= 0)
            problems.push(`${label}: chunk ${index + 1} has a bad size or sha256`);
    });
    const total = chunks.reduce((sum, chunk) => sum + (Number.isSafeInteger(chunk?.bytes) ? chunk.bytes : 0), 0);
    if (problems.length === 0 && total !== part.bytes)
        problems.push(`${label}: its chunks hold ${total} bytes, the part ${part.bytes}`);
    return problems;
}
/**
 * A block list holds one sha256 per block of its stored file, no more and no fewer: a restore yields a
 * block only after checking it, so a list that missed a block would let that block's bytes through unchecked.
 */
function blockProblems(part, label) {
    const size = part.blockSize;
    if (!Number.isSafeInteger(size) || size < kernel_manifest/* BLOCK_SIZE_RANGE */.wB.min || size > kernel_manifest/* BLOCK_SIZE_RANGE */.wB.max)
        return [`${label}: the block size is not a whole number of bytes from ${kernel_manifest/* BLOCK_SIZE_RANGE */.wB.min} to ${kernel_manifest/* BLOCK_SIZE_RANGE */.wB.max}`];
    if (Array.isArray(part.chunks) && part.blocks !== undefined)
        return [`${label}: a chunked part lists its blocks per chunk`];
    const pieces = Array.isArray(part.chunks)
        ? part.chunks.map((chunk, index) => ({ what: `chunk ${index + 1}`, bytes: chunk?.bytes, blocks: chunk?.blocks }))
        : [{ what: 'the file', bytes: part.bytes, blocks: part.blocks }];
    const problems = [];
    for (const piece of pieces) {
        const expected = Number.isSafeInteger(piece.bytes) ? (0,kernel_manifest/* blockCount */.v5)(piece.bytes, size) : -1;
        if (!Array.isArray(piece.blocks) || piece.blocks.length !== expected || piece.blocks.some(sha256 => typeof sha256 !== 'string' || !SHA256.test(sha256)))
            problems.push(`${label}: ${piece.what} does not list one sha256 for each of its ${expected} blocks`);
    }
    return problems.slice(0, 3);
}
/** Every problem with a manifest's shape, so one error can name them all. */
function manifestProblems(value, expectedBackupId) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        return ['it is not an object'];
    const manifest = value;
    const problems = [];
    if (manifest.format !== kernel_manifest/* MANIFEST_FORMAT */.Sn)
        problems.push(`format is not ${kernel_manifest/* MANIFEST_FORMAT */.Sn}`);
    const id = typeof manifest.backupId === 'string' ? (0,kernel_manifest/* parseBackupId */.JN)(manifest.backupId) : null;
    if (!id)
        problems.push('backupId is missing or malformed');
    if (expectedBackupId && manifest.backupId !== expectedBackupId)
        problems.push(`it describes another backup, not ${expectedBackupId}`);
    if (typeof manifest.app !== 'string' || manifest.app !== id?.app)
        problems.push('app does not match the backup id');
    if (typeof manifest.hostId !== 'string' || manifest.hostId !== id?.hostId)
        problems.push('hostId does not match the backup id');
    for (const field of ['startedAt', 'finishedAt'])
        if (typeof manifest[field] !== 'string' || !ISO_TIME.test(manifest[field]))
            problems.push(`${field} is not a time`);
    if (typeof manifest.options !== 'object' || manifest.options === null)
        problems.push('options are missing');
    if (!Array.isArray(manifest.parts) || manifest.parts.length === 0)
        problems.push('it lists no parts');
    else {
        manifest.parts.forEach((part, index) => problems.push(...partProblems(manifest, part, index)));
        const names = manifest.parts.map(part => part?.name);
        if (new Set(names).size !== names.length)
            problems.push('a part name appears twice');
    }
    if (manifest.incremental !== undefined)
        problems.push(...chainProblems(manifest));
    problems.push(...(0,app_version/* appVersionProblems */.ML)(manifest.application));
    if (manifest.notCovered !== undefined && (!Array.isArray(manifest.notCovered) || manifest.notCovered.some(line => typeof line !== 'string')))
        problems.push('notCovered is not a list of sentences');
    const controls = [];
    controlCharacterPaths(value, '', controls);
    if (controls.length > 0)
        problems.push(`control characters in ${controls.join(', ')}`);
    return problems;
}
function chainProblems(manifest) {
    const chain = manifest.incremental?.chain;
    if (!Array.isArray(chain) || manifest.incremental?.level !== chain.length)
        return ['incremental: the chain does not match its level'];
    const own = (0,kernel_manifest/* parseBackupId */.JN)(manifest.backupId);
    const foreign = chain.filter(id => {
        const link = typeof id === 'string' ? (0,kernel_manifest/* parseBackupId */.JN)(id) : null;
        return !link || link.app !== own?.app || link.hostId !== own?.hostId || link.stamp > own.stamp;
    });
    return foreign.length > 0 ? [`incremental: ${foreign.length} chain entries are not earlier backups of the same app and host`] : [];
}

;// CONCATENATED MODULE: ./src/kernel/manifest-file.ts




/** The exact text a signature covers: the manifest without its signature, as JSON.stringify writes it. */
function canonicalText(manifest) {
    return `${JSON.stringify(manifest, null, 2)}\n`;
}
/** The manifest as stored: its canonical text signed, the signature added as the last field. */
async function signedManifestText(manifest, signer) {
    const { signature: _unsigned, ...content } = manifest;
    const signature = await signer.sign(canonicalText(content));
    return `${JSON.stringify({ ...content, signature }, null, 2)}\n`;
}
/** Written to a temp name and renamed, so a half-written manifest never exists under its real name. */
async function writeManifest(path, manifest, signer) {
    const text = await signedManifestText(manifest, signer);
    // 0600 like the parts: it names the host, paths and tables, which are nobody else's business on the runner.
    await (0,promises_.writeFile)(`${path}.partial`, text, { mode: 0o600 });
    await (0,promises_.rename)(`${path}.partial`, path);
    return JSON.parse(text);
}
/**
 * Reads a stored manifest and trusts nothing in it until its signature verified against `trust`
 * (house rule 11); only then is its shape checked and its content used.
 */
async function readManifest(path, expectedBackupId, trust) {
    let parsed;
    try {
        parsed = JSON.parse(await (0,promises_.readFile)(path, 'utf8'));
    }
    catch (error) {
        throw new errors/* VerificationError */.mk(`The manifest of ${expectedBackupId} is not valid JSON.`, 'the stored backup is damaged; pick another backup-id.', { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new errors/* VerificationError */.mk(`The manifest of ${expectedBackupId} is not a JSON object.`, 'the stored backup is damaged; pick another backup-id.');
    }
    const { signature, ...content } = parsed;
    await (0,manifest_signature/* verifySignature */.Od)(canonicalText(content), signature, trust, `The manifest of ${expectedBackupId}`);
    // The signature was checked above (its armored block spans lines); the shape check covers the content.
    return { ...validateManifest(content, expectedBackupId), signature };
}
/** The shape of a (verified) manifest: every field a restore acts on, whole (house rule 11). */
function validateManifest(value, expectedBackupId) {
    const problems = manifestProblems(value, expectedBackupId);
    if (problems.length > 0) {
        const shown = problems.slice(0, 10);
        throw new errors/* VerificationError */.mk(`The manifest is not valid: ${shown.join('; ')}${problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : ''}.`, 'the stored backup is damaged or was edited; pick another backup-id.');
    }
    return value;
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


/***/ })

};

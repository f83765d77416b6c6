export const id = 126;
export const ids = [126];
export const modules = {

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


/***/ })

};

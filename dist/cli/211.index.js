export const id = 211;
export const ids = [211,783];
export const modules = {

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

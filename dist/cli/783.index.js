export const id = 783;
export const ids = [783];
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


/***/ })

};

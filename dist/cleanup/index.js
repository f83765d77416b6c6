import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 436:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(135);

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 135:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./src/action/runner-commands.ts




/**
 * How a step talks to the Actions runner: inputs and state from the environment, log lines and
 * workflow commands (`::name::payload`) on stdout, outputs and state appended to the files the runner
 * names. This is the protocol `@actions/core` speaks, written here because importing `@actions/core`
 * loads its HTTP client for OIDC tokens, and with it undici, whose WebAssembly parser V8 compiles at
 * load: 17 MB of the action's peak memory (a process that only imported it peaked at 60 MB, against 43
 * MB for node alone), for a feature the actions never use. The tests compare every encoding here with
 * `@actions/core`'s own, for hostile values.
 */
/** An input as the runner passes it (`INPUT_` and the name upper-cased, spaces as underscores), trimmed. */
function runner_commands_getInput(name) {
    return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
/** What the main step saved for the post step (`STATE_` and the name). */
function getState(name) {
    return process.env[`STATE_${name}`] ?? '';
}
function setOutput(name, value) {
    keyValue('GITHUB_OUTPUT', 'set-output', name, value);
}
function saveState(name, value) {
    keyValue('GITHUB_STATE', 'save-state', name, value);
}
function runner_commands_info(message) {
    process.stdout.write(message + external_node_os_namespaceObject.EOL);
}
function runner_commands_debug(message) {
    issueCommand('debug', message);
}
function runner_commands_warning(message) {
    issueCommand('warning', message);
}
/** The step fails (exit code 1) with `message` as its error annotation. */
function setFailed(message) {
    process.exitCode = 1;
    issueCommand('error', message);
}
/** The runner replaces `secret` with *** in every later line of the log. */
function runner_commands_addMask(secret) {
    issueCommand('add-mask', secret);
}
/** `work` inside a foldable group of the log, closed however it ends. */
async function runner_commands_group(title, work) {
    issueCommand('group', title);
    try {
        return await work();
    }
    finally {
        issueCommand('endgroup', '');
    }
}
/** Appends Markdown to the job summary, when the runner offers one. */
async function runner_commands_appendSummary(markdown) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (file)
        await appendFile(file, markdown, 'utf8');
}
/**
 * `::name::payload` (with `name=` as its one property when given), the payload on one line: % and line
 * breaks percent-encoded, as the runner decodes them; the property also encodes : and , .
 */
function issueCommand(name, payload, property) {
    const properties = property ? ` name=${escapeProperty(property.name)}` : '';
    process.stdout.write(`::${name}${properties}::${escapeData(payload)}${external_node_os_namespaceObject.EOL}`);
}
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/**
 * A line `name<<delimiter`, the value, the delimiter, appended to the runner's file: a delimiter
 * nobody can guess, so no value can end its entry early and add one of its own. Runners without the
 * file take the older command on stdout.
 */
function keyValue(fileVariable, command, name, value) {
    const file = process.env[fileVariable];
    if (!file) {
        // As @actions/core writes them: set-output on a line of its own, even after an unfinished one.
        if (command === 'set-output')
            process.stdout.write(EOL);
        issueCommand(command, value, { name });
        return;
    }
    const delimiter = `ghadelimiter_${randomUUID()}`;
    if (name.includes(delimiter) || value.includes(delimiter))
        throw new Error(`The ${command} value for ${name} contains its own delimiter.`);
    appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}
function escapeProperty(text) {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/inputs/definitions.ts
const BOTH = ['backup', 'restore'];
const definitions_INPUTS = [
    { name: 'app', description: 'Application: auto (detect on the host), tabby, seatable.', default: 'auto', actions: BOTH },
    { name: 'transport', description: 'How to reach the host: ssh, or local (the runner itself, for self-hosted runners).', default: 'ssh', actions: BOTH, cliDefault: 'local' },
    { name: 'host', description: 'Host name or IP address of the server (ssh).', default: '', actions: BOTH },
    { name: 'port', description: 'SSH port.', default: '22', actions: BOTH },
    { name: 'user', description: 'SSH login user.', default: '', actions: BOTH },
    { name: 'ssh-key', description: 'Private key (the file content) that logs in as user; store it as a secret.', default: '', actions: BOTH, secret: true },
    { name: 'known-hosts', description: 'known_hosts lines for the host (and jump host), e.g. from ssh-keyscan checked against the server.', default: '', actions: BOTH },
    { name: 'insecure-skip-host-key-check', description: 'true skips host key verification (prints a warning). Use known-hosts instead.', default: 'false', actions: BOTH },
    { name: 'jump-host', description: 'Optional bastion as [user@]host[:port]; uses the same key and known-hosts.', default: '', actions: BOTH },
    {
        name: 'signing-key',
        description: 'Private key (OpenSSH, without passphrase) that signs every manifest; a restore, mode: check and the CLI accept only manifests signed by it or by trusted-signers. Empty: ssh-key. Required with transport: local.',
        restoreDescription: "Private key (OpenSSH, without passphrase) the backups are signed with: the restore accepts only a manifest signed by it or by trusted-signers, and signs the databases' safety copy with it. Empty: ssh-key. With transport: local, required unless trusted-signers is set and nothing is signed (dry-run, or safety-copy: false).",
        default: '',
        actions: BOTH,
        secret: true
    },
    {
        name: 'trusted-signers',
        description: 'More public keys (one per line, as in a .pub file) whose manifest signatures are accepted: keys used before a rotation. Enough on its own for mode: check and a restore without a safety copy.',
        restoreDescription: 'More public keys (one per line, as in a .pub file) whose manifest signatures the restore accepts: keys used before a rotation. Enough on its own for a dry-run or a restore with safety-copy: false, which sign nothing.',
        default: '',
        actions: BOTH
    },
    { name: 'sudo', description: 'true runs the host-side commands through sudo -n (for root-owned data).', default: 'false', actions: BOTH },
    { name: 'tabby-root', description: 'Tabby data directory; empty: $TABBY_ROOT on the host, else ~/.tabby.', default: '', actions: BOTH },
    { name: 'seatable-root', description: 'SeaTable data directory; empty: the layout default (/opt/seatable-server/seatable or /opt/seatable/seatable-data/seatable).', default: '', actions: BOTH },
    {
        name: 'seatable-layout',
        description: 'SeaTable layout: auto (detect from paths and containers), old (seatable-mysql, /opt/seatable) or current (mariadb, /opt/seatable-server).',
        default: 'auto',
        actions: BOTH
    },
    {
        name: 'compose-dir',
        description: 'SeaTable compose directory (.env, license) on the current layout; empty: /opt/seatable-compose.',
        restoreDescription: 'SeaTable compose directory the compose part (.env, license) is restored into, on the current layout; empty: /opt/seatable-compose.',
        default: '',
        actions: BOTH
    },
    {
        name: 'caddy-dir',
        description: 'Caddy directory (certificates), backed up when it exists; empty: /opt/caddy.',
        restoreDescription: 'Caddy directory the caddy part (certificates) is restored into; empty: /opt/caddy when it exists on the host.',
        default: '',
        actions: BOTH
    },
    { name: 'db-mode', description: 'SeaTable database access: docker (docker exec into db-container) or direct (a client on the host to db-host:db-port).', default: 'docker', actions: BOTH },
    { name: 'db-container', description: 'Database container; empty: mariadb (current) or seatable-mysql (old).', default: '', actions: BOTH },
    { name: 'seatable-container', description: 'SeaTable container for seatable.sh backup-all/restore-all; empty: seatable-server (current) or seatable (old).', default: '', actions: BOTH },
    { name: 'db-host', description: 'Database host for db-mode: direct.', default: '127.0.0.1', actions: BOTH },
    { name: 'db-port', description: 'Database port for db-mode: direct.', default: '3306', actions: BOTH },
    { name: 'db-user', description: 'Database user.', default: 'root', actions: BOTH },
    { name: 'db-password', description: 'Database password; sent to the client through a pipe, never on a command line.', default: '', actions: BOTH, secret: true },
    {
        name: 'databases',
        description: 'Databases to dump; empty: ccnet_db seafile_db dtable_db, plus scheduler when it exists.',
        restoreDescription: "Databases beyond SeaTable's own (ccnet_db seafile_db dtable_db scheduler) that the backup may hold and the restore may import; also the databases a restore that imports in place dumps first (empty: ccnet_db seafile_db dtable_db, plus scheduler when it exists). Which parts are restored: parts.",
        default: '',
        actions: BOTH
    },
    {
        name: 'skip-log-tables',
        description: 'true leaves out the rows (not the tables) of operation_log, delete_operation_log, session_log and activities in dtable_db.',
        default: 'false',
        actions: ['backup']
    },
    {
        name: 'dtable-db-backup',
        description: 'Run seatable.sh backup-all before the data copy (and restore-all after restoring it).',
        restoreDescription: 'true runs seatable.sh restore-all in seatable-container after the start-command when the data part was restored; that container must be running when the restore starts.',
        default: 'true',
        actions: BOTH
    },
    { name: 'exclude', description: 'Paths under the app root left out of the home part (space, comma or newline separated); empty: models index repositories.', default: '', actions: ['backup'] },
    {
        name: 'seatable-ai-dir',
        description: "SeaTable AI's data directory, backed up as the ai part; empty: the seatable-ai service's bind mount in the compose project, when there is one.",
        restoreDescription: "Where the ai part (SeaTable AI's data) is restored; empty: the seatable-ai service's bind mount in this host's compose project, when there is one.",
        default: '',
        actions: BOTH
    },
    {
        name: 'seatable-s3',
        description: 'When SeaTable keeps files in S3 buckets (not on disk): refuse fails the backup and names the buckets to back up elsewhere; skip backs up the rest and says in the manifest and summary that the buckets are not in it.',
        default: 'refuse',
        actions: ['backup']
    },
    {
        name: 'coverage',
        description: 'report names, in the summary and the manifest, whatever the install keeps that the backup does not hold (other compose components, docker volumes, S3 buckets, secrets missing from .env); strict makes any of it an error before anything is backed up.',
        default: 'report',
        actions: ['backup']
    },
    {
        name: 'tabby-keep-migration-copies',
        description: "true keeps Tabby's pre-migration copies (ee/db.backup-*.sqlite: plain copies, not consistent backups) in the home part; by default they are left out and named in the summary.",
        default: 'false',
        actions: ['backup']
    },
    { name: 'compression', description: 'Compression on the host: auto (zstd if installed, else gzip), zstd, gzip, none.', default: 'auto', actions: ['backup'] },
    {
        name: 'incremental',
        description: 'true makes the data-directory tarballs incremental (GNU tar listed-incremental, state kept on the host beside the data): only files changed since the previous backup are sent; restore applies the whole chain.',
        default: 'false',
        actions: ['backup']
    },
    { name: 'full-every', description: 'With incremental: true, days after which the next backup is a full one again.', default: '7', actions: ['backup'] },
    { name: 'lock-timeout', description: 'Seconds to wait for another backup or restore of the same data directory on the host to finish.', default: '600', actions: BOTH },
    {
        name: 'host-temp-dir',
        description: 'Directory on the host for the SQLite snapshot (the only temp space a backup needs); empty: $TMPDIR or /tmp.',
        restoreDescription: "Not used by a restore, which stages the backup in a private directory beside the data instead; accepted (and checked) so the backup step's inputs can be reused.",
        default: '',
        actions: BOTH
    },
    {
        name: 'store',
        description: 'Where backups live: github (workflow artifacts), s3 (an S3-compatible bucket) or local (a directory on the runner).',
        default: 'github',
        actions: BOTH,
        cliDefault: 'local'
    },
    { name: 'store-path', description: 'Directory of the local store.', default: '', actions: BOTH, cliDefault: '~/selfhost-backups' },
    { name: 's3-bucket', description: 'Bucket of the s3 store (the name only).', default: '', actions: BOTH },
    { name: 's3-prefix', description: 'Key prefix inside the bucket, e.g. backups/ (each backup is a folder under it named by its backup id); empty: the bucket root.', default: '', actions: BOTH },
    { name: 's3-endpoint', description: 'URL of an S3-compatible service (R2, B2, Wasabi, MinIO, Garage, Ceph); empty: AWS S3.', default: '', actions: BOTH },
    { name: 's3-region', description: 'Region of the bucket; empty: AWS_REGION, AWS_DEFAULT_REGION or us-east-1 (R2: auto).', default: '', actions: BOTH },
    {
        name: 's3-force-path-style',
        description: 'true addresses the bucket as endpoint/bucket instead of bucket.endpoint (MinIO, Ceph, most self-hosted servers).',
        default: 'false',
        actions: BOTH
    },
    { name: 's3-storage-class', description: "Storage class of the uploaded objects, e.g. STANDARD_IA; empty: the bucket's default.", default: '', actions: ['backup'] },
    { name: 's3-access-key-id', description: 'Access key id for the s3 store; empty: the AWS_* variables or an OIDC role (aws-actions/configure-aws-credentials).', default: '', actions: BOTH },
    { name: 's3-secret-access-key', description: 'Secret access key for s3-access-key-id; store it as a secret.', default: '', actions: BOTH, secret: true },
    {
        name: 's3-object-lock-days',
        description: 'Days every object of the backup stays locked (S3 Object Lock; the bucket must have it enabled); empty: no lock.',
        default: '',
        actions: ['backup']
    },
    {
        name: 's3-object-lock-mode',
        description: 'governance (users with a bypass permission may still delete) or compliance (nobody can, not even the root account).',
        default: 'governance',
        actions: ['backup']
    },
    {
        name: 'encrypt-to',
        description: 'age recipients (age1…, separated by spaces, commas or newlines; SSH public keys are not supported): every part is encrypted on the runner before upload.',
        default: '',
        actions: ['backup']
    },
    { name: 'require-encryption', description: 'true makes a backup without encrypt-to an error instead of a warning.', default: 'false', actions: ['backup'] },
    {
        name: 'allow-unencrypted-secrets',
        description: "true lets a backup without encrypt-to store files that hold the app's secrets (SeaTable's compose .env with the database password) as plain artifacts; false: such a backup stops before it starts.",
        default: 'false',
        actions: ['backup']
    },
    { name: 'age-identity', description: 'age identity (the AGE-SECRET-KEY-1… key file) that decrypts an encrypted backup.', default: '', actions: ['restore'], secret: true },
    {
        name: 'verify',
        description: 'drill: after the backup, prove on the runner that every part restores (SQLite integrity and row counts, dumps loaded into a throwaway MariaDB, tarballs listed and extracted); checksum: only hash the parts.',
        default: 'drill',
        actions: ['backup']
    },
    {
        name: 'mode',
        description: 'backup; check: take no backup, but fail unless a drill-verified backup of this app and host younger than max-age exists; prune: take no backup, only apply the keep-* rules to the stored backups of this app and host.',
        default: 'backup',
        actions: ['backup']
    },
    { name: 'max-age', description: 'With mode: check, the oldest acceptable backup, e.g. 26h or 7d.', default: '', actions: ['backup'] },
    { name: 'shrink-threshold', description: 'Percent: a part smaller than in the previous backup of this app and host by more than this is reported.', default: '50', actions: ['backup'] },
    { name: 'fail-on-shrink', description: 'true makes a shrunken part an error (the backup is then not a restorable backup) instead of a warning.', default: 'false', actions: ['backup'] },
    {
        name: 'chunk-size',
        description: 'Stored parts are cut into chunks of at most this size as they stream (each its own artifact), so the runner never holds more than a couple of chunks per part (store: local writes them in the store and holds none): K, M or G, e.g. 256M.',
        default: '256M',
        actions: ['backup']
    },
    { name: 'retention-days', description: 'Days GitHub keeps the artifacts (1-400); empty: the repository setting.', default: '', actions: ['backup'] },
    { name: 'keep-last', description: 'Retention: keep the newest N backups of this app and host (applied after each verified backup, or alone with mode: prune).', default: '', actions: ['backup'] },
    { name: 'keep-daily', description: 'Retention: keep the newest backup of each of the last N days that have one (UTC).', default: '', actions: ['backup'] },
    { name: 'keep-weekly', description: 'Retention: keep the newest backup of each of the last N ISO weeks that have one.', default: '', actions: ['backup'] },
    { name: 'keep-monthly', description: 'Retention: keep the newest backup of each of the last N months that have one.', default: '', actions: ['backup'] },
    { name: 'keep-yearly', description: 'Retention: keep the newest backup of each of the last N years that have one.', default: '', actions: ['backup'] },
    { name: 'dry-run', description: 'true makes retention print what it would delete, and delete nothing.', default: 'false', actions: ['backup'] },
    {
        name: 'storage-budget',
        description: "With store: github, the most the repository's artifacts may take (K, M or G, powers of 1024, e.g. 450M): checked before anything is uploaded, counting what retention will delete and this backup at the size of the last one.",
        default: '',
        actions: ['backup']
    },
    { name: 'on-budget', description: 'fail: a backup that would exceed storage-budget stops before uploading anything; warn: it says so and goes on.', default: 'fail', actions: ['backup'] },
    { name: 'backup-id', description: 'Backup to restore; empty: the newest complete backup of this app and host.', default: '', actions: ['restore'] },
    { name: 'run-id', description: 'Workflow run that made the backup, when it was another run.', default: '', actions: ['restore'] },
    {
        name: 'github-token',
        description: "Token with actions: read, to read the backups of other runs (the size check, incremental chains, storage-budget, mode: check) and, without retention-days, this backup's expiry (expires-at); with actions: write, retention deletes the backups keep-* does not keep.",
        restoreDescription: "Token with actions: read, to find and download backups of other workflow runs (run-id, or the newest in the repository's artifacts); empty: only this run's artifacts.",
        default: '${{ github.token }}',
        actions: BOTH,
        secret: true,
        cliDefault: ''
    },
    { name: 'dry-run', description: 'true prints the plan after verifying the backup, and changes nothing.', default: 'false', actions: ['restore'] },
    { name: 'stop-command', description: 'Shell command run on the host before the restore, e.g. docker compose stop tabby.', default: '', actions: ['restore'] },
    { name: 'start-command', description: 'Shell command run on the host after a successful restore.', default: '', actions: ['restore'] },
    {
        name: 'safety-copy',
        description: 'Keep what the restore replaces: files are swapped out by rename and kept beside the data, databases by RENAME TABLE into a database of their own (no copy, seconds); a database a swap cannot carry (see the README) is dumped first and imported in place. false: removed once the restore succeeded.',
        default: 'true',
        actions: ['restore']
    },
    {
        name: 'allow-version-mismatch',
        description: 'true restores a backup made by a newer version of the app than the host runs now (refused by default: neither Tabby nor SeaTable migrates data back down). Run the image the backup names instead whenever you can.',
        default: 'false',
        actions: ['restore']
    },
    { name: 'parts', description: 'Restore only these parts (space or comma separated, e.g. db-dtable_db data); empty: all.', default: '', actions: ['restore'] },
    {
        name: 'safety-copy-dir',
        description: 'Where on the host the safety copy of databases imported in place goes (a signed backup; swapped databases keep their tables on the server); empty: selfhost-backup-safety beside the app data directory. Replaced files stay beside the data, on its own filesystem.',
        default: '',
        actions: ['restore']
    }
];
/** The inputs of one action, each with that action's description. */
function inputsOf(action) {
    return definitions_INPUTS.filter(input => input.actions.includes(action)).map(input => action === 'restore' && input.restoreDescription !== undefined ? { ...input, description: input.restoreDescription } : input);
}
const OUTPUTS = {
    backup: [
        { name: 'backup-id', description: 'Id of the stored backup (with mode: check, of the verified backup found): the backup-id input of the restore action.' },
        { name: 'manifest', description: 'Path of the manifest file on the runner.' },
        {
            name: 'artifacts',
            description: 'JSON list of the stored files in order, the manifest last: [{"name", "id", "url"}]. id: the artifact id (github), the object key (s3) or the path (local); url, with store: github only: the artifact on GitHub, where a signed-in user with read access downloads it.'
        },
        { name: 'bytes', description: 'Total size of the stored parts in bytes.' },
        { name: 'encrypted', description: "true when the stored parts are age ciphertext (encrypt-to was set), else false; with mode: check, the verified backup's." },
        {
            name: 'expires-at',
            description: 'When the store deletes the backup by itself (ISO 8601, UTC): with store: github, when its first artifact expires (retention-days, else the repository setting). Empty for s3 and local, which keep a backup until retention deletes it (an Object Lock is not an expiry), with mode: check or prune, and when it cannot be told.'
        },
        { name: 'verified', description: 'true when the restore drill passed (or, with mode: check, a drill-verified backup was found).' },
        {
            name: 'app-version',
            description: "The application's version the backup's data belongs to (with mode: check, the verified backup's): the release, else the image, else the schema version; empty when unknown."
        },
        { name: 'pruned', description: 'JSON list of the backup ids retention deleted (with dry-run: would delete); empty when no keep-* input is set.' }
    ],
    restore: [
        { name: 'backup-id', description: 'Id of the backup that was restored (or planned, with dry-run).' },
        {
            name: 'safety-copy',
            description: 'JSON list of the paths on the host that keep the data from before the restore: the replaced files (renamed, beside the data) and the safety backup of databases imported in place; [] when none was kept.'
        },
        {
            name: 'safety-copy-databases',
            description: 'JSON list of the databases on the database server that keep the tables a restore swapped out by RENAME TABLE (named like dtable_db__kept_20261206T031500Z_a1b2c3: the database, then the safety-copy-id); [] when none. Drop them (DROP DATABASE) once the restored data is good.'
        },
        { name: 'safety-copy-id', description: "The restore's stamp in those names: `selfhost-backup put-back --replaced <id>` puts the replaced files and databases back." },
        { name: 'restored', description: 'true when the restore completed and changed the host; false with dry-run; not set when the restore failed.' },
        { name: 'app-version', description: "The application's version the restored backup's data belongs to (run the app with this version, or its image); empty when the backup does not record it." }
    ]
};

;// CONCATENATED MODULE: ./src/action/actions-logger.ts



/**
 * The core's logger on the runner's commands: groups fold in the log, masks are the runner's. Every text
 * is quieted here, once for all callers: info() writes it to stdout as is, where a line of it could be a
 * workflow command. warning, debug and group are commands whose payload is already encoded (%0A for a
 * line break), so for them quieting only removes terminal escapes.
 */
function actionsLogger() {
    return {
        info: message => info(quietText(message)),
        warning: message => warning(quietText(message)),
        debug: message => debug(quietText(message)),
        group: (title, work) => group(quietText(title), work),
        mask: secret => {
            // The runner masks line by line, so a multi-line key is registered one line at a time too; and
            // as the runner sees it after quietText, or a secret with a control character would show escaped.
            const pieces = secretPieces(secret);
            for (const piece of new Set([...pieces, ...pieces.map(quietText)]))
                addMask(piece);
            addMask(secret);
        }
    };
}
/** Every input marked secret is masked before any input is parsed, so no error can echo one. */
function maskSecretInputs(logger) {
    for (const input of INPUTS) {
        if (!input.secret)
            continue;
        const value = getInput(input.name);
        if (value)
            logger.mask(value);
    }
}
const SSH_WORK_DIR_STATE = 'ssh-work-dir';
function actionTempRoot() {
    return process.env.RUNNER_TEMP || undefined;
}
/** Quieted like the log (idempotent, so pieces quieted earlier are unchanged): names in it come from data. */
async function writeSummary(markdown) {
    await appendSummary(quietText(markdown));
}

;// CONCATENATED MODULE: ./src/transport/ssh-args.ts

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
    const remote = `${sudo ? 'sudo -n -- ' : ''}bash -c ${quote(script)}`;
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

;// CONCATENATED MODULE: ./src/cleanup/main.ts







/**
 * The post step of both actions: closes a master connection the main step could not close (it was
 * cancelled or crashed) and deletes the key, known_hosts and control socket. Failures only warn.
 */
async function run() {
    const dir = getState(SSH_WORK_DIR_STATE);
    // The main step removes its own key material when it ends normally: then there is nothing to say.
    if (!dir || !(0,external_node_fs_namespaceObject.existsSync)(dir))
        return;
    try {
        const config = (0,external_node_path_namespaceObject.join)(dir, 'config');
        if ((0,external_node_fs_namespaceObject.existsSync)((0,external_node_path_namespaceObject.join)(dir, 'cm')) && (0,external_node_fs_namespaceObject.existsSync)(config)) {
            (0,external_node_child_process_namespaceObject.spawnSync)('ssh', controlArgs(config, 'exit'), { stdio: 'ignore', timeout: 10_000 });
        }
        await (0,promises_namespaceObject.rm)(dir, { recursive: true, force: true });
        runner_commands_info('Removed the SSH key material and control socket.');
    }
    catch (error) {
        runner_commands_warning(`Cleaning up ${dir}: ${error.message}`);
    }
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(436);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

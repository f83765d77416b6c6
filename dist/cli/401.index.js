export const id = 401;
export const ids = [401];
export const modules = {

/***/ 1401:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runBackupCommand: () => (/* binding */ runBackupCommand)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/recipes/registry.ts + 12 modules
var registry = __webpack_require__(8465);
// EXTERNAL MODULE: ./src/kernel/errors.ts
var kernel_errors = __webpack_require__(2386);
// EXTERNAL MODULE: ./src/kernel/log.ts
var log = __webpack_require__(8807);
// EXTERNAL MODULE: ./src/kernel/shell.ts
var shell = __webpack_require__(151);
// EXTERNAL MODULE: ./src/sources/compression.ts
var compression = __webpack_require__(2328);
// EXTERNAL MODULE: ./src/sources/mysql.ts
var mysql = __webpack_require__(504);
// EXTERNAL MODULE: ./src/sources/mysql-defaults.ts
var mysql_defaults = __webpack_require__(87);
// EXTERNAL MODULE: ./src/sources/sqlite.ts
var sqlite = __webpack_require__(9984);
// EXTERNAL MODULE: ./src/transport/local.ts
var local = __webpack_require__(2042);
// EXTERNAL MODULE: ./src/sources/tar-check.ts
var tar_check = __webpack_require__(424);
// EXTERNAL MODULE: ./src/pipeline/fanout.ts
var fanout = __webpack_require__(2251);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/kernel/child-environment.ts
var child_environment = __webpack_require__(4451);
;// CONCATENATED MODULE: ./src/pipeline/throwaway-mariadb.ts












const STARTUP_TIMEOUT_MS = 60_000;
/** Owns nothing on a standard system, unlike `mysql`, which owns a real server's datadir on a self-hosted runner. */
const UNPRIVILEGED_USER = 'nobody';
const IMPORT_USER = 'drill';
/** Granting rights on these would hand the dump the grant tables (and with them plugins and every right). */
const RESERVED_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];
/** sun_path holds 108 bytes with its NUL, and the socket is `<base>/drill-mariadb-XXXXXX/mariadb.sock`. */
const MAX_BASE_BYTES = 107 - '/drill-mariadb-XXXXXX/mariadb.sock'.length;
const SERVER_NAMES = ['mariadbd', 'mysqld'];
const INSTALL_DB_NAMES = ['mariadb-install-db', 'mysql_install_db'];
/** Small files: the drill holds one backup's data once, and durability is irrelevant for it. */
const STORAGE_OPTIONS = ['--innodb-log-file-size=64M', '--innodb-buffer-pool-size=256M', '--innodb-data-file-path=ibdata1:12M:autoextend'];
/**
 * The scripts that create and fill the grant and system tables, in mariadb-install-db's order. It also loads
 * the help tables (2.4 MB of SQL), the sys schema and the GIS procedures, which a dump of an application
 * database never uses: without them the datadir is built in 0.3-0.4 s instead of 0.9 s on the bench machine.
 */
const SYSTEM_TABLE_SCRIPTS = ['mysql_system_tables.sql', 'mysql_performance_tables.sql', 'mysql_system_tables_data.sql'];
const sleep = (milliseconds) => new Promise(resolve => setTimeout(resolve, milliseconds));
const throwaway_mariadb_local = new local/* LocalTransport */.V({ sudo: false });
async function findProgram(names) {
    const directories = ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)];
    for (const name of names) {
        for (const directory of directories) {
            const candidate = external_node_path_default().join(directory, name);
            if (await (0,promises_.access)(candidate, 1).then(() => true, () => false))
                return candidate;
        }
    }
    return undefined;
}
/**
 * The SQL that builds the grant and system tables, read from the first directory that has every script;
 * by default the server's own package's, beside the server (the scripts run in it, so they must match
 * it). Undefined when none has them all, and mariadb-install-db must do it.
 */
async function systemTablesSql(server, directories) {
    const share = external_node_path_default().join(external_node_path_default().dirname(external_node_path_default().dirname(server)), 'share');
    const candidates = directories ?? [external_node_path_default().join(share, 'mariadb'), external_node_path_default().join(share, 'mysql')];
    for (const directory of candidates) {
        const scripts = await Promise.all(SYSTEM_TABLE_SCRIPTS.map(name => (0,promises_.readFile)(external_node_path_default().join(directory, name), 'utf8').catch(() => undefined)));
        if (scripts.every(text => text !== undefined)) {
            // The header mariadb-install-db sends first; NULL: root gets no unix_socket login (initSql drops every account anyway).
            return ['CREATE DATABASE IF NOT EXISTS mysql;', 'USE mysql;', 'SET @auth_root_socket=NULL;', ...scripts, ''].join('\n');
        }
    }
    return undefined;
}
/** Only a MariaDB server is accepted: Oracle's mysqld cannot load every MariaDB dump (sequences, `/*M!` syntax, collations). */
async function findMariaDb() {
    const server = await findProgram(SERVER_NAMES);
    const installDb = await findProgram(INSTALL_DB_NAMES);
    if (!server || !installDb)
        return undefined;
    const version = await throwaway_mariadb_local.run((0,shell/* command */.G5)([server, '--version']), { allowFailure: true });
    return /MariaDB/i.test(version.stdout) ? { server, installDb } : undefined;
}
/** The install as one script, so the service guard is put back whatever apt-get does. */
function installScript(mayReplaceMysql) {
    const policy = (0,shell/* quote */.hD)('/usr/sbin/policy-rc.d');
    const saved = (0,shell/* quote */.hD)('/usr/sbin/policy-rc.d.selfhost-backup-saved');
    const apt = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=300'];
    return (0,shell/* script */.K$)(
    // policy-rc.d exiting 101 tells invoke-rc.d and deb-systemd-invoke not to start services; any existing one is put back.
    `if [ -e ${policy} ]; then sudo -n mv -- ${policy} ${saved}; fi`, `restore_policy() { sudo -n rm -f -- ${policy}; if [ -e ${saved} ]; then sudo -n mv -- ${saved} ${policy}; fi; }`, 'trap restore_policy EXIT', `printf '#!/bin/sh\\nexit 101\\n' | sudo -n tee ${policy} >/dev/null`, `sudo -n chmod 755 ${policy}`, 
    // A broken third-party list on the runner must not stop the install from the distribution's own lists.
    `${(0,shell/* command */.G5)([...apt, 'update', '-q'])} || echo 'apt-get update reported errors; installing anyway' >&2`, (0,shell/* command */.G5)([...apt, 'install', '-y', '--no-install-recommends', ...(mayReplaceMysql ? [] : ['--no-remove']), 'mariadb-server']));
}
/** Installs Debian/Ubuntu's mariadb-server without letting its service start (it would claim port 3306 and /var/lib/mysql). */
async function installMariaDb(logger, options) {
    const sudo = await throwaway_mariadb_local.run('sudo -n true', { allowFailure: true });
    const hasApt = await throwaway_mariadb_local.run('command -v apt-get', { allowFailure: true });
    if (sudo.exitCode !== 0 || hasApt.exitCode !== 0) {
        throw new kernel_errors/* PreflightError */.wG(['the restore drill needs a MariaDB server on the runner, and none is installed (nor can it be installed: no passwordless sudo or no apt-get)'], 'install the mariadb-server package on the runner, or set `verify: checksum`.');
    }
    logger.info('Installing mariadb-server on the runner for the restore drill');
    const text = installScript(options.mayReplaceMysql === true);
    const result = await throwaway_mariadb_local.run(text, { allowFailure: true, description: 'Installing mariadb-server' });
    if (result.exitCode !== 0) {
        const conflict = /would be removed|--no-remove/i.test(result.stderr + result.stdout);
        throw new kernel_errors/* PreflightError */.wG([`apt-get could not install mariadb-server (exit code ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-5).join(' / ')}`], conflict
            ? 'a MySQL server installed on this runner conflicts with mariadb-server; install mariadb-server on the runner yourself, or set `verify: checksum`.'
            : 'install the mariadb-server package on the runner, or set `verify: checksum`.');
    }
}
async function logTail(logFile) {
    return (await (0,promises_.readFile)(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-10).join('\n');
}
function exited(child) {
    return child.exitCode !== null || child.signalCode !== null;
}
async function terminate(child) {
    if (exited(child))
        return;
    const gone = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM'); // mariadbd shuts down cleanly on TERM
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
}
/** A root runner's server drops to an unprivileged user; any other runner user is unprivileged already. */
async function serverUser() {
    if (process.getuid?.() !== 0)
        return undefined;
    const lookup = (0,shell/* script */.K$)((0,shell/* command */.G5)(['id', '-u', UNPRIVILEGED_USER]), (0,shell/* command */.G5)(['id', '-g', UNPRIVILEGED_USER]));
    const ids = await throwaway_mariadb_local.run(lookup, { allowFailure: true, description: `Looking up the user ${UNPRIVILEGED_USER}` });
    const [uid, gid] = ids.stdout.trim().split('\n').map(Number);
    if (ids.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
        throw new kernel_errors/* PreflightError */.wG([`the runner runs as root, and the restore drill's MariaDB must not: there is no user ${UNPRIVILEGED_USER} for it to run as`], `create the user ${UNPRIVILEGED_USER} on the runner, run the job as a non-root user, or set \`verify: checksum\`.`);
    }
    return { name: UNPRIVILEGED_USER, uid, gid };
}
/** Whether `user` may pass through every directory from / down to `directory` (by mode bits, as the kernel checks them). */
async function reachable(directory, user) {
    for (let current = directory;; current = external_node_path_default().dirname(current)) {
        const info = await (0,promises_.stat)(current).catch(() => undefined);
        if (!info)
            return false;
        const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
        if ((info.mode & bit) === 0)
            return false;
        if (current === external_node_path_default().dirname(current))
            return true;
    }
}
/**
 * workRoot (the runner's big temp space) when the server can reach it there, else the first temp directory it
 * can: a private 0700 workRoot keeps out a server that runs as another user, and a deep one overflows sun_path.
 */
async function privateBase(workRoot, user) {
    const candidates = [...new Set([workRoot, (0,external_node_os_.tmpdir)(), '/var/tmp', '/tmp'].map(directory => external_node_path_default().resolve(directory)))];
    for (const base of candidates)
        if (Buffer.byteLength(base) <= MAX_BASE_BYTES && (!user || (await reachable(base, user))))
            return base;
    throw new kernel_errors/* PreflightError */.wG([`no temp directory on the runner suits the restore drill's MariaDB (reachable${user ? ` by the user ${user.name}` : ''}, and short enough for a socket path): tried ${candidates.join(', ')}`], 'set TMPDIR to a short directory that other users may pass through (mode 0711 or wider), or set `verify: checksum`.');
}
function accountName(account) {
    return `${(0,mysql/* mysqlString */.Oe)(account.user)}@'localhost'`;
}
/**
 * Runs with the grant tables loaded (install-db runs without them). install-db's accounts go: a dump may
 * name any existing account as the DEFINER of code it then calls, so the one account with rights beyond a
 * single database has a random name the dump cannot know. SET USER lets genuine dumps keep their DEFINER
 * clauses, which then name accounts that do not exist here (a note, not an error, until that code runs).
 */
function identified(account) {
    return `IDENTIFIED VIA mysql_native_password USING PASSWORD(${(0,mysql/* mysqlString */.Oe)(account.password)})`;
}
function initSql(admin) {
    return [
        'DELETE FROM mysql.global_priv;',
        'DELETE FROM mysql.proxies_priv;',
        'FLUSH PRIVILEGES;',
        `CREATE USER ${accountName(admin)} ${identified(admin)};`,
        `GRANT ALL PRIVILEGES ON *.* TO ${accountName(admin)} WITH GRANT OPTION;`,
        ''
    ].join('\n');
}
/**
 * A private MariaDB server for the drill. The dumps it loads come from a host that may be compromised, so
 * it cannot reach the runner: no TCP listener (clients use its socket), not root, no file import or export
 * outside an empty private directory (MariaDB 10.11 has no value that turns them off: NULL stops the
 * server), no LOAD DATA LOCAL, no DATA/INDEX DIRECTORY, and dumps load through an account with rights on
 * their own database only (no FILE, SUPER or plugins). Its own datadir and tmpdir, random passwords that
 * never appear in an argv, and no event scheduler (an imported event must not change rows before they are
 * counted; OFF, not DISABLED, which refuses event DDL in the dump).
 */
async function startThrowawayMariaDb(workRoot, logger, options = {}) {
    const began = Date.now();
    let programs = await findMariaDb();
    if (!programs) {
        await installMariaDb(logger, { mayReplaceMysql: options.mayReplaceMysql ?? process.env.RUNNER_ENVIRONMENT === 'github-hosted' });
        programs = await findMariaDb();
        if (!programs)
            throw new kernel_errors/* PreflightError */.wG(['mariadb-server was installed but no mariadbd and mariadb-install-db were found'], 'install the mariadb-server package on the runner.');
    }
    const adminAccount = { user: `selfhost_${(0,external_node_crypto_.randomBytes)(12).toString('hex')}`, password: (0,external_node_crypto_.randomBytes)(24).toString('base64url') };
    logger.mask(adminAccount.password);
    const user = await serverUser();
    const base = await privateBase(workRoot, user);
    if (base !== external_node_path_default().resolve(workRoot))
        logger.info(`The restore drill's MariaDB keeps its files in ${base}: ${workRoot} is out of its reach or too deep for a socket path`);
    const tempDir = await (0,promises_.mkdtemp)(external_node_path_default().join(base, 'drill-mariadb-'));
    const dataDir = external_node_path_default().join(tempDir, 'data');
    const tmpDir = external_node_path_default().join(tempDir, 'tmp');
    const filesDir = external_node_path_default().join(tempDir, 'files');
    const logFile = external_node_path_default().join(tempDir, 'mariadbd.log');
    const initFile = external_node_path_default().join(tempDir, 'init.sql');
    const socket = external_node_path_default().join(tempDir, 'mariadb.sock');
    let child;
    const stop = async () => {
        if (child)
            await terminate(child);
        child = undefined;
        await (0,promises_.rm)(tempDir, { recursive: true, force: true }).catch(error => logger.warning(`Could not remove ${tempDir}: ${String(error)}`));
    };
    try {
        await (0,promises_.chmod)(tempDir, 0o700);
        await (0,promises_.mkdir)(tmpDir, { mode: 0o700 });
        await (0,promises_.mkdir)(filesDir, { mode: 0o700 });
        await (0,promises_.writeFile)(initFile, initSql(adminAccount), { mode: 0o600 });
        if (user)
            for (const owned of [tempDir, tmpDir, filesDir, initFile])
                await (0,promises_.chown)(owned, user.uid, user.gid);
        const userOption = user ? [`--user=${user.name}`] : [];
        // The options both ways of building the datadir share (the server's own options come after).
        const datadirOptions = [`--datadir=${dataDir}`, ...userOption, '--skip-name-resolve', `--tmpdir=${tmpDir}`, ...STORAGE_OPTIONS];
        const systemTables = await systemTablesSql(programs.server, options.systemTableDirectories);
        if (systemTables) {
            // What mariadb-install-db does, without the tables no dump needs (see SYSTEM_TABLE_SCRIPTS).
            await (0,promises_.mkdir)(dataDir, { mode: 0o700 });
            if (user)
                await (0,promises_.chown)(dataDir, user.uid, user.gid);
            const bootstrap = [programs.server, '--no-defaults', '--bootstrap', '--log-warnings=0', '--enforce-storage-engine=', ...datadirOptions];
            await throwaway_mariadb_local.run((0,shell/* command */.G5)(bootstrap), { stdin: systemTables, description: 'Creating the throwaway MariaDB system tables' });
        }
        else {
            const installDb = [programs.installDb, '--no-defaults', '--auth-root-authentication-method=normal', '--skip-test-db', ...datadirOptions];
            await throwaway_mariadb_local.run((0,shell/* command */.G5)(installDb), { description: 'Initialising the throwaway MariaDB datadir' });
        }
        const argv = [
            '--no-defaults',
            `--datadir=${dataDir}`,
            `--socket=${socket}`,
            '--skip-networking',
            `--pid-file=${external_node_path_default().join(tempDir, 'mariadbd.pid')}`,
            `--log-error=${logFile}`,
            `--tmpdir=${tmpDir}`,
            `--init-file=${initFile}`,
            ...userOption,
            `--secure-file-priv=${filesDir}`,
            '--local-infile=0',
            '--skip-symbolic-links',
            '--skip-name-resolve',
            '--event-scheduler=OFF',
            '--skip-log-bin',
            '--performance-schema=OFF',
            '--max-allowed-packet=1G',
            '--character-set-server=utf8mb4',
            '--collation-server=utf8mb4_unicode_ci',
            '--innodb-flush-log-at-trx-commit=0',
            '--innodb-doublewrite=0',
            '--sync-frm=0',
            ...STORAGE_OPTIONS
        ];
        const stdio = (0,external_node_fs_.openSync)(external_node_path_default().join(tempDir, 'stdio.log'), 'a');
        try {
            child = (0,external_node_child_process_.spawn)(programs.server, argv, { stdio: ['ignore', stdio, stdio], env: (0,child_environment/* childEnvironment */.Q)() });
        }
        finally {
            (0,external_node_fs_.closeSync)(stdio);
        }
        const admin = { mode: 'socket', socket, ...adminAccount };
        if (!(await waitUntilReady(child, admin, logFile))) {
            throw new kernel_errors/* PreflightError */.wG([`the throwaway MariaDB server did not start:\n${await logTail(logFile)}`], 'check the runner has free disk space in the work directory.');
        }
        await (0,promises_.rm)(initFile, { force: true });
        logger.info(`Throwaway MariaDB (${programs.server}) started in ${(0,log/* formatSeconds */.Xo)(Date.now() - began)}, listening on ${socket} only${user ? `, as the user ${user.name}` : ''}`);
        // One account per database: dumps import side by side, each confined to its own database.
        let accounts = 0;
        const importAccount = async (database) => {
            const importer = { user: `${IMPORT_USER}_${++accounts}`, password: (0,external_node_crypto_.randomBytes)(24).toString('base64url') };
            logger.mask(importer.password);
            await (0,mysql/* runSql */.Wt)(throwaway_mariadb_local, admin, grantOnly(importer, database));
            return { mode: 'socket', socket, ...importer };
        };
        return { pid: child.pid, socket, password: adminAccount.password, admin, importAccount, stop };
    }
    catch (error) {
        await stop();
        throw error;
    }
}
/** A new account `importer` with every right on `database` (and SET USER) and none on any other database. */
function grantOnly(importer, database) {
    if (RESERVED_DATABASES.includes(database.toLowerCase()) || /[\\\0]/.test(database) || database === '') {
        throw new kernel_errors/* VerificationError */.mk(`the drill does not load a dump into a database named ${JSON.stringify(database)}`, 'a dump of an application database never has this name: the backup was not made from the configured databases.');
    }
    // In GRANT, _ and % in a database name are wildcards (`mysq_` would match mysql); escaped, they match themselves.
    const pattern = (0,mysql/* mysqlIdentifier */.c4)(database.replace(/[_%]/g, '\\$&'));
    return [
        `CREATE USER ${accountName(importer)} ${identified(importer)};`,
        `GRANT SET USER ON *.* TO ${accountName(importer)};`,
        `GRANT ALL PRIVILEGES ON ${pattern}.* TO ${accountName(importer)};`
    ].join('\n');
}
/** Polls with the product's own client path, which passes the password through stdin, never argv. */
async function waitUntilReady(child, access, logFile) {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline && !exited(child)) {
        if ((await (0,promises_.readFile)(logFile, 'utf8').catch(() => '')).includes('ready for connections')) {
            const ok = await (0,mysql/* runSql */.Wt)(throwaway_mariadb_local, access, 'SELECT 1;').then(() => true, () => false);
            if (ok)
                return true;
        }
        await sleep(100);
    }
    return false;
}

;// CONCATENATED MODULE: ./src/pipeline/drill.ts













/** Everything runs on the runner; nothing here can reach the backed-up host. */
const runner = new local/* LocalTransport */.V({ sudo: false });
/** Error text as one line: tar/client stderr arrives indented over several lines. */
function oneLine(error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.replace(/\s*\n\s*/g, ' | ').trim();
}
/**
 * The client echoes the failing statement (row data) before its ERROR line; the detail goes to logs, the
 * job summary and the manifest, so only the error itself is kept, without the "near '…'" data excerpt.
 */
function importFailure(error) {
    if (!(error instanceof kernel_errors/* HostCommandError */.MK))
        return oneLine(error);
    const errors = error.stderr
        .split('\n')
        .filter(line => /^(ERROR|mariadb:|mysql:|selfhost-backup:)/.test(line))
        .map(line => line.replace(/ near '.*' at line (\d+)$/, ' (at line $1 of that statement)'));
    return errors.length > 0 ? errors.slice(-3).join(' | ') : `the client exited with code ${error.exitCode ?? 'none'}`;
}
/** The snapshot is the one part the drill needs as a file: SQLite opens files. Decompressed as it streams. */
async function watchSqlite(spec, plaintext, dir) {
    const file = external_node_path_default().join(dir, 'snapshot.sqlite');
    await runner.run((0,shell/* script */.K$)(`${(0,compression/* decompressCommand */.pN)(spec.compression)} > ${(0,shell/* quote */.hD)(file)}`), { stdin: plaintext, description: 'Decompressing the snapshot' });
    return async (record) => {
        const expected = record.tables;
        if (!expected)
            throw new kernel_errors/* VerificationError */.mk('the manifest holds no row counts to compare with');
        // integrity_check first (inside inspectSqlite): a corrupt page fails here, before counts are trusted.
        const actual = await (0,sqlite/* inspectSqlite */.jG)(runner, file);
        (0,sqlite/* compareCounts */.G8)(expected, actual, 'the snapshot');
        const rows = Object.values(actual).reduce((sum, count) => sum + count, 0);
        return `integrity_check ok; ${Object.keys(actual).length} tables, ${rows} rows, as in the manifest`;
    };
}
/**
 * A dump is imported into the throwaway MariaDB as it streams, while its last bytes are kept for the trailer
 * check: a dump cut exactly after a complete statement imports without an error, and a dump cut
 * mid-statement fails in the client. Both problems are reported together, with the inventory comparison.
 */
async function watchDump(spec, plaintext, database) {
    const name = String(spec.details?.database ?? spec.name.replace(/^db-/, ''));
    // Created as a restore would create it, with the defaults the backup recorded; a malformed value fails the check here.
    const defaults = (0,mysql_defaults/* recordedDefaults */.BZ)(spec);
    const server = await database();
    // The dump comes from the host, which may be compromised: it loads through an account confined to its database.
    const access = await server.importAccount(name).catch((error) => {
        throw new kernel_errors/* VerificationError */.mk(oneLine(error));
    });
    const outlets = new fanout/* Fanout */.K();
    // A failed import is a finding, not a reason to stop reading: the dump still flows on to the store.
    const imported = outlets.add(input => (0,mysql/* importDatabase */.DD)(runner, access, name, spec.compression, input, defaults).then(created => ({ created }), (error) => ({ error })));
    const tail = outlets.add(input => runner.run((0,shell/* script */.K$)((0,shell/* pipeline */.Tk)((0,compression/* decompressCommand */.pN)(spec.compression), 'tail -c 300')), { stdin: input, allowFailure: true, description: 'Reading the end of the dump' }));
    for await (const data of plaintext)
        await outlets.write(data);
    await outlets.finish();
    const ending = await tail;
    const outcome = await imported;
    return async (record) => {
        const problems = [];
        if (ending.exitCode !== 0)
            problems.push(`decompressing it failed: ${oneLine(ending.stderr)}`);
        else if (!/-- Dump completed/.test(ending.stdout))
            problems.push('it does not end with the "-- Dump completed" trailer, so it is truncated');
        try {
            if ('error' in outcome) {
                const reason = importFailure(outcome.error);
                const sandbox = /Unknown command '\\-'/.test(reason) ? " (the runner's MariaDB client is older than the server that made the dump)" : '';
                problems.push(`importing it failed${sandbox}: ${reason}`);
                throw new kernel_errors/* VerificationError */.mk(problems.join('; '));
            }
            const inventory = await (0,mysql/* inventoryDatabase */.OP)(runner, server.admin, name);
            try {
                (0,mysql/* checkInventory */.Lb)(name, record, inventory);
            }
            catch (error) {
                problems.push(oneLine(error).replace(/^The restored database/, 'the imported database'));
            }
            if (problems.length > 0)
                throw new kernel_errors/* VerificationError */.mk(problems.join('; '));
            const rows = Object.values(inventory.tables).reduce((sum, count) => sum + count, 0);
            const { routines, triggers, events, views } = inventory.objects;
            // A part without recorded defaults (a test's, or one from before they were recorded) keeps its old wording.
            const created = outcome.created.note ? '' : `, default ${(0,mysql_defaults/* describeDefaults */.EK)(outcome.created.defaults)}`;
            return `imported into a throwaway MariaDB: ${Object.keys(inventory.tables).length} tables, ${rows} rows, ${routines} routines, ${triggers} triggers, ${events} events, ${views} views${created}, as in the manifest`;
        }
        finally {
            // Checked and gone: the throwaway server holds a database only while its check needs it.
            await (0,mysql/* runSql */.Wt)(runner, server.admin, `DROP DATABASE IF EXISTS ${(0,mysql/* mysqlIdentifier */.c4)(name)};`).catch(() => undefined);
        }
    };
}
async function watchPart(spec, plaintext, dir, database) {
    switch (spec.kind) {
        case 'sqlite':
            return watchSqlite(spec, plaintext, dir);
        case 'sql-dump':
            return watchDump(spec, plaintext, database);
        case 'tar': {
            const summary = await (0,tar_check/* checkTarballStream */.t)(runner, plaintext, spec.compression);
            return async () => summary;
        }
        default:
            throw new kernel_errors/* VerificationError */.mk(`the drill does not know parts of kind ${JSON.stringify(spec.kind)}`);
    }
}
/**
 * Proves on the runner that each part restores, reading its plaintext as the backup streams it (a tee), so
 * the runner keeps no copy of the data: SQLite snapshots open cleanly with the manifest's row counts, SQL
 * dumps load into a throwaway MariaDB with the manifest's inventory, tarballs hold only safe members and
 * read to their end with their checksums. Every part is checked even after one fails, and a failing check
 * still reads its stream to the end, so it never holds up the backup.
 */
class DrillSession {
    context;
    root;
    server;
    closed = false;
    constructor(context) {
        this.context = context;
    }
    /** Reads one part's plaintext to its end and answers how to finish its check once the part's record is complete. */
    async watch(spec, plaintext) {
        const { logger } = this.context;
        const began = Date.now();
        let dir;
        let compare;
        let failure;
        try {
            dir = await (0,promises_.mkdtemp)(external_node_path_default().join(await this.rootDir(), 'part-'));
            compare = await watchPart(spec, plaintext, dir, () => this.database());
        }
        catch (error) {
            failure = error;
            // Whatever the check did not read still flows past it, to the store.
            plaintext.on('error', () => undefined).resume();
        }
        return async (record) => {
            let result;
            try {
                if (!compare)
                    throw failure;
                result = { name: record.name, ok: true, detail: await compare(record) };
            }
            catch (error) {
                result = { name: record.name, ok: false, detail: oneLine(error) };
            }
            finally {
                if (dir)
                    await removeTree(dir, logger);
            }
            const durationMs = Date.now() - began;
            // The time runs from the part's first byte: the check reads the part while it is made.
            logger.info(`Drill ${result.ok ? 'passed' : 'FAILED'} for ${record.name} in ${(0,log/* formatSeconds */.Xo)(durationMs)}: ${result.detail}`);
            return { ...result, durationMs };
        };
    }
    /**
     * Starts the throwaway server now, when the backup will make dumps: each dump waits for it before its
     * bytes flow, so a start overlapped with connecting and preflight costs nothing. A failure to start is
     * reported by the first dump's check.
     */
    warmUp() {
        this.database().catch(() => undefined);
    }
    /** Stops the throwaway server (if a dump started it) and removes every file the drill made. */
    async close() {
        const { logger } = this.context;
        if (this.closed)
            return;
        this.closed = true;
        if (this.server) {
            const started = await this.server.catch(() => undefined);
            await started?.stop().catch(error => logger.warning(`Could not stop the throwaway MariaDB: ${oneLine(error)}`));
        }
        if (this.root) {
            const root = await this.root.catch(() => undefined);
            if (root)
                await removeTree(root, logger);
        }
    }
    rootDir() {
        this.root ??= (0,promises_.mkdtemp)(external_node_path_default().join(this.context.workRoot, 'drill-')).then(async (root) => {
            // On a root runner the throwaway server runs as another user and keeps its files in here: it may pass, not list.
            await (0,promises_.chmod)(root, 0o711);
            return root;
        });
        return this.root;
    }
    /** Started on the first dump only, then shared by all of them: a server start costs seconds. */
    async database() {
        const root = await this.rootDir();
        this.server ??= (this.context.startDatabase ?? startThrowawayMariaDb)(root, this.context.logger);
        return this.server;
    }
}
/** The drill's verdict: nothing verified is not "verified", so an empty list must not turn into verified: true. */
function drillReport(parts) {
    return { ok: parts.length > 0 && parts.every(part => part.ok), parts };
}
/** What the drill left (a snapshot, a throwaway server's files) is made writable first, so removal works as a non-root user. */
async function removeTree(dir, logger) {
    try {
        await runner.run((0,shell/* script */.K$)(`chmod -R u+rwX -- ${(0,shell/* quote */.hD)(dir)} 2>/dev/null || true`), { description: 'Preparing temp files for removal' });
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
    catch (error) {
        logger.warning(`Could not remove the drill's temp files in ${dir}: ${oneLine(error)}`);
    }
}

// EXTERNAL MODULE: ./src/kernel/encryption.ts
var encryption = __webpack_require__(9396);
// EXTERNAL MODULE: ./src/pipeline/lock.ts
var pipeline_lock = __webpack_require__(799);
// EXTERNAL MODULE: ./src/pipeline/incremental.ts
var pipeline_incremental = __webpack_require__(878);
// EXTERNAL MODULE: ./src/kernel/manifest.ts
var kernel_manifest = __webpack_require__(592);
// EXTERNAL MODULE: ./src/kernel/manifest-file.ts + 1 modules
var manifest_file = __webpack_require__(3270);
// EXTERNAL MODULE: ./src/pipeline/staging.ts + 1 modules
var pipeline_staging = __webpack_require__(5437);
// EXTERNAL MODULE: ./src/pipeline/stage-clock.ts
var stage_clock = __webpack_require__(3003);
// EXTERNAL MODULE: ./src/kernel/app-version.ts
var app_version = __webpack_require__(7875);
// EXTERNAL MODULE: ./src/pipeline/app-version-check.ts
var app_version_check = __webpack_require__(6845);
// EXTERNAL MODULE: ./src/pipeline/chunk-writer.ts + 1 modules
var chunk_writer = __webpack_require__(8602);
// EXTERNAL MODULE: ./src/pipeline/verification.ts
var pipeline_verification = __webpack_require__(7147);
;// CONCATENATED MODULE: ./src/pipeline/backup.ts

















const DEFAULT_VERIFICATION = { mode: 'backup', verify: 'checksum', shrinkThreshold: 50, failOnShrink: false };
/** A failed drill or size check: the backup was stored for inspection, but not as a complete backup. */
class UnverifiedBackupError extends kernel_errors/* SelfhostBackupError */.FZ {
    result;
    constructor(result, reasons) {
        super(`Backup ${result.manifest.backupId} failed verification and is not a restorable backup:\n${reasons.map(reason => `  - ${reason}`).join('\n')}`, 'look at the parts named above on the host; a restore without backup-id keeps picking the previous good backup.');
        this.result = result;
    }
}
/**
 * inputs → recipe.backup → parts hashed (and encrypted) as they stream → restore drill → size check →
 * manifest written last → store. Until a verified manifest is stored, a listing shows no new backup.
 */
async function runBackup(request) {
    const { transport, logger } = request;
    const now = request.now ?? (() => new Date());
    const verification = request.verification ?? DEFAULT_VERIFICATION;
    const { signer, trust } = request.keys;
    if (!signer)
        throw new Error('a backup needs a signing key (parseSigningInputs requires one)');
    const stages = new stage_clock/* StageClock */.V();
    // A bucket that is missing, refuses the credentials or lacks the Object Lock asked for fails before any work.
    await request.store.preflight?.();
    await transport.open();
    stages.end('connect');
    const staging = await (0,promises_.mkdtemp)((0,external_node_path_.join)(request.workRoot, 'selfhost-backup-staging-'));
    const recipients = request.recipients ?? [];
    // The drill reads each part as it streams past (a tee), so no copy of the data waits for it on the runner.
    const drillSession = verification.verify === 'drill' ? new DrillSession({ logger, workRoot: request.workRoot }) : undefined;
    // When every candidate app makes dumps, the drill's server starts while this run connects and checks the host.
    if (drillSession && request.recipes.every(candidate => candidate.recipe.makesDatabaseDumps))
        drillSession.warmUp();
    let session;
    let sink;
    let committed = false;
    let keptManifest;
    try {
        const { recipe, options: parsed } = await chooseRecipe(request);
        const context = { logger };
        const options = await logger.group(`Checking ${transport.label} for ${recipe.title}`, () => recipe.preflight(transport, parsed, 'backup', context));
        const application = await (0,app_version_check/* readRunningVersion */.k)(transport, { recipe, options }, logger);
        logger.info(`${recipe.title} version: ${(0,app_version/* describeAppVersion */.VS)(application)}`);
        const notCovered = checkCoverage(recipe, options, request.coverage ?? 'report', logger);
        stages.end('preflight');
        const startedAt = now();
        const backupId = (0,kernel_manifest/* newBackupId */._H)(recipe.id, transport.hostId, startedAt);
        logger.info(`Backup ${backupId} of ${recipe.title} on ${transport.label}`);
        if (recipients.length === 0 && request.store.traits.readableByOthers) {
            logger.warning('This backup is not encrypted: anyone with read access to the repository can download its artifacts. Set encrypt-to (an age recipient) to encrypt it.');
            await refusePlainSecrets(recipe, options, request);
        }
        const lock = await (0,pipeline_lock/* acquireHostLock */.QM)(transport, recipe.dataRoot(options), request.lockTimeoutSeconds ?? 600, logger);
        let incremental;
        try {
            let plan;
            if (request.incremental?.enabled) {
                const target = { app: recipe.id, hostId: transport.hostId, backupId, dataRoot: recipe.dataRoot(options), options: recipe.describeOptions(options), startedAt };
                plan = await (0,pipeline_incremental/* planIncremental */.Wt)(transport, request.store, target, request.incremental, { workRoot: request.workRoot, trust }, logger);
                incremental = { level: plan.level, chain: plan.chain, baseStartedAt: plan.baseStartedAt, fullEveryDays: plan.fullEveryDays };
            }
            // Each finished part goes to the store while the next one streams from the host.
            const storing = request.store.begin({ backupId, dir: staging, incremental });
            session = storing;
            // A store on the runner's filesystems takes the parts where they are written: no copy in RUNNER_TEMP.
            const storeDir = await storing.writeDirectory?.();
            const created = new pipeline_staging/* StagingDirectory */.Pn(staging, backupId, logger, {
                recipients,
                drill: drillSession,
                chunkSize: request.chunkSize ?? chunk_writer/* DEFAULT_CHUNK_SIZE */.WI,
                handOver: file => storing.addPart(file),
                storeDir
            });
            sink = created;
            stages.end('lock and plan');
            await logger.group('Backing up', () => recipe.backup(transport, options, created, { ...context, incremental: plan }));
            stages.end('parts');
            // A lock lost half-way means another job could have changed the data while it was read.
            await lock.assertHeld('backup');
        }
        finally {
            await lock.release();
        }
        await transport.close();
        stages.end('unlock and disconnect');
        if (!sink || !session)
            throw new Error('the backup produced no parts');
        const staged = sink;
        const openSession = session;
        const drill = drillSession ? drillReport(await logger.group('Restore drill', () => staged.drillResults())) : undefined;
        await drillSession?.close();
        if (drill)
            stages.end('drill');
        const sizeCheck = await (0,pipeline_verification.compareWithPrevious)(request.store, { app: recipe.id, hostId: transport.hostId, parts: staged.parts }, verification, { workRoot: request.workRoot, trust }, logger);
        const failures = [
            ...(drill?.parts.filter(part => !part.ok).map(part => `drill of ${part.name}: ${part.detail}`) ?? []),
            ...(verification.failOnShrink ? sizeCheck.shrunk.map(line => `size check: ${line}`) : [])
        ];
        const unsigned = (0,kernel_manifest/* assembleManifest */.oh)({
            backupId,
            app: recipe.id,
            host: transport.label,
            hostId: transport.hostId,
            startedAt: startedAt.toISOString(),
            finishedAt: now().toISOString(),
            options: recipe.describeOptions(options),
            parts: staged.parts,
            verification: { method: verification.verify, ok: failures.length === 0, parts: drill?.parts.map(({ name, ok, detail }) => ({ name, ok, detail })), sizeCheck },
            ...(recipients.length > 0 ? { encryption: { format: 'age', recipients: recipients.map(encryption/* recipientFingerprint */.AF) } } : {}),
            ...(incremental ? { incremental } : {}),
            application,
            ...(notCovered.length > 0 ? { notCovered } : {})
        });
        const manifestFile = failures.length === 0 ? (0,kernel_manifest/* manifestFileName */.V6)(backupId) : `${backupId}${kernel_manifest/* UNVERIFIED_SUFFIX */.yv}`;
        const manifest = await (0,manifest_file/* writeManifest */.HN)((0,external_node_path_.join)(staging, manifestFile), unsigned, signer);
        stages.end('size check and manifest');
        const saved = await logger.group(`Storing in the ${request.store.kind} store`, () => openSession.commit(manifestFile, manifest.parts.flatMap(kernel_manifest/* storedFilesOf */.Ev)));
        stages.end('store');
        // Where the time went, so a fixed cost cannot hide (each part's own time is logged with it; uploads overlap the parts).
        logger.info(`Stages: ${stages.summary()}`);
        committed = true;
        keptManifest = saved.manifestPath;
        const bytes = staged.parts.reduce((sum, part) => sum + part.bytes, 0);
        const result = { manifest, manifestPath: saved.manifestPath, saved, bytes, verified: failures.length === 0 && verification.verify === 'drill' };
        if (failures.length > 0)
            throw new UnverifiedBackupError(result, failures);
        logger.info(`Backup ${backupId} complete${drill ? ' and drill-verified' : ''}: ${staged.parts.length} parts, ${(0,log/* formatBytes */.z3)(bytes)}, stored in ${saved.where}`);
        return result;
    }
    catch (error) {
        // Parts stored before the failure are removed: without a manifest nothing lists them, but they take space.
        if (session && !committed)
            await session.abandon();
        throw error;
    }
    finally {
        // The staged parts go; the manifest stays where the store says it can be read (the `manifest` output).
        await removeStagingExcept(staging, keptManifest);
        await drillSession?.close();
        await transport.close().catch(error => logger.warning(`Closing the connection: ${error.message}`));
    }
}
/** What the install keeps that this backup will not hold: said as a warning, or with coverage: strict refused before any work. */
function checkCoverage(recipe, options, coverage, logger) {
    const notCovered = recipe.notCovered?.(options) ?? [];
    if (notCovered.length === 0)
        return notCovered;
    if (coverage === 'strict') {
        throw new kernel_errors/* PreflightError */.wG(notCovered.map(line => `not covered: ${line}`), 'back these up another way and list what they are, or set coverage: report to back up the rest and name them in the summary; nothing was backed up.');
    }
    logger.warning(['This backup will not hold everything the install keeps:', ...notCovered.map(line => `  - ${line}`), 'coverage: strict makes this an error.'].join('\n'));
    return notCovered;
}
async function chooseRecipe(request) {
    const chosen = await (0,registry.detectRecipe)(request.transport, request.recipes);
    if (request.recipes.length > 1)
        request.logger.info(`app: auto found ${chosen.recipe.title} (${chosen.evidence})`);
    return chosen;
}
/** Removes the staging directory, or everything in it but `keep` when the store left its manifest there. */
async function removeStagingExcept(staging, keep) {
    if (!keep || (0,external_node_path_.dirname)(keep) !== staging) {
        await (0,promises_.rm)(staging, { recursive: true, force: true });
        return;
    }
    for (const entry of await (0,promises_.readdir)(staging).catch(() => [])) {
        if (entry !== (0,external_node_path_.basename)(keep))
            await (0,promises_.rm)((0,external_node_path_.join)(staging, entry), { recursive: true, force: true });
    }
}
/** Files holding the app's own secrets go into plain artifacts only when the user said so. */
async function refusePlainSecrets(recipe, options, request) {
    const secrets = (await recipe.secretFiles?.(request.transport, options)) ?? [];
    if (secrets.length === 0)
        return;
    if (request.allowUnencryptedSecrets) {
        request.logger.warning(`allow-unencrypted-secrets is on: ${secrets.join('; ')} will be readable by anyone with read access to the repository.`);
        return;
    }
    throw new kernel_errors/* InputError */.dz('encrypt-to', `is empty, and this backup would store ${secrets.join('; ')} as a plain artifact that anyone with read access to the repository can download. Nothing was backed up.`, 'set encrypt-to to an age recipient (README: "Encrypting backups"), or set allow-unencrypted-secrets: true to store them unencrypted on purpose.');
}

// EXTERNAL MODULE: ./src/kernel/manifest-keys.ts
var manifest_keys = __webpack_require__(3625);
// EXTERNAL MODULE: ./src/kernel/concurrency.ts
var concurrency = __webpack_require__(490);
// EXTERNAL MODULE: ./src/pipeline/retention.ts
var retention = __webpack_require__(892);
;// CONCATENATED MODULE: ./src/pipeline/prune.ts




/** The id the upcoming backup goes by in a dry run; no real id can look like it. */
const UPCOMING = '(this backup)';
/** Store calls (manifest downloads, deletions) in flight at once: round trips overlap, the store is not flooded. */
const STORE_CALLS_AT_ONCE = 8;
const describePolicy = (policy) => retention/* RETENTION_RULES */.hO.filter(rule => policy[rule] > 0)
    .map(rule => `keep-${rule} ${policy[rule]}`)
    .join(', ');
/**
 * Applies a retention policy to one app's and host's backups in a store. Only backups whose signed
 * manifest verifies are candidates, and their age is the time in that manifest (an id or a store date
 * can be made up; a signature cannot). Whatever the policy says, the newest backup, the newest
 * drill-verified one and every backup an incremental chain of a kept one builds on stay.
 */
async function runPrune(request) {
    const { store, target, policy, logger } = request;
    const manifests = new Map();
    const leftAlone = [];
    // Every manifest is read and its signature checked: a year of nightly backups is hundreds of small
    // downloads, so several at a time (each is a round trip to the store).
    const read = await (0,concurrency/* mapWithLimit */.c$)(await store.list({ ...target, everywhere: true }), STORE_CALLS_AT_ONCE, async (backup) => {
        try {
            return { backup, manifest: await (0,pipeline_verification.fetchManifest)(store, backup, request.reading) };
        }
        catch (error) {
            if (!(error instanceof kernel_errors/* SelfhostBackupError */.FZ))
                throw error;
            return { backup, refused: error.message };
        }
    });
    for (const { backup, manifest, refused } of read) {
        if (manifest)
            manifests.set(backup.backupId, { backup, manifest });
        else
            leftAlone.push({ backupId: backup.backupId, reason: refused ?? 'its manifest could not be read' });
    }
    const candidates = [...manifests.values()].map(({ manifest }) => ({ backupId: manifest.backupId, takenAt: new Date(manifest.startedAt) }));
    if (request.upcoming)
        candidates.push({ backupId: UPCOMING, takenAt: request.upcoming });
    const takenAt = new Map(candidates.map(candidate => [candidate.backupId, candidate.takenAt.getTime()]));
    const verdict = (0,retention/* decideRetention */.pe)(candidates, policy);
    const reasons = new Map(verdict.kept.map(kept => [kept.backupId, [...kept.reasons]]));
    const protect = (backupId, reason) => {
        if (backupId && takenAt.has(backupId))
            reasons.set(backupId, [...(reasons.get(backupId) ?? []), reason]);
    };
    const newestFirst = [...verdict.kept.map(kept => kept.backupId), ...verdict.forgotten].sort((a, b) => takenAt.get(b) - takenAt.get(a));
    protect(newestFirst[0], 'the newest backup');
    protect(newestFirst.find(id => {
        const verification = manifests.get(id)?.manifest.verification;
        return verification?.method === 'drill' && verification.ok;
    }), 'the newest drill-verified backup');
    // A chain lists every backup it builds on, the full one first: one pass over the kept ones covers it.
    for (const backupId of [...reasons.keys()])
        for (const link of manifests.get(backupId)?.manifest.incremental?.chain ?? [])
            protect(link, `needed by ${backupId}`);
    const doomed = newestFirst.filter(id => !reasons.has(id) && id !== UPCOMING);
    const deleted = [];
    const refused = [];
    logger.info(`Retention (${describePolicy(policy)}) for ${target.app} on ${target.hostId}: ${manifests.size} backups, ${reasons.size} kept, ${doomed.length} to delete${request.dryRun ? ' (dry-run: nothing is deleted)' : ''}`);
    if (request.dryRun) {
        for (const backupId of doomed)
            logger.info(`would delete ${backupId}`);
        deleted.push(...doomed);
    }
    else {
        const outcomes = await (0,concurrency/* mapWithLimit */.c$)(doomed, STORE_CALLS_AT_ONCE, backupId => store.delete(manifests.get(backupId).backup));
        outcomes.forEach((outcome, index) => {
            const backupId = doomed[index];
            if (outcome.deleted) {
                logger.info(`deleted ${backupId}`);
                deleted.push(backupId);
            }
            else {
                logger.info(`kept ${backupId}: ${outcome.refused}`);
                refused.push({ backupId, reason: outcome.refused });
            }
        });
    }
    for (const skipped of leftAlone)
        logger.warning(`Retention leaves ${skipped.backupId} alone: ${skipped.reason}`);
    const kept = newestFirst.filter(id => reasons.has(id) && id !== UPCOMING).map(backupId => ({ backupId, reasons: reasons.get(backupId) }));
    return { kept, deleted, refused, leftAlone, dryRun: request.dryRun };
}

;// CONCATENATED MODULE: ./src/pipeline/budget.ts




class BudgetError extends kernel_errors/* SelfhostBackupError */.FZ {
}
/**
 * Before a backup uploads anything: what the store holds now, minus what retention will delete once this
 * backup is stored, plus this backup (expected to be as large as the last one of the same app and host)
 * must fit the budget. The store's own figures are used (for artifacts: every artifact of the repository,
 * backups or not, as GitHub counts them against the quota).
 */
async function checkBudget(check) {
    const { store, budget, logger } = check;
    if (!store.usage)
        throw new Error(`the ${store.kind} store does not report its usage`);
    const usage = await store.usage();
    if (!usage)
        throw new BudgetError("storage-budget needs to list the repository's artifacts, and there is no token to do it with.", 'set `github-token` (the default `${{ github.token }}` works with `permissions: actions: read`).');
    const mine = usage.backups.filter(backup => backup.hostId === check.target.hostId && (!check.target.app || backup.app === check.target.app));
    const expectedBytes = mine[0]?.bytes ?? 0;
    let freedBytes = 0;
    if (check.target.app && (0,retention/* hasRetention */.D2)(check.policy)) {
        const pruned = await runPrune({
            store,
            target: { app: check.target.app, hostId: check.target.hostId },
            policy: check.policy,
            dryRun: true,
            upcoming: new Date(),
            reading: check.reading,
            logger: silent(logger)
        });
        const going = new Set(pruned.deleted);
        freedBytes = mine.filter(backup => going.has(backup.backupId)).reduce((sum, backup) => sum + backup.bytes, 0);
    }
    const projection = { storedBytes: usage.totalBytes, freedBytes, expectedBytes, projectedBytes: usage.totalBytes - freedBytes + expectedBytes, budgetBytes: budget.bytes };
    const text = `${(0,log/* formatBytes */.z3)(projection.storedBytes)} stored${freedBytes > 0 ? `, ${(0,log/* formatBytes */.z3)(freedBytes)} of it deleted by retention after this backup` : ''}, and this backup (about ${(0,log/* formatBytes */.z3)(expectedBytes)}, the size of the last one${mine.length === 0 ? ': none yet, so unknown' : ''}) make ${(0,log/* formatBytes */.z3)(projection.projectedBytes)}, ${projection.projectedBytes > budget.bytes ? 'more than' : 'within'} the storage budget of ${(0,log/* formatBytes */.z3)(budget.bytes)}`;
    if (projection.projectedBytes <= budget.bytes) {
        logger.info(`Storage budget: ${text}.`);
        return projection;
    }
    const hint = 'delete old backups or other artifacts, keep fewer (keep-* inputs, retention-days), leave large paths out (exclude), raise storage-budget, or set on-budget: warn.';
    if (budget.onExceed === 'warn') {
        logger.warning(`Storage budget: ${text}; going on (on-budget: warn).`);
        return projection;
    }
    throw new BudgetError(`Storage budget: ${text}. Nothing was uploaded.`, hint);
}
/** "412.3 MiB kept in 37 backups (and 2 other artifacts); the oldest expires 2026-12-30" */
function usageLine(usage) {
    const others = usage.otherBytes > 0 ? ` (and ${(0,log/* formatBytes */.z3)(usage.otherBytes)} of other artifacts)` : '';
    const oldest = usage.backups
        .map(backup => backup.expiresAt)
        .filter((date) => Boolean(date))
        .sort()[0];
    return `${(0,log/* formatBytes */.z3)(usage.totalBytes - usage.otherBytes)} kept in ${usage.backups.length} backups${others}${oldest ? `; the oldest kept backup expires ${oldest.slice(0, 10)}` : ''}`;
}
/** The dry-run's own lines would read as if this retention ran now; only its warnings are worth passing on. */
function silent(logger) {
    return { ...logger, info: () => undefined, group: (_title, work) => work() };
}

;// CONCATENATED MODULE: ./src/pipeline/backup-command.ts







/** What the backup action and `selfhost-backup backup` do: a backup, or with mode: check only the gate's question. */
async function runBackupCommand(inputs, deps) {
    const { verification } = inputs;
    const keys = await (0,manifest_keys.loadManifestKeys)(inputs.signing);
    if (verification.mode === 'check') {
        if (inputs.app === 'auto')
            throw new kernel_errors/* InputError */.dz('app', 'must name the application with mode: check (nothing on the host is inspected).', 'set app, e.g. app: tabby.');
        const manifest = await (0,pipeline_verification.checkRecentVerifiedBackup)(deps.store, { app: inputs.app, hostId: deps.transport.hostId }, verification.maxAgeSeconds ?? 0, deps.workRoot, keys.trust, deps.logger);
        deps.logger.info(`mode: check passed: ${manifest.backupId} finished ${manifest.finishedAt} and passed its restore drill.`);
        return { mode: 'check', manifest };
    }
    const reading = { workRoot: deps.workRoot, trust: keys.trust };
    const prune = (target) => deps.logger.group('Retention', () => runPrune({ store: deps.store, target, policy: inputs.retention.policy, dryRun: inputs.retention.dryRun, reading, logger: deps.logger }));
    if (verification.mode === 'prune') {
        if (inputs.app === 'auto')
            throw new kernel_errors/* InputError */.dz('app', 'must name the application with mode: prune (nothing on the host is inspected).', 'set app, e.g. app: tabby.');
        return { mode: 'prune', pruned: await prune({ app: inputs.app, hostId: deps.transport.hostId }) };
    }
    if (inputs.budget) {
        const app = inputs.app === 'auto' ? undefined : inputs.app;
        await deps.logger.group('Storage budget', () => checkBudget({ store: deps.store, target: { app, hostId: deps.transport.hostId }, budget: inputs.budget, policy: inputs.retention.policy, reading, logger: deps.logger }));
    }
    const result = await runBackup({
        recipes: inputs.recipes,
        recipients: inputs.recipients,
        verification,
        lockTimeoutSeconds: inputs.lockTimeoutSeconds,
        incremental: inputs.incremental,
        allowUnencryptedSecrets: inputs.allowUnencryptedSecrets,
        chunkSize: inputs.chunkSize,
        coverage: inputs.coverage,
        keys,
        ...deps
    });
    // The backup is stored and verified whatever retention does next: a failure here is a warning, not a failed backup.
    const pruned = (0,retention/* hasRetention */.D2)(inputs.retention.policy)
        ? await prune({ app: result.manifest.app, hostId: result.manifest.hostId }).catch((error) => {
            deps.logger.warning(`The backup is stored, but applying retention failed: ${error.message}`);
            return undefined;
        })
        : undefined;
    return { mode: 'backup', result, pruned, storage: await storageLine(deps.store, deps.logger) };
}
/** What a store with a quota holds now, for the summary; a store that cannot tell (no token) gets a warning instead. */
async function storageLine(store, logger) {
    if (!store.usage)
        return undefined;
    try {
        const usage = await store.usage();
        if (!usage)
            return undefined;
        const line = usageLine(usage);
        logger.info(`Storage: ${line}`);
        return line;
    }
    catch (error) {
        logger.warning(`Could not add up the stored backups: ${error.message}`);
        return undefined;
    }
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


/***/ })

};

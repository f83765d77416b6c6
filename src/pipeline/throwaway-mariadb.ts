import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PreflightError, VerificationError } from '../kernel/errors.js'
import { formatSeconds, type Logger } from '../kernel/log.js'
import { command, quote, script } from '../kernel/shell.js'
import { mysqlString, mysqlIdentifier, runSql, type DatabaseAccess } from '../sources/mysql.js'
import { childEnvironment } from '../kernel/child-environment.js'
import { LocalTransport } from '../transport/local.js'

export interface ThrowawayMariaDb {
  /** The server's pid, so callers and tests can prove it is gone after stop(). */
  pid: number
  /** The server's only way in: it has no TCP listener. */
  socket: string
  /** The administrative account's password (masked; never in an argv), so tests can look for it. */
  password: string
  /** The drill's own account, under a random name (see initSql); never used to load a dump. */
  admin: DatabaseAccess
  /** An account for loading one dump: every right on `database` and on nothing else (see grantOnly). */
  importAccount(database: string): Promise<DatabaseAccess>
  stop(): Promise<void>
}

export interface ThrowawayOptions {
  /**
   * Where the server package's system-table scripts are looked for (default: the share directories of the
   * server's own prefix, /usr/share/mariadb and /usr/share/mysql for /usr/sbin/mariadbd); with none found,
   * mariadb-install-db builds the datadir.
   */
  systemTableDirectories?: string[]
  /**
   * GitHub-hosted Ubuntu images ship MySQL 8, which conflicts with mariadb-server: installing it there
   * removes MySQL, which is fine on a machine thrown away after the job but never on a self-hosted one.
   * Default: only when the runner says it is GitHub-hosted (RUNNER_ENVIRONMENT, runner 2.303+).
   */
  mayReplaceMysql?: boolean
}

const STARTUP_TIMEOUT_MS = 60_000
/** Owns nothing on a standard system, unlike `mysql`, which owns a real server's datadir on a self-hosted runner. */
const UNPRIVILEGED_USER = 'nobody'
const IMPORT_USER = 'drill'
/** Granting rights on these would hand the dump the grant tables (and with them plugins and every right). */
const RESERVED_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys']
/** sun_path holds 108 bytes with its NUL, and the socket is `<base>/drill-mariadb-XXXXXX/mariadb.sock`. */
const MAX_BASE_BYTES = 107 - '/drill-mariadb-XXXXXX/mariadb.sock'.length
const SERVER_NAMES = ['mariadbd', 'mysqld']
const INSTALL_DB_NAMES = ['mariadb-install-db', 'mysql_install_db']
/** Small files: the drill holds one backup's data once, and durability is irrelevant for it. */
const STORAGE_OPTIONS = ['--innodb-log-file-size=64M', '--innodb-buffer-pool-size=256M', '--innodb-data-file-path=ibdata1:12M:autoextend']
/**
 * The scripts that create and fill the grant and system tables, in mariadb-install-db's order. It also loads
 * the help tables (2.4 MB of SQL), the sys schema and the GIS procedures, which a dump of an application
 * database never uses: without them the datadir is built in 0.3-0.4 s instead of 0.9 s on the bench machine.
 */
const SYSTEM_TABLE_SCRIPTS = ['mysql_system_tables.sql', 'mysql_performance_tables.sql', 'mysql_system_tables_data.sql']
const sleep = (milliseconds: number) => new Promise(resolve => setTimeout(resolve, milliseconds))
const local = new LocalTransport({ sudo: false })

async function findProgram(names: string[]): Promise<string | undefined> {
  const directories = ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)]
  for (const name of names) {
    for (const directory of directories) {
      const candidate = path.join(directory, name)
      if (
        await access(candidate, 1).then(
          () => true,
          () => false
        )
      )
        return candidate
    }
  }
  return undefined
}

/**
 * The SQL that builds the grant and system tables, read from the first directory that has every script;
 * by default the server's own package's, beside the server (the scripts run in it, so they must match
 * it). Undefined when none has them all, and mariadb-install-db must do it.
 */
export async function systemTablesSql(server: string, directories?: string[]): Promise<string | undefined> {
  const share = path.join(path.dirname(path.dirname(server)), 'share')
  const candidates = directories ?? [path.join(share, 'mariadb'), path.join(share, 'mysql')]
  for (const directory of candidates) {
    const scripts = await Promise.all(SYSTEM_TABLE_SCRIPTS.map(name => readFile(path.join(directory, name), 'utf8').catch(() => undefined)))
    if (scripts.every(text => text !== undefined)) {
      // The header mariadb-install-db sends first; NULL: root gets no unix_socket login (initSql drops every account anyway).
      return ['CREATE DATABASE IF NOT EXISTS mysql;', 'USE mysql;', 'SET @auth_root_socket=NULL;', ...scripts, ''].join('\n')
    }
  }
  return undefined
}

/** Only a MariaDB server is accepted: Oracle's mysqld cannot load every MariaDB dump (sequences, `/*M!` syntax, collations). */
async function findMariaDb(): Promise<{ server: string; installDb: string } | undefined> {
  const server = await findProgram(SERVER_NAMES)
  const installDb = await findProgram(INSTALL_DB_NAMES)
  if (!server || !installDb) return undefined
  const version = await local.run(command([server, '--version']), { allowFailure: true })
  return /MariaDB/i.test(version.stdout) ? { server, installDb } : undefined
}

/** The install as one script, so the service guard is put back whatever apt-get does. */
export function installScript(mayReplaceMysql: boolean): string {
  const policy = quote('/usr/sbin/policy-rc.d')
  const saved = quote('/usr/sbin/policy-rc.d.selfhost-backup-saved')
  const apt = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=300']
  return script(
    // policy-rc.d exiting 101 tells invoke-rc.d and deb-systemd-invoke not to start services; any existing one is put back.
    `if [ -e ${policy} ]; then sudo -n mv -- ${policy} ${saved}; fi`,
    `restore_policy() { sudo -n rm -f -- ${policy}; if [ -e ${saved} ]; then sudo -n mv -- ${saved} ${policy}; fi; }`,
    'trap restore_policy EXIT',
    `printf '#!/bin/sh\\nexit 101\\n' | sudo -n tee ${policy} >/dev/null`,
    `sudo -n chmod 755 ${policy}`,
    // A broken third-party list on the runner must not stop the install from the distribution's own lists.
    `${command([...apt, 'update', '-q'])} || echo 'apt-get update reported errors; installing anyway' >&2`,
    command([...apt, 'install', '-y', '--no-install-recommends', ...(mayReplaceMysql ? [] : ['--no-remove']), 'mariadb-server'])
  )
}

/** Installs Debian/Ubuntu's mariadb-server without letting its service start (it would claim port 3306 and /var/lib/mysql). */
async function installMariaDb(logger: Logger, options: ThrowawayOptions): Promise<void> {
  const sudo = await local.run('sudo -n true', { allowFailure: true })
  const hasApt = await local.run('command -v apt-get', { allowFailure: true })
  if (sudo.exitCode !== 0 || hasApt.exitCode !== 0) {
    throw new PreflightError(
      ['the restore drill needs a MariaDB server on the runner, and none is installed (nor can it be installed: no passwordless sudo or no apt-get)'],
      'install the mariadb-server package on the runner, or set `verify: checksum`.'
    )
  }
  logger.info('Installing mariadb-server on the runner for the restore drill')
  const text = installScript(options.mayReplaceMysql === true)
  const result = await local.run(text, { allowFailure: true, description: 'Installing mariadb-server' })
  if (result.exitCode !== 0) {
    const conflict = /would be removed|--no-remove/i.test(result.stderr + result.stdout)
    throw new PreflightError(
      [`apt-get could not install mariadb-server (exit code ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-5).join(' / ')}`],
      conflict
        ? 'a MySQL server installed on this runner conflicts with mariadb-server; install mariadb-server on the runner yourself, or set `verify: checksum`.'
        : 'install the mariadb-server package on the runner, or set `verify: checksum`.'
    )
  }
}

async function logTail(logFile: string): Promise<string> {
  return (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-10).join('\n')
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

async function terminate(child: ChildProcess): Promise<void> {
  if (exited(child)) return
  const gone = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM') // mariadbd shuts down cleanly on TERM
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  await gone
  clearTimeout(timer)
}

type ServerUser = { name: string; uid: number; gid: number }

/** A root runner's server drops to an unprivileged user; any other runner user is unprivileged already. */
async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const lookup = script(command(['id', '-u', UNPRIVILEGED_USER]), command(['id', '-g', UNPRIVILEGED_USER]))
  const ids = await local.run(lookup, { allowFailure: true, description: `Looking up the user ${UNPRIVILEGED_USER}` })
  const [uid, gid] = ids.stdout.trim().split('\n').map(Number)
  if (ids.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new PreflightError(
      [`the runner runs as root, and the restore drill's MariaDB must not: there is no user ${UNPRIVILEGED_USER} for it to run as`],
      `create the user ${UNPRIVILEGED_USER} on the runner, run the job as a non-root user, or set \`verify: checksum\`.`
    )
  }
  return { name: UNPRIVILEGED_USER, uid, gid }
}

/** Whether `user` may pass through every directory from / down to `directory` (by mode bits, as the kernel checks them). */
async function reachable(directory: string, user: ServerUser): Promise<boolean> {
  for (let current = directory; ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => undefined)
    if (!info) return false
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001
    if ((info.mode & bit) === 0) return false
    if (current === path.dirname(current)) return true
  }
}

/**
 * workRoot (the runner's big temp space) when the server can reach it there, else the first temp directory it
 * can: a private 0700 workRoot keeps out a server that runs as another user, and a deep one overflows sun_path.
 */
async function privateBase(workRoot: string, user: ServerUser | undefined): Promise<string> {
  const candidates = [...new Set([workRoot, tmpdir(), '/var/tmp', '/tmp'].map(directory => path.resolve(directory)))]
  for (const base of candidates) if (Buffer.byteLength(base) <= MAX_BASE_BYTES && (!user || (await reachable(base, user)))) return base
  throw new PreflightError(
    [`no temp directory on the runner suits the restore drill's MariaDB (reachable${user ? ` by the user ${user.name}` : ''}, and short enough for a socket path): tried ${candidates.join(', ')}`],
    'set TMPDIR to a short directory that other users may pass through (mode 0711 or wider), or set `verify: checksum`.'
  )
}

type Account = { user: string; password: string }

function accountName(account: Account): string {
  return `${mysqlString(account.user)}@'localhost'`
}

/**
 * Runs with the grant tables loaded (install-db runs without them). install-db's accounts go: a dump may
 * name any existing account as the DEFINER of code it then calls, so the one account with rights beyond a
 * single database has a random name the dump cannot know. SET USER lets genuine dumps keep their DEFINER
 * clauses, which then name accounts that do not exist here (a note, not an error, until that code runs).
 */
function identified(account: Account): string {
  return `IDENTIFIED VIA mysql_native_password USING PASSWORD(${mysqlString(account.password)})`
}

function initSql(admin: Account): string {
  return [
    'DELETE FROM mysql.global_priv;',
    'DELETE FROM mysql.proxies_priv;',
    'FLUSH PRIVILEGES;',
    `CREATE USER ${accountName(admin)} ${identified(admin)};`,
    `GRANT ALL PRIVILEGES ON *.* TO ${accountName(admin)} WITH GRANT OPTION;`,
    ''
  ].join('\n')
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
export async function startThrowawayMariaDb(workRoot: string, logger: Logger, options: ThrowawayOptions = {}): Promise<ThrowawayMariaDb> {
  const began = Date.now()
  let programs = await findMariaDb()
  if (!programs) {
    await installMariaDb(logger, { mayReplaceMysql: options.mayReplaceMysql ?? process.env.RUNNER_ENVIRONMENT === 'github-hosted' })
    programs = await findMariaDb()
    if (!programs) throw new PreflightError(['mariadb-server was installed but no mariadbd and mariadb-install-db were found'], 'install the mariadb-server package on the runner.')
  }
  const adminAccount = { user: `selfhost_${randomBytes(12).toString('hex')}`, password: randomBytes(24).toString('base64url') }
  logger.mask(adminAccount.password)
  const user = await serverUser()
  const base = await privateBase(workRoot, user)
  if (base !== path.resolve(workRoot)) logger.info(`The restore drill's MariaDB keeps its files in ${base}: ${workRoot} is out of its reach or too deep for a socket path`)
  const tempDir = await mkdtemp(path.join(base, 'drill-mariadb-'))
  const dataDir = path.join(tempDir, 'data')
  const tmpDir = path.join(tempDir, 'tmp')
  const filesDir = path.join(tempDir, 'files')
  const logFile = path.join(tempDir, 'mariadbd.log')
  const initFile = path.join(tempDir, 'init.sql')
  const socket = path.join(tempDir, 'mariadb.sock')
  let child: ChildProcess | undefined

  const stop = async (): Promise<void> => {
    if (child) await terminate(child)
    child = undefined
    await rm(tempDir, { recursive: true, force: true }).catch(error => logger.warning(`Could not remove ${tempDir}: ${String(error)}`))
  }

  try {
    await chmod(tempDir, 0o700)
    await mkdir(tmpDir, { mode: 0o700 })
    await mkdir(filesDir, { mode: 0o700 })
    await writeFile(initFile, initSql(adminAccount), { mode: 0o600 })
    if (user) for (const owned of [tempDir, tmpDir, filesDir, initFile]) await chown(owned, user.uid, user.gid)
    const userOption = user ? [`--user=${user.name}`] : []
    // The options both ways of building the datadir share (the server's own options come after).
    const datadirOptions = [`--datadir=${dataDir}`, ...userOption, '--skip-name-resolve', `--tmpdir=${tmpDir}`, ...STORAGE_OPTIONS]
    const systemTables = await systemTablesSql(programs.server, options.systemTableDirectories)
    if (systemTables) {
      // What mariadb-install-db does, without the tables no dump needs (see SYSTEM_TABLE_SCRIPTS).
      await mkdir(dataDir, { mode: 0o700 })
      if (user) await chown(dataDir, user.uid, user.gid)
      const bootstrap = [programs.server, '--no-defaults', '--bootstrap', '--log-warnings=0', '--enforce-storage-engine=', ...datadirOptions]
      await local.run(command(bootstrap), { stdin: systemTables, description: 'Creating the throwaway MariaDB system tables' })
    } else {
      const installDb = [programs.installDb, '--no-defaults', '--auth-root-authentication-method=normal', '--skip-test-db', ...datadirOptions]
      await local.run(command(installDb), { description: 'Initialising the throwaway MariaDB datadir' })
    }
    const argv = [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      '--skip-networking',
      `--pid-file=${path.join(tempDir, 'mariadbd.pid')}`,
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
    ]
    const stdio = openSync(path.join(tempDir, 'stdio.log'), 'a')
    try {
      child = spawn(programs.server, argv, { stdio: ['ignore', stdio, stdio], env: childEnvironment() })
    } finally {
      closeSync(stdio)
    }
    const admin: DatabaseAccess = { mode: 'socket', socket, ...adminAccount }
    if (!(await waitUntilReady(child, admin, logFile))) {
      throw new PreflightError([`the throwaway MariaDB server did not start:\n${await logTail(logFile)}`], 'check the runner has free disk space in the work directory.')
    }
    await rm(initFile, { force: true })
    logger.info(`Throwaway MariaDB (${programs.server}) started in ${formatSeconds(Date.now() - began)}, listening on ${socket} only${user ? `, as the user ${user.name}` : ''}`)
    // One account per database: dumps import side by side, each confined to its own database.
    let accounts = 0
    const importAccount = async (database: string): Promise<DatabaseAccess> => {
      const importer = { user: `${IMPORT_USER}_${++accounts}`, password: randomBytes(24).toString('base64url') }
      logger.mask(importer.password)
      await runSql(local, admin, grantOnly(importer, database))
      return { mode: 'socket', socket, ...importer }
    }
    return { pid: child.pid as number, socket, password: adminAccount.password, admin, importAccount, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A new account `importer` with every right on `database` (and SET USER) and none on any other database. */
function grantOnly(importer: Account, database: string): string {
  if (RESERVED_DATABASES.includes(database.toLowerCase()) || /[\\\0]/.test(database) || database === '') {
    throw new VerificationError(
      `the drill does not load a dump into a database named ${JSON.stringify(database)}`,
      'a dump of an application database never has this name: the backup was not made from the configured databases.'
    )
  }
  // In GRANT, _ and % in a database name are wildcards (`mysq_` would match mysql); escaped, they match themselves.
  const pattern = mysqlIdentifier(database.replace(/[_%]/g, '\\$&'))
  return [
    `CREATE USER ${accountName(importer)} ${identified(importer)};`,
    `GRANT SET USER ON *.* TO ${accountName(importer)};`,
    `GRANT ALL PRIVILEGES ON ${pattern}.* TO ${accountName(importer)};`
  ].join('\n')
}

/** Polls with the product's own client path, which passes the password through stdin, never argv. */
async function waitUntilReady(child: ChildProcess, access: DatabaseAccess, logFile: string): Promise<boolean> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline && !exited(child)) {
    if ((await readFile(logFile, 'utf8').catch(() => '')).includes('ready for connections')) {
      const ok = await runSql(local, access, 'SELECT 1;').then(
        () => true,
        () => false
      )
      if (ok) return true
    }
    await sleep(100)
  }
  return false
}

/**
 * Starts a private MariaDB server (Debian's real mariadbd) for integration tests: its own
 * datadir, unix socket and loopback port, and a non-empty root password, so the product
 * has to supply credentials exactly as it would against SeaTable's database container.
 * Several servers may run at once; stop() ends only the pid this helper started.
 *
 * The password never reaches an argv: the server gets it from a 0600 --init-file (removed
 * once the server is up) and clients from a 0600 option file. Tests sample `ps` for it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { findFreePort } from './free-port.js'
import { runCommand } from './sshd.js'

export interface MariaDbServer {
  host: '127.0.0.1'
  port: number
  /** Unix socket inside tempDir; clients without -h use it (MYSQL_UNIX_PORT or --socket). */
  socket: string
  user: 'root'
  rootPassword: string
  dataDir: string
  tempDir: string
  /** 0600 `[client]` option file (user, password, socket) for tests that run client tools themselves. */
  clientOptionFile: string
  logFile: string
  pid: number
  /** Runs SQL (fed on stdin) as root over the socket; resolves to the tab-separated rows, throws on error. */
  query(sql: string, database?: string): Promise<string>
  stop(): Promise<void>
}

export interface StartMariaDbOptions {
  /** Default: a fresh `SBPW-<hex>` value, distinctive enough to grep for in `ps` output and logs. */
  rootPassword?: string
}

export const MARIADB_TEMP_DIR_PREFIX = 'selfhost-backup-mariadb-'
const MARIADBD_PATH = '/usr/sbin/mariadbd'
const INSTALL_DB_PATH = '/usr/bin/mariadb-install-db'
const CLIENT_PATH = '/usr/bin/mariadb'
const STARTUP_TIMEOUT_MS = 30_000

/** Small InnoDB files and buffers: tests start many servers and hold little data. */
const STORAGE_OPTIONS = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=64M', '--innodb-data-file-path=ibdata1:12M:autoextend']

const sleep = (milliseconds: number) => new Promise(resolve => setTimeout(resolve, milliseconds))

/** Quotes a value for a MySQL option file; the format knows backslash escapes inside double quotes. */
function optionFileValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Runs once at the first start. mariadb-install-db bootstraps with grant tables off, so
 * ALTER USER cannot run there; --init-file runs with them on. Root gets the password on
 * the socket and on 127.0.0.1 (skip-name-resolve matches TCP clients by IP only), and
 * the passwordless root accounts install-db made for other hosts are removed.
 */
function initSql(password: string): string {
  const auth = `IDENTIFIED VIA mysql_native_password USING PASSWORD(${sqlString(password)})`
  return [
    `ALTER USER 'root'@'localhost' ${auth};`,
    `CREATE OR REPLACE USER 'root'@'127.0.0.1' ${auth};`,
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
    "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1');",
    'FLUSH PRIVILEGES;',
    ''
  ].join('\n')
}

function serverArguments(tempDir: string, dataDir: string, socket: string, port: number, initFile: string): string[] {
  return [
    '--no-defaults', // ignore /etc/mysql: the machine's config must not shape the test server
    `--datadir=${dataDir}`,
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${path.join(tempDir, 'mariadbd.pid')}`,
    `--log-error=${path.join(tempDir, 'mariadbd.log')}`,
    '--user=root',
    '--skip-name-resolve',
    `--init-file=${initFile}`,
    `--tmpdir=${path.join(tempDir, 'tmp')}`,
    '--event-scheduler=ON',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    '--max-allowed-packet=64M',
    '--performance-schema=OFF',
    // Durability is irrelevant for a throwaway server and fsyncs slow bulk loads down.
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0',
    '--sync-frm=0',
    ...STORAGE_OPTIONS
  ]
}

async function logTail(logFile: string): Promise<string> {
  return (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n')
}

function processIsGone(pid: number): Promise<boolean> {
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    stat => stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'),
    () => true
  )
}

async function terminateAndWait(pid: number): Promise<void> {
  const send = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal)
    } catch {
      /* already gone */
    }
  }
  send('SIGTERM') // mariadbd shuts down cleanly on TERM
  for (let waited = 0; !(await processIsGone(pid)); waited += 50) {
    if (waited === 20_000) send('SIGKILL')
    await sleep(50)
  }
}

function startServer(argumentList: string[], stdioLog: string): ChildProcess {
  const descriptor = openSync(stdioLog, 'a')
  try {
    return spawn(MARIADBD_PATH, argumentList, { stdio: ['ignore', descriptor, descriptor] })
  } finally {
    closeSync(descriptor)
  }
}

/** Ready = the log says so for our port AND root can log in with the password over the socket. */
async function waitUntilReady(server: ChildProcess, logFile: string, port: number, clientOptionFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`mariadbd exited during startup:\n${await logTail(logFile)}`)
    const log = await readFile(logFile, 'utf8').catch(() => '')
    if (log.includes('ready for connections') && log.includes(`port: ${port}`)) {
      const probe = await runCommand(CLIENT_PATH, [`--defaults-extra-file=${clientOptionFile}`, '--batch'], 'SELECT 1;')
      if (probe.code === 0) return
    }
    await sleep(50)
  }
  throw new Error(`mariadbd did not become ready on port ${port} within ${STARTUP_TIMEOUT_MS} ms:\n${await logTail(logFile)}`)
}

export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const rootPassword = options.rootPassword ?? `SBPW-${randomBytes(12).toString('hex')}`
  if (rootPassword === '') throw new Error('startMariaDb: rootPassword must not be empty (the tests need the product to supply one)')
  const tempDir = await mkdtemp(path.join(os.tmpdir(), `${MARIADB_TEMP_DIR_PREFIX}${process.pid}-`))
  const dataDir = path.join(tempDir, 'data')
  const socket = path.join(tempDir, 'mariadb.sock')
  const logFile = path.join(tempDir, 'mariadbd.log')
  const initFile = path.join(tempDir, 'init.sql')
  const clientOptionFile = path.join(tempDir, 'client.cnf')
  let server: ChildProcess | undefined

  const cleanUp = async () => {
    if (server?.pid !== undefined) await terminateAndWait(server.pid)
    await rm(tempDir, { recursive: true, force: true })
  }

  try {
    // 0711: the non-root login user (client on the host, shim without sudo) may reach the socket by name.
    await chmod(tempDir, 0o711)
    // A private tmpdir: servers must not share /tmp for their temporary tables.
    await mkdir(path.join(tempDir, 'tmp'), { mode: 0o700 })
    const install = await runCommand(INSTALL_DB_PATH, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--tmpdir=${path.join(tempDir, 'tmp')}`,
      ...STORAGE_OPTIONS
    ])
    if (install.code !== 0) throw new Error(`mariadb-install-db failed (${install.code}): ${install.stderr.trim()}`)
    await writeFile(initFile, initSql(rootPassword), { mode: 0o600 })
    await writeFile(clientOptionFile, `[client]\nuser=root\npassword=${optionFileValue(rootPassword)}\nsocket=${socket}\ndefault-character-set=utf8mb4\n`, { mode: 0o600 })

    let port = 0
    // findFreePort's port can be taken before mariadbd binds it; a fresh port fixes that.
    for (let attempt = 1; ; attempt += 1) {
      port = await findFreePort()
      server = startServer(serverArguments(tempDir, dataDir, socket, port, initFile), path.join(tempDir, 'stdio.log'))
      try {
        await waitUntilReady(server, logFile, port, clientOptionFile)
        break
      } catch (error) {
        const portTaken = /Address already in use|Bind on TCP\/IP port/.test(await logTail(logFile))
        if (server.pid !== undefined) await terminateAndWait(server.pid)
        server = undefined
        if (!portTaken || attempt === 5) throw error
      }
    }
    await rm(initFile, { force: true }) // read at startup; no reason to keep the password on disk
    const pid = server.pid as number

    const query = async (sql: string, database?: string): Promise<string> => {
      const argumentList = [`--defaults-extra-file=${clientOptionFile}`, '--batch', '--skip-column-names', ...(database === undefined ? [] : [database])]
      const result = await runCommand(CLIENT_PATH, argumentList, sql)
      if (result.code !== 0) throw new Error(`mariadb query failed (${result.code}) on port ${port}: ${result.stderr.trim()}`)
      return result.stdout
    }

    let stopped = false
    return {
      host: '127.0.0.1',
      port,
      socket,
      user: 'root',
      rootPassword,
      dataDir,
      tempDir,
      clientOptionFile,
      logFile,
      pid,
      query,
      stop: async () => {
        if (stopped) return
        stopped = true
        await cleanUp()
      }
    }
  } catch (error) {
    await cleanUp()
    throw error
  }
}

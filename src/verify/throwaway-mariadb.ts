import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { PreflightError } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import { command, quote, script } from '../core/shell.js'
import { runSql, type DatabaseAccess } from '../sources/mysql.js'
import { childEnvironment } from '../transport/process-runner.js'
import { LocalTransport } from '../transport/local.js'

export interface ThrowawayMariaDb {
  port: number
  /** The server's pid, so callers and tests can prove it is gone after stop(). */
  pid: number
  password: string
  stop(): Promise<void>
}

export interface ThrowawayOptions {
  /**
   * GitHub-hosted Ubuntu images ship MySQL 8, which conflicts with mariadb-server: installing it there
   * removes MySQL, which is fine on a machine thrown away after the job but never on a self-hosted one.
   * Default: only when the runner says it is GitHub-hosted (RUNNER_ENVIRONMENT, runner 2.303+).
   */
  mayReplaceMysql?: boolean
}

const STARTUP_TIMEOUT_MS = 60_000
const SERVER_NAMES = ['mariadbd', 'mysqld']
const INSTALL_DB_NAMES = ['mariadb-install-db', 'mysql_install_db']
/** Small files: the drill holds one backup's data once, and durability is irrelevant for it. */
const STORAGE_OPTIONS = ['--innodb-log-file-size=64M', '--innodb-buffer-pool-size=256M', '--innodb-data-file-path=ibdata1:12M:autoextend']
const sleep = (milliseconds: number) => new Promise(resolve => setTimeout(resolve, milliseconds))
const local = new LocalTransport({ sudo: false })

async function findProgram(names: string[]): Promise<string | undefined> {
  const directories = ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)]
  for (const name of names) {
    for (const directory of directories) {
      const candidate = path.join(directory, name)
      if (await access(candidate, 1).then(() => true, () => false)) return candidate
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

/** A port the OS says is free; mariadbd may still lose it to another process, so start() retries. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port reported'))))
    })
  })
}

/** MariaDB string literal (backslash escapes are on by default). */
function sqlLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
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

/**
 * A private MariaDB server for the drill: own datadir, socket, tmpdir and loopback port under a temp
 * dir in workRoot, a random root password that never appears in an argv, and no event scheduler (an
 * imported event must not change rows before they are counted; OFF, not DISABLED, which refuses event DDL in the dump).
 */
export async function startThrowawayMariaDb(workRoot: string, logger: Logger, options: ThrowawayOptions = {}): Promise<ThrowawayMariaDb> {
  let programs = await findMariaDb()
  if (!programs) {
    await installMariaDb(logger, { mayReplaceMysql: options.mayReplaceMysql ?? process.env.RUNNER_ENVIRONMENT === 'github-hosted' })
    programs = await findMariaDb()
    if (!programs) throw new PreflightError(['mariadb-server was installed but no mariadbd and mariadb-install-db were found'], 'install the mariadb-server package on the runner.')
  }
  const password = randomBytes(24).toString('base64url')
  logger.mask(password)
  const tempDir = await mkdtemp(path.join(workRoot, 'drill-mariadb-'))
  const dataDir = path.join(tempDir, 'data')
  const tmpDir = path.join(tempDir, 'tmp')
  const logFile = path.join(tempDir, 'mariadbd.log')
  const initFile = path.join(tempDir, 'init.sql')
  const asRoot = process.getuid?.() === 0
  let child: ChildProcess | undefined

  const stop = async (): Promise<void> => {
    if (child) await terminate(child)
    child = undefined
    await rm(tempDir, { recursive: true, force: true }).catch(error => logger.warning(`Could not remove ${tempDir}: ${String(error)}`))
  }

  try {
    await chmod(tempDir, 0o700)
    await mkdir(tmpDir, { mode: 0o700 })
    const userOption = asRoot ? ['--user=root'] : []
    await local.run(
      script(command([programs.installDb, '--no-defaults', `--datadir=${dataDir}`, ...userOption, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', `--tmpdir=${tmpDir}`, ...STORAGE_OPTIONS])),
      { description: 'Initialising the throwaway MariaDB datadir' }
    )
    // --init-file runs with the grant tables loaded (install-db runs without them), so the password is set there.
    const auth = `IDENTIFIED VIA mysql_native_password USING PASSWORD(${sqlLiteral(password)})`
    await writeFile(initFile, [`CREATE OR REPLACE USER 'root'@'127.0.0.1' ${auth};`, "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;", `ALTER USER 'root'@'localhost' ${auth};`, 'FLUSH PRIVILEGES;', ''].join('\n'), { mode: 0o600 })

    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort()
      const argv = [
        '--no-defaults', `--datadir=${dataDir}`, `--socket=${path.join(tempDir, 'mariadb.sock')}`, `--port=${port}`, '--bind-address=127.0.0.1',
        `--pid-file=${path.join(tempDir, 'mariadbd.pid')}`, `--log-error=${logFile}`, `--tmpdir=${tmpDir}`, `--init-file=${initFile}`, ...userOption,
        '--skip-name-resolve', '--event-scheduler=OFF', '--skip-log-bin', '--performance-schema=OFF', '--max-allowed-packet=1G',
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
        '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--sync-frm=0', ...STORAGE_OPTIONS
      ]
      const stdio = openSync(path.join(tempDir, 'stdio.log'), 'a')
      try {
        child = spawn(programs.server, argv, { stdio: ['ignore', stdio, stdio], env: childEnvironment() })
      } finally {
        closeSync(stdio)
      }
      const access: DatabaseAccess = { mode: 'direct', host: '127.0.0.1', port, user: 'root', password }
      if (await waitUntilReady(child, access, logFile)) {
        await rm(initFile, { force: true })
        logger.info(`Throwaway MariaDB (${programs.server}) listening on 127.0.0.1:${port}`)
        return { port, pid: child.pid as number, password, stop }
      }
      const tail = await logTail(logFile)
      await terminate(child)
      child = undefined
      if (!/Address already in use|Bind on TCP\/IP port/i.test(tail) || attempt === 3) {
        throw new PreflightError([`the throwaway MariaDB server did not start:\n${tail}`], 'check the runner has free disk space in the work directory.')
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Polls with the product's own client path, which passes the password through stdin, never argv. */
async function waitUntilReady(child: ChildProcess, access: DatabaseAccess, logFile: string): Promise<boolean> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline && !exited(child)) {
    if ((await readFile(logFile, 'utf8').catch(() => '')).includes('ready for connections')) {
      const ok = await runSql(local, access, 'SELECT 1;').then(() => true, () => false)
      if (ok) return true
    }
    await sleep(100)
  }
  return false
}

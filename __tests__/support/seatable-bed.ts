import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSeaTableDatabases } from '../../scripts/fixtures/seatable/seatable-db.mjs'
import { createSeaTableLayout, type SeaTableLayout, type SeaTableLayoutOptions } from '../../scripts/fixtures/seatable/seatable-layout.mjs'
import { fingerprintTree, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import { sshActionInputs } from './action-runner.js'
import { installDockerShim, type DockerShim, type ShimContainer } from './docker-shim.js'
import type { MariaDbServer } from './mariadb.js'
import { runCommand, startTestHost, type TestHost } from './sshd.js'

export const SEATABLE_DATABASES = ['ccnet_db', 'seafile_db', 'dtable_db']

export interface SeaTableBed {
  layout: SeaTableLayout
  host: TestHost
  shim: DockerShim
  /** The layout's containers as the shim first listed them (setContainers(bed.containers) puts them back). */
  containers: Record<string, ShimContainer>
  /** TMPDIR on the host, for the login user and under sudo, when the bed was given one. */
  hostTempDir?: string
  stop(): Promise<void>
}

export interface SeaTableBedOptions {
  withScheduler?: boolean
  /** Login user; beds alive at the same time need different users (sudoers gives each user one PATH). */
  user?: string
  /**
   * TMPDIR for everything the product runs on the host: sshd's SetEnv for the login user, and a sudoers
   * env_file for `sudo` (glibc strips TMPDIR from a setuid program's environment, so env_keep cannot
   * pass it on). Needs its own `user`: sudoers applies the env_file to every sudo by that user.
   */
  hostTempDir?: string
  /** What the install has beyond the default layout (SeaTable AI, n8n, S3, its image). */
  layout?: Pick<SeaTableLayoutOptions, 'seatableImage' | 'secretKey' | 'withAi' | 'withN8n' | 's3'>
}

export function shimContainersFor(layout: SeaTableLayout, server: MariaDbServer): Record<string, ShimContainer> {
  return {
    [layout.containers.database]: { kind: 'database', mariadb: { socket: server.socket, port: server.port } },
    [layout.containers.seatable]: { kind: 'seatable', dataRoot: layout.root }
  }
}

/** Named like startTestHost's drop-in (global-teardown sweeps it if a run dies); no dots, which sudo would skip. */
async function installSudoTempDir(user: string, hostTempDir: string, envFileDir: string, port: number): Promise<string> {
  if (/[\s"\\]/.test(hostTempDir)) throw new Error(`hostTempDir must not contain spaces, quotes or backslashes: ${hostTempDir}`)
  const envFile = `${envFileDir}/sudo-tmpdir.env`
  await writeFile(envFile, `TMPDIR=${hostTempDir}\n`, { mode: 0o644 })
  const draft = `${envFileDir}/sudoers-tmpdir`
  await writeFile(draft, `Defaults:${user} env_file="${envFile}"\n`, { mode: 0o440 })
  const check = await runCommand('visudo', ['-cf', draft])
  if (check.code !== 0) throw new Error(`visudo refused the TMPDIR drop-in: ${check.stderr.trim()}`)
  const final = `/etc/sudoers.d/selfhost-backup-test-${user}-tmpdir-${process.pid}-${port}`
  await writeFile(`${final}.partial`, await readFile(draft), { mode: 0o440 })
  await chmod(`${final}.partial`, 0o440)
  await rename(`${final}.partial`, final)
  return final
}

/** A SeaTable host of one layout: files in a temp "/", the vendor's containers behind the docker shim, a real sshd. */
export async function startSeaTableBed(server: MariaDbServer, kind: 'old' | 'current', options: SeaTableBedOptions = {}): Promise<SeaTableBed> {
  if (options.hostTempDir !== undefined && options.user === undefined) throw new Error('startSeaTableBed: hostTempDir needs its own user')
  const base = await mkdtemp(join(tmpdir(), `sb-seatable-${kind}-`))
  // The .env gets its own fake password: the real one must not be found in any artifact.
  const layout = await createSeaTableLayout(base, { layout: kind, smallFiles: 120, largeFiles: 2, largeBytes: 600_000, withCaddy: kind === 'current', ...options.layout })
  await resetDatabases(server, options)
  const containers = shimContainersFor(layout, server)
  const shim = await installDockerShim({ containers })
  const setEnv = options.hostTempDir === undefined ? undefined : { TMPDIR: options.hostTempDir }
  const host = await startTestHost({ user: options.user ?? 'sbseatable', pathPrefix: [shim.binDir], setEnv })
  let sudoTempDir: string | undefined
  try {
    if (options.hostTempDir !== undefined) sudoTempDir = await installSudoTempDir(host.user, options.hostTempDir, base, host.port)
  } catch (error) {
    await host.stop()
    await shim.remove()
    await rm(base, { recursive: true, force: true })
    throw error
  }
  return {
    layout,
    host,
    shim,
    containers,
    hostTempDir: options.hostTempDir,
    async stop() {
      if (sudoTempDir) await rm(sudoTempDir, { force: true })
      await host.stop()
      await shim.remove()
      await rm(base, { recursive: true, force: true })
    }
  }
}

export async function resetDatabases(server: MariaDbServer, options: { withScheduler?: boolean } = {}): Promise<void> {
  await server.query(`${[...SEATABLE_DATABASES, 'scheduler'].map(name => `DROP DATABASE IF EXISTS ${name};`).join(' ')}`)
  await createSeaTableDatabases({ query: (sql, database) => server.query(sql, database), logRows: 3000, withScheduler: options.withScheduler })
}

/** CHECKSUM TABLE of every base table, plus the routine/trigger/event/view definitions. */
export async function databaseFingerprint(server: MariaDbServer, databases = SEATABLE_DATABASES): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  for (const database of databases) {
    const tables = (await server.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='${database}' AND table_type='BASE TABLE' ORDER BY 1`)).split('\n').filter(Boolean)
    if (tables.length > 0) {
      for (const line of (await server.query(`CHECKSUM TABLE ${tables.map(table => `\`${table}\``).join(', ')} EXTENDED`, database)).split('\n').filter(Boolean)) {
        const [name, checksum] = line.split('\t')
        result[name] = checksum
      }
    }
    const objects = await server.query(
      `SELECT CONCAT('routine ', routine_name, ' ', MD5(routine_definition)) FROM information_schema.routines WHERE routine_schema='${database}' UNION ALL ` +
        `SELECT CONCAT('trigger ', trigger_name, ' ', MD5(action_statement)) FROM information_schema.triggers WHERE trigger_schema='${database}' UNION ALL ` +
        `SELECT CONCAT('event ', event_name, ' ', MD5(event_definition)) FROM information_schema.events WHERE event_schema='${database}' UNION ALL ` +
        `SELECT CONCAT('view ', table_name, ' ', MD5(view_definition)) FROM information_schema.views WHERE table_schema='${database}' ORDER BY 1`
    )
    result[`${database} objects`] = objects
  }
  return result
}

export async function seatableFiles(layout: SeaTableLayout): Promise<Record<string, TreeFingerprint>> {
  const trees: Record<string, TreeFingerprint> = { data: await fingerprintTree(layout.root, { exclude: layout.dataExcludes }) }
  if (layout.composeDir) trees.compose = await fingerprintTree(layout.composeDir)
  if (layout.caddyDir) trees.caddy = await fingerprintTree(layout.caddyDir)
  if (layout.aiDir) trees.ai = await fingerprintTree(layout.aiDir)
  return trees
}

/** Every process's command line right now (runner and host are this machine). */
export function processList(): { pid: number; commandLine: string }[] {
  const found: { pid: number; commandLine: string }[] = []
  for (const pid of readdirSync('/proc').filter(entry => /^\d+$/.test(entry))) {
    try {
      found.push({ pid: Number(pid), commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') })
    } catch {
      // The process ended between listing and reading.
    }
  }
  return found
}

/**
 * The processes this test file started, however deep: children of this jest process (the action's
 * node, our sshd and its sessions, sudo, the tools). Test files run in parallel workers, so a test
 * that picks a process to kill or wait for by its command line looks only here, never at another
 * worker's runs. An orphan is re-parented to init, out of this tree: a check for leftovers passes
 * `orphans: true` to see those too (or uses processList() with markers of its own).
 */
export function ownProcessList(options: { orphans?: boolean } = {}): { pid: number; commandLine: string }[] {
  const parents = new Map<number, number>()
  for (const pid of readdirSync('/proc').filter(entry => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended between listing and reading.
    }
  }
  const isOurs = (pid: number): boolean => {
    if (options.orphans === true && parents.get(pid) === 1) return true
    for (let current = parents.get(pid), depth = 0; current !== undefined && current > 1 && depth < 64; current = parents.get(current), depth++) {
      if (current === process.pid) return true
    }
    return false
  }
  return processList().filter(({ pid }) => isOurs(pid))
}

/** Plain text of a stored blob: zstd/gzip parts are decompressed so a scan sees what an attacker would. */
export function plainText(name: string, bytes: Buffer): string {
  if (name.endsWith('.zst')) return execFileSync('zstd', ['-dc'], { input: bytes, maxBuffer: 1 << 30 }).toString('latin1')
  if (name.endsWith('.gz')) return execFileSync('gzip', ['-dc'], { input: bytes, maxBuffer: 1 << 30 }).toString('latin1')
  return bytes.toString('latin1')
}

/** Inputs for a bed: explicit layout and paths, since the test's "/" is a temp dir. */
export function seatableActionInputs(bed: SeaTableBed, server: MariaDbServer, mode: 'docker' | 'direct'): Record<string, string> {
  const { layout, host } = bed
  return {
    app: 'seatable',
    ...sshActionInputs(host),
    'seatable-root': layout.root,
    'seatable-layout': layout.layout,
    'compose-dir': layout.composeDir ?? '',
    'caddy-dir': layout.caddyDir ?? `${layout.base}/opt/caddy`,
    'db-mode': mode,
    'db-port': String(server.port),
    'db-password': server.rootPassword
  }
}

/** Backup inputs: the drill (a throwaway MariaDB per backup) is left to the tests about it; others only checksum. */
export function seatableBackupInputs(bed: SeaTableBed, server: MariaDbServer, mode: 'docker' | 'direct', verify: 'drill' | 'checksum' = 'checksum'): Record<string, string> {
  // The bed's .env holds a decoy password, not the server's: storing it plain here leaks nothing real.
  return { ...seatableActionInputs(bed, server, mode), verify, 'allow-unencrypted-secrets': 'true' }
}

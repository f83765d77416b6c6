import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSeaTableDatabases } from '../../scripts/fixtures/seatable/seatable-db.mjs'
import { createSeaTableLayout, type SeaTableLayout } from '../../scripts/fixtures/seatable/seatable-layout.mjs'
import { fingerprintTree, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import { sshActionInputs } from './action-runner.js'
import { installDockerShim, type DockerShim } from './docker-shim.js'
import type { MariaDbServer } from './mariadb.js'
import { startTestHost, type TestHost } from './sshd.js'

export const SEATABLE_DATABASES = ['ccnet_db', 'seafile_db', 'dtable_db']

export interface SeaTableBed {
  layout: SeaTableLayout
  host: TestHost
  shim: DockerShim
  stop(): Promise<void>
}

/** A SeaTable host of one layout: files in a temp "/", the vendor's containers behind the docker shim, a real sshd. */
export async function startSeaTableBed(server: MariaDbServer, kind: 'old' | 'current', options: { withScheduler?: boolean } = {}): Promise<SeaTableBed> {
  const base = await mkdtemp(join(tmpdir(), `sb-seatable-${kind}-`))
  // The .env gets its own fake password: the real one must not be found in any artifact.
  const layout = await createSeaTableLayout(base, { layout: kind, smallFiles: 120, largeFiles: 2, largeBytes: 600_000, withCaddy: kind === 'current' })
  await resetDatabases(server, options)
  const shim = await installDockerShim({
    containers: {
      [layout.containers.database]: { kind: 'database', mariadb: { socket: server.socket, port: server.port } },
      [layout.containers.seatable]: { kind: 'seatable', dataRoot: layout.root }
    }
  })
  const host = await startTestHost({ user: 'sbseatable', pathPrefix: [shim.binDir] })
  return {
    layout,
    host,
    shim,
    async stop() {
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

export function allCommandLines(): string[] {
  return processList().map(process => process.commandLine)
}

/** Samples command lines until `work` settles; returns the result and every line that contained `needle`. */
export async function watchCommandLines<T>(needle: string, work: Promise<T>): Promise<{ result: T; leaks: string[]; samples: number }> {
  const leaks: string[] = []
  let done = false
  let samples = 0
  const watching = (async () => {
    while (!done) {
      for (const line of allCommandLines()) if (line.includes(needle)) leaks.push(line)
      samples++
      await new Promise(resolve => setTimeout(resolve, 15))
    }
  })()
  const result = await work.finally(() => {
    done = true
  })
  await watching
  return { result, leaks, samples }
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

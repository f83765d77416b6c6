import { createReadStream } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { HostCommandError, VerificationError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { PartRecord } from '../kernel/manifest.js'
import { pipeline, quote, script } from '../kernel/shell.js'
import { decompressCommand } from '../sources/compression.js'
import { checkInventory, importDatabase, inventoryDatabase, mysqlIdentifier, runSql } from '../sources/mysql.js'
import { compareCounts, inspectSqlite } from '../sources/sqlite.js'
import { LocalTransport } from '../transport/local.js'
import { checkTarball } from '../sources/tar-check.js'
import { startThrowawayMariaDb, type ThrowawayMariaDb } from './throwaway-mariadb.js'

/** A part file on the runner: `path` holds the plaintext (compressed) bytes the record describes. */
export interface DrillPart {
  record: PartRecord
  path: string
}

export interface DrillPartResult {
  name: string
  ok: boolean
  detail: string
  durationMs: number
}

export interface DrillReport {
  ok: boolean
  parts: DrillPartResult[]
}

export interface DrillContext {
  logger: Logger
  /** Temp space on the runner; the drill's files live in a private directory under it and are removed at the end. */
  workRoot: string
  /** The seam for tests that need to watch the server; defaults to the real throwaway MariaDB. */
  startDatabase?: (workRoot: string, logger: Logger) => Promise<ThrowawayMariaDb>
}

/** Everything runs on the runner; nothing here can reach the backed-up host. */
const runner = new LocalTransport({ sudo: false })

/** Error text as one line: tar/client stderr arrives indented over several lines. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s*\n\s*/g, ' | ').trim()
}

/**
 * The client echoes the failing statement (row data) before its ERROR line; the detail goes to logs, the
 * job summary and the manifest, so only the error itself is kept, without the "near '…'" data excerpt.
 */
function importFailure(error: unknown): string {
  if (!(error instanceof HostCommandError)) return oneLine(error)
  const errors = error.stderr
    .split('\n')
    .filter(line => /^(ERROR|mariadb:|mysql:|selfhost-backup:)/.test(line))
    .map(line => line.replace(/ near '.*' at line (\d+)$/, ' (at line $1 of that statement)'))
  return errors.length > 0 ? errors.slice(-3).join(' | ') : `the client exited with code ${error.exitCode ?? 'none'}`
}

async function checkSqlite(part: DrillPart, dir: string): Promise<string> {
  const expected = part.record.tables
  if (!expected) throw new VerificationError('the manifest holds no row counts to compare with')
  const file = path.join(dir, 'snapshot.sqlite')
  await runner.run(script(`${decompressCommand(part.record.compression)} < ${quote(part.path)} > ${quote(file)}`), { description: 'Decompressing the snapshot' })
  // integrity_check first (inside inspectSqlite): a corrupt page fails here, before counts are trusted.
  const actual = await inspectSqlite(runner, file)
  compareCounts(expected, actual, 'the snapshot')
  const rows = Object.values(actual).reduce((sum, count) => sum + count, 0)
  return `integrity_check ok; ${Object.keys(actual).length} tables, ${rows} rows, as in the manifest`
}

/**
 * A dump cut exactly after a complete statement imports without an error, so the client's trailer is
 * checked as well; a dump cut mid-statement fails in the client. Both problems are reported together.
 */
async function checkDump(part: DrillPart, database: () => Promise<ThrowawayMariaDb>): Promise<string> {
  const { record } = part
  const name = String(record.details?.database ?? record.name.replace(/^db-/, ''))
  const problems: string[] = []
  const tail = await runner.run(script(pipeline(`${decompressCommand(record.compression)} < ${quote(part.path)}`, 'tail -c 300')), {
    allowFailure: true,
    description: 'Reading the end of the dump'
  })
  if (tail.exitCode !== 0) problems.push(`decompressing it failed: ${oneLine(tail.stderr)}`)
  else if (!/-- Dump completed/.test(tail.stdout)) problems.push('it does not end with the "-- Dump completed" trailer, so it is truncated')

  const server = await database()
  // The dump comes from the host, which may be compromised: it loads through an account confined to its database.
  const access = await server.importAccount(name).catch((error: unknown) => {
    throw new VerificationError([...problems, oneLine(error)].join('; '))
  })
  try {
    try {
      await importDatabase(runner, access, name, record.compression, createReadStream(part.path))
    } catch (error) {
      const reason = importFailure(error)
      const sandbox = /Unknown command '\\-'/.test(reason) ? " (the runner's MariaDB client is older than the server that made the dump)" : ''
      problems.push(`importing it failed${sandbox}: ${reason}`)
      throw new VerificationError(problems.join('; '))
    }
    const inventory = await inventoryDatabase(runner, server.admin, name)
    try {
      checkInventory(name, part.record, inventory)
    } catch (error) {
      problems.push(oneLine(error).replace(/^The restored database/, 'the imported database'))
    }
    if (problems.length > 0) throw new VerificationError(problems.join('; '))
    const rows = Object.values(inventory.tables).reduce((sum, count) => sum + count, 0)
    const { routines, triggers, events, views } = inventory.objects
    return `imported into a throwaway MariaDB: ${Object.keys(inventory.tables).length} tables, ${rows} rows, ${routines} routines, ${triggers} triggers, ${events} events, ${views} views, as in the manifest`
  } finally {
    // One database at a time on the throwaway server keeps the runner's disk use to the largest dump.
    await runSql(runner, server.admin, `DROP DATABASE IF EXISTS ${mysqlIdentifier(name)};`).catch(() => undefined)
  }
}

async function checkPart(part: DrillPart, dir: string, database: () => Promise<ThrowawayMariaDb>): Promise<string> {
  switch (part.record.kind) {
    case 'sqlite':
      return checkSqlite(part, dir)
    case 'sql-dump':
      return checkDump(part, database)
    case 'tar':
      return checkTarball(runner, part.path, part.record.compression, dir)
    default:
      throw new VerificationError(`the drill does not know parts of kind ${JSON.stringify(part.record.kind)}`)
  }
}

/**
 * Proves on the runner that each part restores: SQLite snapshots open cleanly with the manifest's row
 * counts, SQL dumps load into a throwaway MariaDB with the manifest's inventory, tarballs hold only safe
 * members and extract to the listed files and bytes. Every part is checked even after one fails.
 */
export async function drillParts(parts: DrillPart[], context: DrillContext): Promise<DrillReport> {
  const { logger } = context
  const start = context.startDatabase ?? startThrowawayMariaDb
  const root = await mkdtemp(path.join(context.workRoot, 'drill-'))
  // On a root runner the throwaway server runs as another user and keeps its files in here: it may pass, not list.
  await chmod(root, 0o711)
  let server: Promise<ThrowawayMariaDb> | undefined
  // Started on the first dump only, then shared by all of them: a server start costs seconds.
  const database = (): Promise<ThrowawayMariaDb> => (server ??= start(root, logger))
  const results: DrillPartResult[] = []
  try {
    for (const part of parts) {
      const began = Date.now()
      let dir: string | undefined
      let result: Omit<DrillPartResult, 'durationMs'>
      try {
        dir = await mkdtemp(path.join(root, 'part-'))
        result = { name: part.record.name, ok: true, detail: await checkPart(part, dir, database) }
      } catch (error) {
        result = { name: part.record.name, ok: false, detail: oneLine(error) }
      } finally {
        if (dir) await removeTree(dir, logger)
      }
      results.push({ ...result, durationMs: Date.now() - began })
      logger.info(`Drill ${result.ok ? 'passed' : 'FAILED'} for ${part.record.name}: ${result.detail}`)
    }
  } finally {
    if (server) {
      const started = await server.catch(() => undefined)
      await started?.stop().catch(error => logger.warning(`Could not stop the throwaway MariaDB: ${oneLine(error)}`))
    }
    await removeTree(root, logger)
  }
  // Nothing verified is not "verified": an empty list must not turn into verified: true.
  return { ok: results.length > 0 && results.every(part => part.ok), parts: results }
}

/** Extracted trees may hold read-only directories; make them writable so removal works as a non-root user. */
async function removeTree(dir: string, logger: Logger): Promise<void> {
  try {
    await runner.run(script(`chmod -R u+rwX -- ${quote(dir)} 2>/dev/null || true`), { description: 'Preparing temp files for removal' })
    await rm(dir, { recursive: true, force: true })
  } catch (error) {
    logger.warning(`Could not remove the drill's temp files in ${dir}: ${oneLine(error)}`)
  }
}

import { chmod, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { HostCommandError, VerificationError } from '../kernel/errors.js'
import { formatSeconds, type Logger } from '../kernel/log.js'
import type { PartRecord } from '../kernel/manifest.js'
import { pipeline, quote, script } from '../kernel/shell.js'
import { decompressCommand } from '../sources/compression.js'
import { checkInventory, importDatabase, inventoryDatabase, mysqlIdentifier, runSql } from '../sources/mysql.js'
import { describeDefaults, recordedDefaults } from '../sources/mysql-defaults.js'
import { compareCounts, inspectSqlite } from '../sources/sqlite.js'
import { LocalTransport } from '../transport/local.js'
import { checkTarballStream } from '../sources/tar-check.js'
import { Fanout } from './fanout.js'
import { startThrowawayMariaDb, type ThrowawayMariaDb } from './throwaway-mariadb.js'

/** What the drill knows of a part when its bytes start to flow: the rest of the record comes when it ends. */
export type DrillSpec = Pick<PartRecord, 'name' | 'kind' | 'compression' | 'details'>

/** The second half of a part's check, once its record (row counts, inventory) is complete: the comparison. */
type Comparison = (record: PartRecord) => Promise<string>

/** Finishes one part's check with its complete record; never rejects (a failure is a failed result). */
export type DrillFinish = (record: PartRecord) => Promise<DrillPartResult>

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

/** The snapshot is the one part the drill needs as a file: SQLite opens files. Decompressed as it streams. */
async function watchSqlite(spec: DrillSpec, plaintext: Readable, dir: string): Promise<Comparison> {
  const file = path.join(dir, 'snapshot.sqlite')
  await runner.run(script(`${decompressCommand(spec.compression)} > ${quote(file)}`), { stdin: plaintext, description: 'Decompressing the snapshot' })
  return async record => {
    const expected = record.tables
    if (!expected) throw new VerificationError('the manifest holds no row counts to compare with')
    // integrity_check first (inside inspectSqlite): a corrupt page fails here, before counts are trusted.
    const actual = await inspectSqlite(runner, file)
    compareCounts(expected, actual, 'the snapshot')
    const rows = Object.values(actual).reduce((sum, count) => sum + count, 0)
    return `integrity_check ok; ${Object.keys(actual).length} tables, ${rows} rows, as in the manifest`
  }
}

/**
 * A dump is imported into the throwaway MariaDB as it streams, while its last bytes are kept for the trailer
 * check: a dump cut exactly after a complete statement imports without an error, and a dump cut
 * mid-statement fails in the client. Both problems are reported together, with the inventory comparison.
 */
async function watchDump(spec: DrillSpec, plaintext: Readable, database: () => Promise<ThrowawayMariaDb>): Promise<Comparison> {
  const name = String(spec.details?.database ?? spec.name.replace(/^db-/, ''))
  // Created as a restore would create it, with the defaults the backup recorded; a malformed value fails the check here.
  const defaults = recordedDefaults(spec)
  const server = await database()
  // The dump comes from the host, which may be compromised: it loads through an account confined to its database.
  const access = await server.importAccount(name).catch((error: unknown) => {
    throw new VerificationError(oneLine(error))
  })
  const outlets = new Fanout()
  // A failed import is a finding, not a reason to stop reading: the dump still flows on to the store.
  const imported = outlets.add(input =>
    importDatabase(runner, access, name, spec.compression, input, defaults).then(
      created => ({ created }),
      (error: unknown) => ({ error })
    )
  )
  const tail = outlets.add(input => runner.run(script(pipeline(decompressCommand(spec.compression), 'tail -c 300')), { stdin: input, allowFailure: true, description: 'Reading the end of the dump' }))
  for await (const data of plaintext as AsyncIterable<Buffer>) await outlets.write(data)
  await outlets.finish()
  const ending = await tail
  const outcome = await imported
  return async record => {
    const problems: string[] = []
    if (ending.exitCode !== 0) problems.push(`decompressing it failed: ${oneLine(ending.stderr)}`)
    else if (!/-- Dump completed/.test(ending.stdout)) problems.push('it does not end with the "-- Dump completed" trailer, so it is truncated')
    try {
      if ('error' in outcome) {
        const reason = importFailure(outcome.error)
        const sandbox = /Unknown command '\\-'/.test(reason) ? " (the runner's MariaDB client is older than the server that made the dump)" : ''
        problems.push(`importing it failed${sandbox}: ${reason}`)
        throw new VerificationError(problems.join('; '))
      }
      const inventory = await inventoryDatabase(runner, server.admin, name)
      try {
        checkInventory(name, record, inventory)
      } catch (error) {
        problems.push(oneLine(error).replace(/^The restored database/, 'the imported database'))
      }
      if (problems.length > 0) throw new VerificationError(problems.join('; '))
      const rows = Object.values(inventory.tables).reduce((sum, count) => sum + count, 0)
      const { routines, triggers, events, views } = inventory.objects
      // A part without recorded defaults (a test's, or one from before they were recorded) keeps its old wording.
      const created = outcome.created.note ? '' : `, default ${describeDefaults(outcome.created.defaults)}`
      return `imported into a throwaway MariaDB: ${Object.keys(inventory.tables).length} tables, ${rows} rows, ${routines} routines, ${triggers} triggers, ${events} events, ${views} views${created}, as in the manifest`
    } finally {
      // Checked and gone: the throwaway server holds a database only while its check needs it.
      await runSql(runner, server.admin, `DROP DATABASE IF EXISTS ${mysqlIdentifier(name)};`).catch(() => undefined)
    }
  }
}

async function watchPart(spec: DrillSpec, plaintext: Readable, dir: string, database: () => Promise<ThrowawayMariaDb>): Promise<Comparison> {
  switch (spec.kind) {
    case 'sqlite':
      return watchSqlite(spec, plaintext, dir)
    case 'sql-dump':
      return watchDump(spec, plaintext, database)
    case 'tar': {
      const summary = await checkTarballStream(runner, plaintext, spec.compression)
      return async () => summary
    }
    default:
      throw new VerificationError(`the drill does not know parts of kind ${JSON.stringify(spec.kind)}`)
  }
}

/**
 * Proves on the runner that each part restores, reading its plaintext as the backup streams it (a tee), so
 * the runner keeps no copy of the data: SQLite snapshots open cleanly with the manifest's row counts, SQL
 * dumps load into a throwaway MariaDB with the manifest's inventory, tarballs hold only safe members and
 * read to their end with their checksums. Every part is checked even after one fails, and a failing check
 * still reads its stream to the end, so it never holds up the backup.
 */
export class DrillSession {
  private root: Promise<string> | undefined
  private server: Promise<ThrowawayMariaDb> | undefined
  private closed = false

  constructor(private readonly context: DrillContext) {}

  /** Reads one part's plaintext to its end and answers how to finish its check once the part's record is complete. */
  async watch(spec: DrillSpec, plaintext: Readable): Promise<DrillFinish> {
    const { logger } = this.context
    const began = Date.now()
    let dir: string | undefined
    let compare: Comparison | undefined
    let failure: unknown
    try {
      dir = await mkdtemp(path.join(await this.rootDir(), 'part-'))
      compare = await watchPart(spec, plaintext, dir, () => this.database())
    } catch (error) {
      failure = error
      // Whatever the check did not read still flows past it, to the store.
      plaintext.on('error', () => undefined).resume()
    }
    return async record => {
      let result: Omit<DrillPartResult, 'durationMs'>
      try {
        if (!compare) throw failure
        result = { name: record.name, ok: true, detail: await compare(record) }
      } catch (error) {
        result = { name: record.name, ok: false, detail: oneLine(error) }
      } finally {
        if (dir) await removeTree(dir, logger)
      }
      const durationMs = Date.now() - began
      // The time runs from the part's first byte: the check reads the part while it is made.
      logger.info(`Drill ${result.ok ? 'passed' : 'FAILED'} for ${record.name} in ${formatSeconds(durationMs)}: ${result.detail}`)
      return { ...result, durationMs }
    }
  }

  /**
   * Starts the throwaway server now, when the backup will make dumps: each dump waits for it before its
   * bytes flow, so a start overlapped with connecting and preflight costs nothing. A failure to start is
   * reported by the first dump's check.
   */
  warmUp(): void {
    this.database().catch(() => undefined)
  }

  /** Stops the throwaway server (if a dump started it) and removes every file the drill made. */
  async close(): Promise<void> {
    const { logger } = this.context
    if (this.closed) return
    this.closed = true
    if (this.server) {
      const started = await this.server.catch(() => undefined)
      await started?.stop().catch(error => logger.warning(`Could not stop the throwaway MariaDB: ${oneLine(error)}`))
    }
    if (this.root) {
      const root = await this.root.catch(() => undefined)
      if (root) await removeTree(root, logger)
    }
  }

  private rootDir(): Promise<string> {
    this.root ??= mkdtemp(path.join(this.context.workRoot, 'drill-')).then(async root => {
      // On a root runner the throwaway server runs as another user and keeps its files in here: it may pass, not list.
      await chmod(root, 0o711)
      return root
    })
    return this.root
  }

  /** Started on the first dump only, then shared by all of them: a server start costs seconds. */
  private async database(): Promise<ThrowawayMariaDb> {
    const root = await this.rootDir()
    this.server ??= (this.context.startDatabase ?? startThrowawayMariaDb)(root, this.context.logger)
    return this.server
  }
}

/** The drill's verdict: nothing verified is not "verified", so an empty list must not turn into verified: true. */
export function drillReport(parts: DrillPartResult[]): DrillReport {
  return { ok: parts.length > 0 && parts.every(part => part.ok), parts }
}

/** What the drill left (a snapshot, a throwaway server's files) is made writable first, so removal works as a non-root user. */
async function removeTree(dir: string, logger: Logger): Promise<void> {
  try {
    await runner.run(script(`chmod -R u+rwX -- ${quote(dir)} 2>/dev/null || true`), { description: 'Preparing temp files for removal' })
    await rm(dir, { recursive: true, force: true })
  } catch (error) {
    logger.warning(`Could not remove the drill's temp files in ${dir}: ${oneLine(error)}`)
  }
}

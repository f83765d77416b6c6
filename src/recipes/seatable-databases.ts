import { formatSeconds, type Logger } from '../kernel/log.js'
import { allToTheEnd } from '../kernel/concurrency.js'
import { HostCommandError, InputError } from '../kernel/errors.js'
import type { Compression } from '../kernel/manifest.js'
import { compressionExtension } from '../sources/compression.js'
import { checkInventory, describeAccess, dumpDatabase, importDatabase, inventoryDatabase, runSql, type DatabaseAccess, type DatabaseInventory } from '../sources/mysql.js'
import type { Transport } from '../transport/transport.js'
import { partInput, type PartSink, type VerifiedPart } from './recipe.js'
import type { SeaTableOptions } from './seatable-options.js'

export const LOG_TABLES = ['operation_log', 'delete_operation_log', 'session_log', 'activities']

/** Connects once with the given password and lists the databases, turning a refusal into a clear input error. */
export async function checkDatabaseAccess(host: Transport, access: DatabaseAccess): Promise<string[]> {
  try {
    return (await runSql(host, access, 'SHOW DATABASES;')).split('\n').filter(Boolean)
  } catch (error) {
    if (error instanceof HostCommandError && /Access denied/i.test(error.stderr)) {
      throw new InputError(
        'db-password',
        `the database server (${describeAccess(access)}) refused user ${access.user} with the given password.`,
        'set db-password to the root password from the .env of the SeaTable compose directory (or db-user to another user with full rights).'
      )
    }
    if (error instanceof HostCommandError && /No such container/i.test(error.stderr)) {
      throw new InputError('db-container', `the container ${describeAccess(access)} does not exist.`, 'set db-container to the name `docker ps` shows for the database.')
    }
    throw error
  }
}

/**
 * Rows counted before and after the dump: where the two agree the count is exact; where a live server
 * wrote in between, the manifest keeps the range the dump's snapshot must fall in.
 */
function mergeCounts(before: DatabaseInventory, after: DatabaseInventory): { tables: Record<string, number>; ranges: Record<string, [number, number]> } {
  const ranges: Record<string, [number, number]> = {}
  for (const [table, rows] of Object.entries(before.tables)) {
    const later = after.tables[table] ?? rows
    if (later !== rows) ranges[table] = [Math.min(rows, later), Math.max(rows, later)]
  }
  return { tables: before.tables, ranges }
}

/** The dumps of a backup: `done` when all ended; `snapshotsTaken` once each holds its consistent snapshot (or ended). */
export interface RunningDumps {
  done: Promise<void>
  /** Rejects when a dump fails before its snapshot is taken: nothing that waits for it should start. */
  snapshotsTaken: Promise<void>
}

/**
 * One dump per database, all at once (each in its own consistent snapshot), compressed on the host. When one
 * fails the others still run to their end before the failure is reported: the host lock must outlive them all.
 */
export function backupDatabases(host: Transport, options: SeaTableOptions, sink: PartSink, compression: Compression): RunningDumps {
  const snapshots: Promise<void>[] = []
  const dumps = options.databases.map(database => {
    let snapshotTaken = (): void => undefined
    const snapshot = new Promise<void>(resolve => (snapshotTaken = resolve))
    const dump = sink.addPart({ name: `db-${database}`, kind: 'sql-dump', compression, extension: `.sql${compressionExtension(compression)}` }, async out => {
      const skipped = options.skipLogTables && database === 'dtable_db' ? LOG_TABLES : []
      const before = await inventoryDatabase(host, options.access, database)
      await dumpDatabase(host, options.access, database, { ignoreTableData: skipped.filter(table => table in before.tables), compression, onSnapshot: snapshotTaken }, out)
      const after = await inventoryDatabase(host, options.access, database)
      const { tables, ranges } = mergeCounts(before, after)
      for (const table of skipped) if (table in tables) tables[table] = 0
      return { tables, details: { database, objects: before.objects, rowCountRanges: ranges, dataSkipped: skipped } }
    })
    // A database with nothing to dump shows no section: its snapshot is certain once the dump ended.
    snapshots.push(Promise.race([snapshot, dump.then(() => undefined)]))
    return dump
  })
  const snapshotsTaken = Promise.all(snapshots).then(() => undefined)
  snapshotsTaken.catch(() => undefined) // the failure is reported through `done`; a waiter sees it too
  return { done: allToTheEnd(dumps).then(() => undefined), snapshotsTaken }
}

export async function restoreDatabases(host: Transport, options: SeaTableOptions, parts: VerifiedPart[], logger: Logger): Promise<string[]> {
  const report: string[] = []
  for (const part of parts) {
    // From the part name, which acceptManifest matched against the databases this restore may re-create.
    const database = part.record.name.replace(/^db-/, '')
    const began = Date.now()
    await importDatabase(host, options.access, database, part.record.compression, partInput(part, `Importing ${database}`, logger))
    const imported = Date.now()
    const inventory = await inventoryDatabase(host, options.access, database)
    checkInventory(database, part.record, inventory)
    logger.info(`${part.record.name}: imported in ${formatSeconds(imported - began)}, counted and checked in ${formatSeconds(Date.now() - imported)}`)
    report.push(
      `${database}: imported; ${Object.keys(inventory.tables).length} tables with the backup's row counts, ${inventory.objects.routines} routines, ${inventory.objects.triggers} triggers, ${inventory.objects.events} events, ${inventory.objects.views} views`
    )
  }
  return report
}

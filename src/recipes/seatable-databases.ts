import type { Logger } from '../core/log.js'
import { allToTheEnd } from '../core/run-to-end.js'
import { readWithProgress, type PartSink } from '../core/staging.js'
import { HostCommandError, InputError, VerificationError } from '../core/errors.js'
import type { Compression } from '../core/manifest.js'
import { compressionExtension } from '../sources/compression.js'
import { describeAccess, dumpDatabase, importDatabase, inventoryDatabase, runSql, type DatabaseAccess, type DatabaseInventory } from '../sources/mysql.js'
import type { Transport } from '../transport/transport.js'
import type { VerifiedPart } from './recipe.js'
import type { SeaTableOptions } from './seatable.js'

export const LOG_TABLES = ['operation_log', 'delete_operation_log', 'session_log', 'activities']

/** Connects once with the given password and lists the databases, turning a refusal into a clear input error. */
export async function checkDatabaseAccess(host: Transport, access: DatabaseAccess): Promise<string[]> {
  try {
    return (await runSql(host, access, 'SHOW DATABASES;')).split('\n').filter(Boolean)
  } catch (error) {
    if (error instanceof HostCommandError && /Access denied/i.test(error.stderr)) {
      throw new InputError('db-password', `the database server (${describeAccess(access)}) refused user ${access.user} with the given password.`, 'set db-password to the root password from the .env of the SeaTable compose directory (or db-user to another user with full rights).')
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

/**
 * One dump per database, all at once (each in its own consistent snapshot), compressed on the host. When one
 * fails the others still run to their end before the failure is reported: the host lock must outlive them all.
 */
export async function backupDatabases(host: Transport, options: SeaTableOptions, sink: PartSink, compression: Compression): Promise<void> {
  await allToTheEnd(
    options.databases.map(database =>
      sink.addPart({ name: `db-${database}`, kind: 'sql-dump', compression, extension: `.sql${compressionExtension(compression)}` }, async out => {
        const skipped = options.skipLogTables && database === 'dtable_db' ? LOG_TABLES : []
        const before = await inventoryDatabase(host, options.access, database)
        await dumpDatabase(host, options.access, database, { ignoreTableData: skipped.filter(table => table in before.tables), compression }, out)
        const after = await inventoryDatabase(host, options.access, database)
        const { tables, ranges } = mergeCounts(before, after)
        for (const table of skipped) if (table in tables) tables[table] = 0
        return { tables, details: { database, objects: before.objects, rowCountRanges: ranges, dataSkipped: skipped } }
      })
    )
  )
}

export async function restoreDatabases(host: Transport, options: SeaTableOptions, parts: VerifiedPart[], logger: Logger): Promise<string[]> {
  const report: string[] = []
  for (const part of parts) {
    // From the part name, which acceptManifest matched against the databases this restore may re-create.
    const database = part.record.name.replace(/^db-/, '')
    await importDatabase(host, options.access, database, part.record.compression, readWithProgress(part.path, `Importing ${database}`, logger))
    const inventory = await inventoryDatabase(host, options.access, database)
    checkInventory(database, part, inventory)
    report.push(`${database}: imported; ${Object.keys(inventory.tables).length} tables with the backup's row counts, ${inventory.objects.routines} routines, ${inventory.objects.triggers} triggers, ${inventory.objects.events} events, ${inventory.objects.views} views`)
  }
  return report
}

export function checkInventory(database: string, part: VerifiedPart, actual: DatabaseInventory): void {
  const expected = part.record.tables ?? {}
  const ranges = (part.record.details?.rowCountRanges ?? {}) as Record<string, [number, number]>
  const objects = (part.record.details?.objects ?? {}) as Record<string, number>
  const problems: string[] = []
  for (const [table, rows] of Object.entries(expected)) {
    const got = actual.tables[table]
    const [low, high] = ranges[table] ?? [rows, rows]
    if (got === undefined) problems.push(`table ${table} is missing`)
    else if (got < low || got > high) problems.push(`table ${table} has ${got} rows, the backup had ${low === high ? low : `${low}-${high}`}`)
  }
  for (const table of Object.keys(actual.tables)) if (!(table in expected)) problems.push(`table ${table} is not in the backup`)
  for (const [kind, count] of Object.entries(objects)) {
    const got = actual.objects[kind as keyof DatabaseInventory['objects']]
    if (got !== count) problems.push(`${count} ${kind} expected, ${got} found`)
  }
  if (problems.length > 0) {
    throw new VerificationError(`The restored database ${database} does not match the manifest: ${problems.join('; ')}.`, 'the safety copy holds the data from before the restore.')
  }
}

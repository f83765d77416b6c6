import { formatSeconds, type Logger } from '../kernel/log.js'
import { allToTheEnd } from '../kernel/concurrency.js'
import { HostCommandError, InputError, PreflightError } from '../kernel/errors.js'
import type { Compression, PartRecord } from '../kernel/manifest.js'
import { compressionExtension } from '../sources/compression.js'
import {
  checkInventory,
  defaultsSupport,
  describeAccess,
  dumpDatabase,
  importDatabase,
  inventoryDatabase,
  inventoryDatabases,
  runSql,
  type DatabaseAccess,
  type DatabaseInventory
} from '../sources/mysql.js'
import { defaultsProblem, describeDefaults, FALLBACK_DEFAULTS, recordedDefaults, type DatabaseDefaults } from '../sources/mysql-defaults.js'
import { discardIncoming, dropKept, importBeside, keptDatabases, swapHappened, swappedDatabase, swapObstacle, swapTablesBack, swapTablesIn, type SwappedDatabase } from '../sources/mysql-swap.js'
import { objectsProblem, type DatabaseObject } from '../sources/mysql-objects.js'
import type { KeptDatabase, SwapJournal } from './host-swap.js'
import type { Transport } from '../transport/transport.js'
import { mapWithLimit } from '../kernel/concurrency.js'
import { partInput, type PartSink, type PartSpec, type PreparedPart, type RestoreContext, type VerifiedPart } from './recipe.js'
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
 * Every database's inventory (row counts, objects, default character set and collation) is read first, in
 * one round trip, so the parts keep their order and each part's spec carries the defaults to the drill,
 * which creates its copy with them before the dump's first byte reaches it.
 */
export function backupDatabases(host: Transport, options: SeaTableOptions, sink: PartSink, compression: Compression): RunningDumps {
  const started = inventoryDatabases(host, options.access, options.databases).then(inventories => {
    const missing = options.databases.filter((_database, index) => !inventories[index].defaults).map(database => `the database ${database} does not exist on the server`)
    if (missing.length > 0) throw new PreflightError(missing, 'check `databases`.')
    return options.databases.map((database, index) => backupDatabase(host, options, sink, compression, database, inventories[index]))
  })
  const snapshotsTaken = started.then(dumps => Promise.all(dumps.map(dump => dump.snapshot))).then(() => undefined)
  snapshotsTaken.catch(() => undefined) // the failure is reported through `done`; a waiter sees it too
  return { done: started.then(dumps => allToTheEnd(dumps.map(dump => dump.done))).then(() => undefined), snapshotsTaken }
}

function backupDatabase(
  host: Transport,
  options: SeaTableOptions,
  sink: PartSink,
  compression: Compression,
  database: string,
  before: DatabaseInventory
): { done: Promise<PartRecord>; snapshot: Promise<void> } {
  const defaults = before.defaults as DatabaseDefaults
  let snapshotTaken = (): void => undefined
  const snapshot = new Promise<void>(resolve => (snapshotTaken = resolve))
  // The sink hands the spec to the drill as it is: its details are what the drill knows before the bytes flow.
  const spec: PartSpec = { name: `db-${database}`, kind: 'sql-dump', compression, extension: `.sql${compressionExtension(compression)}`, details: { database, defaults } }
  const done = sink.addPart(spec, async out => {
    const skipped = options.skipLogTables && database === 'dtable_db' ? LOG_TABLES : []
    await dumpDatabase(host, options.access, database, { ignoreTableData: skipped.filter(table => table in before.tables), compression, onSnapshot: snapshotTaken }, out)
    const after = await inventoryDatabase(host, options.access, database)
    const { tables, ranges } = mergeCounts(before, after)
    for (const table of skipped) if (table in tables) tables[table] = 0
    return { tables, details: { database, defaults, objects: before.objects, rowCountRanges: ranges, dataSkipped: skipped } }
  })
  // A database with nothing to dump shows no section: its snapshot is certain once the dump ended.
  return { done, snapshot: Promise.race([snapshot, done.then(() => undefined)]) }
}

/**
 * Every recorded default character set and collation that is not a plain name, one sentence each: for
 * acceptManifest, before anything is downloaded (the import checks again before it drops anything).
 */
export function recordedDefaultsProblems(records: PartRecord[]): string[] {
  return records.flatMap(record => {
    if (record.kind !== 'sql-dump' || record.details?.defaults === undefined) return []
    const problem = defaultsProblem(record.details.defaults)
    return problem ? [`part ${record.name}: ${problem}`] : []
  })
}

/**
 * What the target server lacks to re-create each database with the defaults its backup recorded, one
 * sentence each (malformed recorded values too), asked before anything on the host changes. A backup made
 * before the defaults were recorded has none to check: its databases get utf8mb4_unicode_ci, as before.
 */
export async function databaseDefaultsProblems(host: Transport, access: DatabaseAccess, records: PartRecord[]): Promise<string[]> {
  const problems = recordedDefaultsProblems(records)
  const wanted = records.flatMap(record => {
    if (record.kind !== 'sql-dump' || record.details?.defaults === undefined || defaultsProblem(record.details.defaults)) return []
    return [{ name: record.name, defaults: recordedDefaults(record) as DatabaseDefaults }]
  })
  if (wanted.length === 0) return problems
  const pairs = wanted.map(entry => entry.defaults)
  const support = await defaultsSupport(host, access, pairs)
  const server = `this MariaDB server (${support.version})`
  const fix = 'restore onto the MariaDB version the backup came from'
  wanted.forEach(({ name, defaults }, index) => {
    const found = support.pairs[index]
    if (!found.characterSet) problems.push(`${name} was made with character set ${defaults.characterSet}, which ${server} does not have: ${fix}`)
    else if (!found.collation) problems.push(`${name} was made with collation ${defaults.collation}, which ${server} does not have: ${fix}`)
    else if (!found.together) problems.push(`${name} records collation ${defaults.collation} with character set ${defaults.characterSet}, which ${server} does not pair: the manifest was altered`)
  })
  return problems
}

/**
 * Before the stop, while SeaTable still runs: imports a database's dump into a side database and checks it
 * there against the manifest, to be swapped in by RENAME TABLE after the stop. Undefined (an import in
 * place after a dump of it) when a swap cannot carry the database: see swapObstacle.
 */
export async function prepareDatabaseSwap(host: Transport, options: SeaTableOptions, part: VerifiedPart, context: { logger: Logger; stamp: string }): Promise<PreparedPart | undefined> {
  const { logger, stamp } = context
  if (part.record.kind !== 'sql-dump') return undefined
  const database = part.record.name.replace(/^db-/, '')
  const names = swappedDatabase(database, stamp)
  const inPlace = (why: string | undefined): undefined => {
    logger.info(`${part.record.name}: imported in place after the stop, with a dump of it kept first: ${why}`)
    return undefined
  }
  const obstacle = await swapObstacle(host, options.access, names, part.record)
  if (obstacle || !names) return inPlace(obstacle)
  const began = Date.now()
  // Once swapped in, the side database is gone (the swap dropped it): nothing is left to remove.
  let swappedIn = false
  const discard = async (): Promise<void> => {
    if (!swappedIn) await discardIncoming(host, options.access, names)
  }
  const defaults = recordedDefaults(part.record)
  let objects: DatabaseObject[]
  try {
    const created = await importBeside(host, options.access, names, { record: part.record, compression: part.record.compression, input: partInput(part, `Importing ${database}`, logger), defaults })
    if (created.leftovers.length > 0) logger.info(`${part.record.name}: dropped ${created.leftovers.join(', ')}, left by an interrupted restore`)
    if (created.note) logger.info(`${part.record.name}: ${created.note} (the backup was made before selfhost-backup recorded a database's defaults)`)
    objects = created.objects
  } catch (error) {
    await discard().catch(() => undefined)
    throw error
  }
  const problem = objectsProblem(objects)
  if (problem) {
    await discard()
    return inPlace(`in the backup, ${problem}`)
  }
  logger.info(`${part.record.name}: imported beside the live database into ${names.incoming} and checked in ${formatSeconds(Date.now() - began)}`)
  const swap = { part, names, defaults: defaults ?? FALLBACK_DEFAULTS, objects }
  const swapIn = async (swaps: SwapJournal): Promise<string> => {
    const line = await swapDatabaseIn(host, options, swap, swaps, logger)
    swappedIn = true
    return line
  }
  return { part: part.record.name, discard, swapIn }
}

export async function restoreDatabases(host: Transport, options: SeaTableOptions, parts: VerifiedPart[], context: Pick<RestoreContext, 'logger' | 'swaps' | 'prepared'>): Promise<string[]> {
  const { logger, swaps, prepared } = context
  // Every part's recorded defaults are checked before the first database is dropped.
  const defaults = parts.map(part => recordedDefaults(part.record))
  // Two at a time: the small databases import beside the large one. After a failure no further database is dropped.
  return mapWithLimit(parts, IMPORTS_AT_ONCE, async (part, index) => {
    const swap = prepared.get(part.record.name)
    if (swap) return swap.swapIn(swaps)
    // From the part name, which acceptManifest matched against the databases this restore may re-create.
    const database = part.record.name.replace(/^db-/, '')
    const began = Date.now()
    const created = await importDatabase(host, options.access, database, part.record.compression, partInput(part, `Importing ${database}`, logger), defaults[index])
    if (created.note) logger.info(`${part.record.name}: ${created.note} (the backup was made before selfhost-backup recorded a database's defaults)`)
    const imported = Date.now()
    const inventory = await inventoryDatabase(host, options.access, database)
    checkInventory(database, part.record, inventory)
    logger.info(`${part.record.name}: imported in ${formatSeconds(imported - began)}, counted and checked in ${formatSeconds(Date.now() - imported)}`)
    return `${database}: imported; ${Object.keys(inventory.tables).length} tables with the backup's row counts, ${inventory.objects.routines} routines, ${inventory.objects.triggers} triggers, ${inventory.objects.events} events, ${inventory.objects.views} views; ${created.note ?? `default ${describeDefaults(created.defaults)}, as in the backup`}`
  })
}

/** The prepared side database swapped in by one RENAME TABLE, its objects after it; the live tables stay in the kept database. */
async function swapDatabaseIn(
  host: Transport,
  options: SeaTableOptions,
  swap: { part: VerifiedPart; names: SwappedDatabase; defaults: DatabaseDefaults; objects: DatabaseObject[] },
  swaps: SwapJournal,
  logger: Logger
): Promise<string> {
  const { part, names, defaults, objects } = swap
  const kept: KeptDatabase = {
    part: part.record.name,
    live: names.live,
    kept: names.kept,
    putBack: () => swapTablesBack(host, options.access, names),
    drop: () => dropKept(host, options.access, names)
  }
  const began = Date.now()
  try {
    await swapTablesIn(host, options.access, names, { defaults, objects })
  } catch (error) {
    // Recorded only when the RENAME happened: a rollback then moves the kept tables back.
    const happened = await swapHappened(host, options.access, names).catch((checkError: unknown) => {
      logger.warning(
        `${part.record.name}: the swap failed, and asking whether its RENAME happened failed too (${(checkError as Error).message}): the live tables are in ${names.live} or, if the RENAME happened, in ${names.kept}, with their views, triggers, routines and events recorded in its table selfhost_backup_swapped`
      )
      return false
    })
    if (happened) swaps.keepDatabase(kept)
    throw error
  }
  swaps.keepDatabase(kept)
  logger.info(`${part.record.name}: swapped in by RENAME TABLE in ${formatSeconds(Date.now() - began)}, the tables it replaced are kept in ${names.kept}`)
  const tables = Object.keys(part.record.tables ?? {}).length
  const counts = (['view', 'trigger', 'procedure', 'function', 'event'] as const)
    .map(kind => [objects.filter(object => object.kind === kind).length, kind] as const)
    .map(([count, kind]) => `${count} ${kind}${count === 1 ? '' : 's'}`)
    .join(', ')
  return `${names.live}: swapped in; ${tables} tables with the backup's row counts (checked before the stop), ${counts}, default ${describeDefaults(defaults)}; the tables it replaced are kept in the database ${names.kept}`
}

const IMPORTS_AT_ONCE = 2

/** put-back: every one of `databases` the restore with this stamp swapped goes back to the tables it kept. */
export async function putBackDatabases(host: Transport, access: DatabaseAccess, databases: string[], stamp: string, logger: Logger): Promise<string[]> {
  const report: string[] = []
  for (const names of await keptDatabases(host, access, databases, stamp)) {
    await swapTablesBack(host, access, names)
    report.push(`database ${names.live} is as it was before the restore ${stamp} (from ${names.kept})`)
    logger.info(report[report.length - 1])
  }
  return report
}

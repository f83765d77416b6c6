import { VerificationError } from '../kernel/errors.js'
import type { Compression, PartRecord } from '../kernel/manifest.js'
import type { Transport } from '../transport/transport.js'
import { defaultsFromServer, type DatabaseDefaults } from './mysql-defaults.js'
import { importDatabase, inventoryDatabase, inventoryProblems, mysqlIdentifier, mysqlString, runSql, type DatabaseAccess, type ImportedDatabase } from './mysql.js'
import { createObjects, dropObjects, objectsProblem, readObjects, readRecordedObjects, RECORD_COLUMNS, recordObjects, type DatabaseObject } from './mysql-objects.js'
import type { PartInput } from './compression.js'

/**
 * A database restored by swap: the dump is imported into `incoming` beside the live database while the app
 * still runs, and checked there; after the stop one RENAME TABLE (atomic in MariaDB) moves the live tables
 * into `kept` and the imported ones into `live`, and the views, triggers, routines and events follow.
 * `kept` is the safety copy: no dump before the restore, and a rename back puts it in place. The stamp is
 * the restore's, so put-back finds `kept` by the safety-copy id.
 */
export interface SwappedDatabase {
  live: string
  incoming: string
  kept: string
}

/** MariaDB's limit on a database name. */
const NAME_LIMIT = 64
const INCOMING = '__incoming_'
const KEPT = '__kept_'
/** A restore stamp's length: 20261206T031500Z-a1b2c3. */
const STAMP_LENGTH = 23

/** The side databases' names for one restore stamp (`20261206T031500Z-a1b2c3`); undefined when they would be too long. */
export function swappedDatabase(live: string, stamp: string): SwappedDatabase | undefined {
  // Underscores only: the kept database's name is one a user can type in DROP DATABASE without quoting it.
  const suffix = stamp.replace(/-/g, '_')
  const names = { live, incoming: `${live}${INCOMING}${suffix}`, kept: `${live}${KEPT}${suffix}` }
  return names.incoming.length <= NAME_LIMIT && names.kept.length <= NAME_LIMIT ? names : undefined
}

/** The name of a side database `live` gets from any restore: an interrupted one's leftovers match it. */
function incomingOfAnyRestore(live: string): RegExp {
  const escaped = live.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${escaped}${INCOMING}\\d{8}T\\d{6}Z_[0-9a-f]{6}$`)
}

/**
 * Moves with the tables in the one RENAME: in `kept` it proves the swap happened (a swap is all or nothing,
 * so rollback and put-back act only on a `kept` that holds it), and its rows are the replaced database's
 * views, triggers, routines and events, which put-back re-creates.
 */
const SWAPPED_MARK = 'selfhost_backup_swapped'

/**
 * Why `live` cannot be restored by swap, or undefined when it can: the side databases' names must fit, and
 * the live database's views, triggers, routines and events must be ones the swap can re-create.
 */
export async function swapObstacle(host: Transport, access: DatabaseAccess, names: SwappedDatabase | undefined, record: PartRecord): Promise<string | undefined> {
  if (!names) return `its name is too long for the side databases a swap needs (${NAME_LIMIT - INCOMING.length - STAMP_LENGTH} characters at most)`
  // The record's name must be the swap's own: rows in a table of that name are re-created as SQL on put-back.
  if (Object.hasOwn(record.tables ?? {}, SWAPPED_MARK)) return `the backup has a table named ${SWAPPED_MARK}, the name a swap keeps its record under`
  const [[live], objects] = await Promise.all([readSchemas(host, access, [names.live]), readObjects(host, access, names.live)])
  if (live.tables.includes(SWAPPED_MARK)) return `the live database has a table named ${SWAPPED_MARK}, the name a swap keeps its record under`
  const problem = objectsProblem(objects)
  return problem ? `in the live database, ${problem}` : undefined
}

/**
 * Imports a dump into `incoming` (first dropping what an interrupted restore of the same database left) and
 * holds it against the manifest: row counts, objects and defaults; returns its objects' definitions. Nothing
 * live changes; on a failure the caller drops `incoming` (discardIncoming).
 */
export async function importBeside(
  host: Transport,
  access: DatabaseAccess,
  names: SwappedDatabase,
  dump: { record: PartRecord; compression: Compression; input: PartInput; defaults: DatabaseDefaults | undefined }
): Promise<ImportedDatabase & { leftovers: string[]; objects: DatabaseObject[] }> {
  const leftovers = (await listDatabases(host, access)).filter(name => incomingOfAnyRestore(names.live).test(name) && name !== names.incoming)
  if (leftovers.length > 0) await runSql(host, access, leftovers.map(name => `DROP DATABASE IF EXISTS ${mysqlIdentifier(name)};`).join('\n'))
  const created = await importDatabase(host, access, names.incoming, dump.compression, dump.input, dump.defaults)
  const problems = inventoryProblems(dump.record, await inventoryDatabase(host, access, names.incoming))
  if (problems.length > 0) {
    throw new VerificationError(
      `The dump of ${names.live}, imported beside the live database, does not match the manifest: ${problems.join('; ')}. The live database was not changed.`,
      'restore another backup (set backup-id).'
    )
  }
  // Read now, while the app runs: after the stop the swap re-creates them in `live` without asking again.
  return { ...created, leftovers, objects: await readObjects(host, access, names.incoming) }
}

/** Drops `incoming` if it is there: before the swap it holds the import, after it nothing. */
export async function discardIncoming(host: Transport, access: DatabaseAccess, names: SwappedDatabase): Promise<void> {
  await runSql(host, access, `DROP DATABASE IF EXISTS ${mysqlIdentifier(names.incoming)};`)
}

/**
 * After the stop: the live tables into `kept`, the imported ones into `live`, in one atomic RENAME TABLE;
 * `live` takes the backup's defaults and its objects (`objects`, read from `incoming` before the stop), and
 * `kept` the old defaults, with the old objects recorded in its mark. The objects are dropped first (a
 * table with triggers cannot move to another database). A database the server did not have is created
 * first, so `kept` always exists and put-back finds it. When this fails the caller asks swapHappened,
 * which re-creates the live objects dropped before a RENAME that did not happen.
 */
export async function swapTablesIn(host: Transport, access: DatabaseAccess, names: SwappedDatabase, swap: { defaults: DatabaseDefaults; objects: DatabaseObject[] }): Promise<void> {
  const [[live, incoming], liveObjects] = await Promise.all([readSchemas(host, access, [names.live, names.incoming]), readObjects(host, access, names.live)])
  // Asked again after the stop: the app may have changed its database since the swap was prepared.
  const problem = objectsProblem(liveObjects) ?? (live.tables.includes(SWAPPED_MARK) ? `the live database has a table named ${SWAPPED_MARK}` : undefined)
  if (problem) throw new VerificationError(`${names.live} cannot be swapped: ${problem}. Nothing was changed.`, 'remove or rename it, then restore again.')
  const mark = `${mysqlIdentifier(names.incoming)}.${SWAPPED_MARK}`
  const incomingTriggers = swap.objects.filter(object => object.kind === 'trigger')
  const statements = [
    ...(live.defaults ? [] : [`CREATE DATABASE ${mysqlIdentifier(names.live)} ${defaultsClause(swap.defaults)};`]),
    `CREATE DATABASE ${mysqlIdentifier(names.kept)} ${defaultsClause(live.defaults ?? swap.defaults)};`,
    `CREATE TABLE ${mark} (${RECORD_COLUMNS});`,
    ...recordObjects(mark, liveObjects),
    // All of them, not only the triggers: a live view may have the name of a table the backup brings.
    ...dropObjects(names.live, liveObjects),
    ...dropObjects(names.incoming, incomingTriggers),
    renameStatement([
      ...live.tables.map(table => [names.live, names.kept, table] as const),
      ...incoming.tables.map(table => [names.incoming, names.live, table] as const),
      [names.incoming, names.kept, SWAPPED_MARK] as const
    ]),
    `ALTER DATABASE ${mysqlIdentifier(names.live)} ${defaultsClause(swap.defaults)};`,
    ...createObjects(names.live, swap.objects),
    `DROP DATABASE ${mysqlIdentifier(names.incoming)};`
  ]
  await runSql(host, access, statements.join('\n'))
}

/**
 * After a failed swapTablesIn: whether its RENAME happened (the mark is in `kept`), so a rollback must undo
 * it. When it did not, the live tables never moved: the live objects the swap had dropped are re-created
 * from the mark (still in `incoming`), and a `kept` it created empty is dropped.
 */
export async function swapHappened(host: Transport, access: DatabaseAccess, names: SwappedDatabase): Promise<boolean> {
  const [kept, incoming] = await readSchemas(host, access, [names.kept, names.incoming])
  if (kept.tables.includes(SWAPPED_MARK)) return true
  if (incoming.tables.includes(SWAPPED_MARK)) {
    const recorded = await readRecordedObjects(host, access, `${mysqlIdentifier(names.incoming)}.${SWAPPED_MARK}`)
    const present = new Set((await readObjects(host, access, names.live)).map(object => `${object.kind} ${object.name}`))
    const missing = recorded.filter(object => !present.has(`${object.kind} ${object.name}`))
    if (missing.length > 0) await runSql(host, access, createObjects(names.live, missing).join('\n'))
  }
  if (kept.defaults && kept.tables.length === 0) await runSql(host, access, `DROP DATABASE ${mysqlIdentifier(names.kept)};`)
  return false
}

/**
 * Undoes swapTablesIn (a rollback, or put-back later): what the restore put into `live` (tables and
 * objects) moves out and is dropped, the kept tables move back, and `live` takes its old defaults and
 * objects again; `kept` goes. Refused unless `kept` holds the mark of a swap that happened.
 */
export async function swapTablesBack(host: Transport, access: DatabaseAccess, names: SwappedDatabase): Promise<void> {
  const [[live, kept], liveObjects] = await Promise.all([readSchemas(host, access, [names.live, names.kept]), readObjects(host, access, names.live)])
  if (!kept.defaults || !kept.tables.includes(SWAPPED_MARK)) {
    throw new VerificationError(
      `${names.kept} is not the database a completed swap of ${names.live} kept (${kept.defaults ? `it lacks the table ${SWAPPED_MARK}` : 'no such database'}), so nothing was put back.`,
      'check the safety-copy id; the databases were not changed.'
    )
  }
  const keptObjects = await readRecordedObjects(host, access, `${mysqlIdentifier(names.kept)}.${SWAPPED_MARK}`)
  const statements = [
    `DROP DATABASE IF EXISTS ${mysqlIdentifier(names.incoming)};`,
    `CREATE DATABASE ${mysqlIdentifier(names.incoming)};`,
    ...(live.defaults ? [] : [`CREATE DATABASE ${mysqlIdentifier(names.live)};`]),
    ...dropObjects(names.live, liveObjects),
    renameStatement([
      ...live.tables.map(table => [names.live, names.incoming, table] as const),
      ...kept.tables.filter(table => table !== SWAPPED_MARK).map(table => [names.kept, names.live, table] as const)
    ]),
    `ALTER DATABASE ${mysqlIdentifier(names.live)} ${defaultsClause(kept.defaults)};`,
    ...createObjects(names.live, keptObjects),
    `DROP DATABASE ${mysqlIdentifier(names.incoming)};`,
    `DROP DATABASE ${mysqlIdentifier(names.kept)};`
  ]
  await runSql(host, access, statements.join('\n'))
}

/** safety-copy: false: the kept tables go once the restore succeeded. */
export async function dropKept(host: Transport, access: DatabaseAccess, names: SwappedDatabase): Promise<void> {
  await runSql(host, access, `DROP DATABASE IF EXISTS ${mysqlIdentifier(names.kept)};`)
}

/** The databases a restore with this stamp kept, among `databases` (for put-back). */
export async function keptDatabases(host: Transport, access: DatabaseAccess, databases: string[], stamp: string): Promise<SwappedDatabase[]> {
  const listed = await listDatabases(host, access)
  return databases.flatMap(live => {
    const names = swappedDatabase(live, stamp)
    return names && listed.includes(names.kept) ? [names] : []
  })
}

function defaultsClause(defaults: DatabaseDefaults): string {
  return `CHARACTER SET ${mysqlIdentifier(defaults.characterSet)} COLLATE ${mysqlIdentifier(defaults.collation)}`
}

/** `RENAME TABLE a.t TO b.t, …`: nothing when there is nothing to move. */
function renameStatement(moves: (readonly [string, string, string])[]): string {
  if (moves.length === 0) return ''
  return `RENAME TABLE ${moves.map(([from, to, table]) => `${mysqlIdentifier(from)}.${mysqlIdentifier(table)} TO ${mysqlIdentifier(to)}.${mysqlIdentifier(table)}`).join(', ')};`
}

/** Every table (not view) of each schema, and its defaults (undefined: no such database), answered by position. */
async function readSchemas(host: Transport, access: DatabaseAccess, schemas: string[]): Promise<{ tables: string[]; defaults?: DatabaseDefaults }[]> {
  const answer = await runSql(
    host,
    access,
    schemas
      .flatMap((schema, index) => [
        // Names as hex: a table name may hold a tab or a line break.
        `SELECT 'table', ${index}, HEX(table_name) FROM information_schema.tables WHERE table_schema = ${mysqlString(schema)} AND table_type <> 'VIEW';`,
        `SELECT 'defaults', ${index}, HEX(default_character_set_name), HEX(default_collation_name) FROM information_schema.schemata WHERE schema_name = ${mysqlString(schema)};`
      ])
      .join('\n')
  )
  const found: { tables: string[]; defaults?: DatabaseDefaults }[] = schemas.map(() => ({ tables: [] }))
  for (const line of answer.split('\n').filter(Boolean)) {
    const [kind, position, value, more] = line.split('\t')
    const schema = found[Number(position)]
    if (!schema) continue
    if (kind === 'table') schema.tables.push(Buffer.from(value, 'hex').toString('utf8'))
    else if (kind === 'defaults') schema.defaults = defaultsFromServer(value, more, schemas[Number(position)])
  }
  return found
}

async function listDatabases(host: Transport, access: DatabaseAccess): Promise<string[]> {
  const answer = await runSql(host, access, 'SELECT HEX(schema_name) FROM information_schema.schemata;')
  return answer
    .split('\n')
    .filter(Boolean)
    .map(hex => Buffer.from(hex, 'hex').toString('utf8'))
}

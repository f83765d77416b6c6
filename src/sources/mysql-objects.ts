import { VerificationError } from '../kernel/errors.js'
import type { Transport } from '../transport/transport.js'
import { mysqlIdentifier, mysqlString, runSql, type DatabaseAccess } from './mysql.js'

/**
 * A database's objects besides its tables: views, triggers, routines and events. RENAME TABLE moves none
 * of them (and refuses a table with triggers across databases), so a database swap carries them as their
 * SHOW CREATE text with the session settings they were made under, like a dump does, and re-creates them.
 */
export interface DatabaseObject {
  kind: ObjectKind
  name: string
  /** The SHOW CREATE statement, made in the database itself: a view's tables are named without it. */
  statement: string
  sqlMode: string
  characterSetClient: string
  collationConnection: string
  /** Events only. */
  timeZone?: string
}

export type ObjectKind = 'procedure' | 'function' | 'view' | 'trigger' | 'event'

/** Which column of each SHOW CREATE row holds what (after the name). */
const SHOW_COLUMNS: Record<ObjectKind, { statement: number; sqlMode?: number; client: number; connection: number; timeZone?: number }> = {
  trigger: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
  procedure: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
  function: { sqlMode: 1, statement: 2, client: 3, connection: 4 },
  event: { sqlMode: 1, timeZone: 2, statement: 3, client: 4, connection: 5 },
  view: { statement: 1, client: 2, connection: 3 }
}

/** Every object of `schema`, in an order that creates them again: routines, views (those used by others first), triggers in firing order, events. */
export async function readObjects(host: Transport, access: DatabaseAccess, schema: string): Promise<DatabaseObject[]> {
  const literal = mysqlString(schema)
  const listing = await runEscaped(
    host,
    access,
    [
      `SELECT LOWER(routine_type), HEX(routine_name) FROM information_schema.routines WHERE routine_schema = ${literal} ORDER BY routine_type, routine_name;`,
      `SELECT 'view', HEX(table_name) FROM information_schema.views WHERE table_schema = ${literal} ORDER BY table_name;`,
      `SELECT 'trigger', HEX(trigger_name) FROM information_schema.triggers WHERE trigger_schema = ${literal} ORDER BY event_object_table, action_timing, event_manipulation, action_order;`,
      `SELECT 'event', HEX(event_name) FROM information_schema.events WHERE event_schema = ${literal} ORDER BY event_name;`
    ].join('\n')
  )
  const named = listing.filter(row => row[0] in SHOW_COLUMNS).map(([kind, hex]) => ({ kind: kind as ObjectKind, name: Buffer.from(hex, 'hex').toString('utf8') }))
  if (named.length === 0) return []
  // In the database itself: SHOW CREATE VIEW then names its tables without the database.
  const rows = await runEscaped(host, access, named.map(object => `SHOW CREATE ${object.kind.toUpperCase()} ${mysqlIdentifier(object.name)};`).join('\n'), schema)
  if (rows.length !== named.length) throw new VerificationError(`Reading the definitions of ${schema}'s views, triggers, routines and events gave ${rows.length} answers for ${named.length} objects.`)
  const objects = named.map(({ kind, name }, index) => {
    const row = rows[index]
    const columns = SHOW_COLUMNS[kind]
    if (row[0] !== name || row[columns.statement] === undefined || row[columns.statement] === 'NULL')
      throw new VerificationError(`The definition of ${kind} ${name} in ${schema} could not be read (the user may lack the privilege to see it).`)
    return {
      kind,
      name,
      statement: row[columns.statement],
      sqlMode: columns.sqlMode === undefined ? '' : row[columns.sqlMode],
      characterSetClient: row[columns.client],
      collationConnection: row[columns.connection],
      ...(columns.timeZone === undefined ? {} : { timeZone: row[columns.timeZone] })
    }
  })
  return orderViews(objects)
}

/** Views that use other views come after them: SHOW CREATE VIEW quotes every name it uses. */
function orderViews(objects: DatabaseObject[]): DatabaseObject[] {
  const views = objects.filter(object => object.kind === 'view')
  const ordered: DatabaseObject[] = []
  const placing = new Set<string>()
  const place = (view: DatabaseObject): void => {
    if (ordered.includes(view) || placing.has(view.name)) return
    placing.add(view.name)
    for (const other of views) if (other !== view && view.statement.includes(mysqlIdentifier(other.name))) place(other)
    ordered.push(view)
  }
  views.forEach(place)
  const routines = objects.filter(object => object.kind === 'procedure' || object.kind === 'function')
  return [...routines, ...ordered, ...objects.filter(object => object.kind === 'trigger'), ...objects.filter(object => object.kind === 'event')]
}

/** Ends each object's statement for the client (which takes at most 16 characters): no definition may hold it (checked before anything changes). */
const DELIMITER = '$$sb-replay$$'

/** Why these objects cannot be re-created through the client, or undefined. */
export function objectsProblem(objects: DatabaseObject[]): string | undefined {
  const bad = objects.find(object => object.statement.includes(DELIMITER) || /[\r\n]/.test(object.sqlMode + object.characterSetClient + object.collationConnection + (object.timeZone ?? '')))
  return bad ? `the definition of ${bad.kind} ${bad.name} holds text that cannot be replayed through the client` : undefined
}

/** SQL that drops each object from `schema` (triggers too: a table with triggers cannot move to another database). */
export function dropObjects(schema: string, objects: Pick<DatabaseObject, 'kind' | 'name'>[]): string[] {
  const kinds: Record<ObjectKind, string> = { procedure: 'PROCEDURE', function: 'FUNCTION', view: 'VIEW', trigger: 'TRIGGER', event: 'EVENT' }
  return objects.map(object => `DROP ${kinds[object.kind]} IF EXISTS ${mysqlIdentifier(schema)}.${mysqlIdentifier(object.name)};`)
}

/**
 * Client input that creates each object in `schema` under its own session settings, as a dump does: the
 * database's default collation at that moment becomes the object's "Database Collation", so the caller
 * sets the database's defaults first. Ends back in no particular database.
 */
export function createObjects(schema: string, objects: DatabaseObject[]): string[] {
  if (objects.length === 0) return []
  const lines = [`USE ${mysqlIdentifier(schema)};`]
  for (const object of objects) {
    lines.push(
      `SET SESSION sql_mode = ${mysqlString(object.sqlMode)}, character_set_client = ${mysqlString(object.characterSetClient)}, collation_connection = ${mysqlString(object.collationConnection)}${object.timeZone === undefined ? '' : `, time_zone = ${mysqlString(object.timeZone)}`};`,
      `DELIMITER ${DELIMITER}`,
      `${object.statement}${DELIMITER}`,
      'DELIMITER ;'
    )
  }
  // Back to the client's own settings for whatever follows in the same session.
  lines.push("SET SESSION sql_mode = DEFAULT, character_set_client = 'utf8mb4', collation_connection = 'utf8mb4_general_ci', time_zone = DEFAULT;")
  return lines
}

/** The columns of the table a swap keeps its record in: the replaced database's objects, to re-create them on put-back. */
export const RECORD_COLUMNS =
  'position INT NOT NULL, kind VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL, sql_mode TEXT NOT NULL, character_set_client VARCHAR(64) NOT NULL, collation_connection VARCHAR(64) NOT NULL, time_zone VARCHAR(64) NULL, statement LONGTEXT NOT NULL'

/** INSERTs that write `objects` into the record table `table` (schema-qualified), every value as hex: nothing of it is parsed as SQL. */
export function recordObjects(table: string, objects: DatabaseObject[]): string[] {
  const hex = (value: string): string => (value === '' ? "''" : `CONVERT(X'${Buffer.from(value, 'utf8').toString('hex')}' USING utf8mb4)`)
  return objects.map(
    (object, position) =>
      `INSERT INTO ${table} VALUES (${position}, ${hex(object.kind)}, ${hex(object.name)}, ${hex(object.sqlMode)}, ${hex(object.characterSetClient)}, ${hex(object.collationConnection)}, ${object.timeZone === undefined ? 'NULL' : hex(object.timeZone)}, ${hex(object.statement)});`
  )
}

/** The objects a record table holds, in the order they were written. */
export async function readRecordedObjects(host: Transport, access: DatabaseAccess, table: string): Promise<DatabaseObject[]> {
  const rows = await runEscaped(
    host,
    access,
    `SELECT HEX(kind), HEX(name), HEX(sql_mode), HEX(character_set_client), HEX(collation_connection), IFNULL(HEX(time_zone), 'null'), HEX(statement) FROM ${table} ORDER BY position;`
  )
  return rows.map(row => {
    const [kind, name, sqlMode, client, connection, timeZone, statement] = row.map(value => (value === 'null' ? undefined : Buffer.from(value, 'hex').toString('utf8')))
    if (!kind || !(kind in SHOW_COLUMNS) || !name || statement === undefined)
      throw new VerificationError(`${table} holds a row that is not an object a swap recorded.`, 'put the objects back by hand from that table.')
    return {
      kind: kind as ObjectKind,
      name,
      statement,
      sqlMode: sqlMode ?? '',
      characterSetClient: client ?? '',
      collationConnection: connection ?? '',
      ...(timeZone === undefined ? {} : { timeZone })
    }
  })
}

/**
 * Runs SQL and returns its rows, split into fields, the client's escapes undone: a multi-line definition
 * arrives on its row.
 */
async function runEscaped(host: Transport, access: DatabaseAccess, sql: string, database?: string): Promise<string[][]> {
  const output = await runSql(host, access, sql, database, 'escaped')
  const unescape = (field: string): string => field.replace(/\\(.)/g, (_, char: string) => ({ n: '\n', t: '\t', '0': '\0', r: '\r' })[char] ?? char)
  return output
    .split('\n')
    .filter(line => line !== '')
    .map(line => line.split('\t').map(unescape))
}

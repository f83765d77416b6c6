/**
 * A SeaTable restore swaps each database in by RENAME TABLE (issue 12, item 3): the dump is imported into a
 * side database while the app still runs and checked there, and after the stop one atomic RENAME TABLE moves
 * the live tables into a kept database and the imported ones in. The kept database is the safety copy (no
 * dump before the restore), a rollback or put-back renames it back, and a swap that failed changes nothing.
 * Against a real MariaDB server.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import type { PartRecord } from '../../src/kernel/manifest.js'
import { SwapJournal } from '../../src/recipes/host-swap.js'
import type { PreparedPart, VerifiedPart } from '../../src/recipes/recipe.js'
import { prepareDatabaseSwap, putBackDatabases, restoreDatabases } from '../../src/recipes/seatable-databases.js'
import type { SeaTableOptions } from '../../src/recipes/seatable-options.js'
import { dumpDatabase, inventoryDatabase, mysqlIdentifier, mysqlString, type DatabaseAccess } from '../../src/sources/mysql.js'
import { dropObjects, readObjects, RECORD_COLUMNS, recordObjects } from '../../src/sources/mysql-objects.js'
import { discardIncoming, swapHappened, swappedDatabase, type SwappedDatabase } from '../../src/sources/mysql-swap.js'
import { LocalTransport } from '../../src/transport/local.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { recordingLogger } from '../support/transport-probes.js'

let server: MariaDbServer
let access: DatabaseAccess
let workDir: string
const host = new LocalTransport({ sudo: false })
let restores = 0

beforeAll(async () => {
  server = await startMariaDb()
  access = { mode: 'direct', host: '127.0.0.1', port: server.port, user: 'root', password: server.rootPassword }
  workDir = await mkdtemp(path.join(os.tmpdir(), 'selfhost-backup-swap-'))
}, 120_000)

afterAll(async () => {
  await server?.stop()
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

/** A database as a backup finds it: a parent and a child table joined by a foreign key, in a non-default collation. */
async function createShop(database: string): Promise<void> {
  await server.query(
    [
      `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;`,
      `USE ${database};`,
      'CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB;',
      'CREATE TABLE orders (id INT PRIMARY KEY, customer INT NOT NULL, FOREIGN KEY (customer) REFERENCES customers (id)) ENGINE=InnoDB;',
      "INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');",
      'INSERT INTO orders VALUES (10, 1), (11, 2), (12, 2);'
    ].join('\n')
  )
}

/** The dump and the part record a backup makes of `database`. */
async function backUp(database: string): Promise<VerifiedPart> {
  const file = path.join(workDir, `${database}-${Date.now()}.sql.zst`)
  const out = createWriteStream(file)
  await dumpDatabase(host, access, database, { ignoreTableData: [], compression: 'zstd' }, out)
  out.end()
  await finished(out)
  const inventory = await inventoryDatabase(host, access, database)
  const record: PartRecord = {
    name: `db-${database}`,
    file: path.basename(file),
    kind: 'sql-dump',
    compression: 'zstd',
    bytes: 0,
    sha256: '0'.repeat(64),
    durationMs: 0,
    tables: inventory.tables,
    details: { database, defaults: inventory.defaults, objects: inventory.objects, rowCountRanges: {} }
  }
  return { record, on: 'runner', path: file }
}

/** What the restore must get right: every table's rows, and the database's default collation. */
async function contents(database: string): Promise<string> {
  const tables = await server.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${mysqlString(database)} ORDER BY table_name`)
  const collation = await server.query(`SELECT default_collation_name FROM information_schema.schemata WHERE schema_name = ${mysqlString(database)}`)
  const rows = await Promise.all(
    tables
      .split('\n')
      .filter(Boolean)
      .map(async table => `${table}: ${(await server.query(`SELECT * FROM ${table} ORDER BY 1`, database)).trim().replace(/\n/g, ' | ')}`)
  )
  return [`collation ${collation.trim()}`, ...rows].join('\n')
}

/**
 * One of each object a dump carries, in two versions: the backup's and another the live host has later.
 * The session settings differ between them, so a re-creation that loses them shows.
 */
async function addObjects(database: string, version: 'backup' | 'live'): Promise<void> {
  const backup = version === 'backup'
  await server.query(
    [
      `SET SESSION sql_mode = '${backup ? 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION' : 'ANSI_QUOTES,NO_ENGINE_SUBSTITUTION'}';`,
      `CREATE VIEW big_orders AS SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer WHERE o.customer = ${backup ? 2 : 1};`,
      'CREATE VIEW big_order_names AS SELECT name FROM big_orders;',
      'DELIMITER ;;',
      `CREATE TRIGGER customers_name BEFORE INSERT ON customers FOR EACH ROW BEGIN SET NEW.name = ${backup ? 'UPPER' : 'LOWER'}(NEW.name); END;;`,
      `CREATE TRIGGER customers_again BEFORE INSERT ON customers FOR EACH ROW FOLLOWS customers_name BEGIN SET NEW.name = CONCAT(NEW.name, ''); END;;`,
      `CREATE PROCEDURE rename_customer(IN who INT, IN label VARCHAR(40)) BEGIN UPDATE customers SET name = label WHERE id = who; END;;`,
      `CREATE FUNCTION customer_orders(who INT) RETURNS INT READS SQL DATA BEGIN RETURN (SELECT COUNT(*) FROM orders WHERE customer = who${backup ? '' : ' + 0'}); END;;`,
      'DELIMITER ;',
      // Far in the future: it never runs during the test.
      `CREATE EVENT forget_orders ON SCHEDULE EVERY 1 DAY STARTS '2035-01-01 00:00:00' ${backup ? 'ENABLE' : 'DISABLE'} DO DELETE FROM orders WHERE id < 0;`
    ].join('\n'),
    database
  )
}

/** SHOW CREATE of every object, whole, except a trigger's Created (no dump carries it). */
async function objectDefinitions(database: string): Promise<string[]> {
  const listing = await server.query(
    [
      `SELECT 'VIEW', table_name FROM information_schema.views WHERE table_schema = ${mysqlString(database)}`,
      `SELECT 'TRIGGER', trigger_name FROM information_schema.triggers WHERE trigger_schema = ${mysqlString(database)}`,
      `SELECT routine_type, routine_name FROM information_schema.routines WHERE routine_schema = ${mysqlString(database)}`,
      `SELECT 'EVENT', event_name FROM information_schema.events WHERE event_schema = ${mysqlString(database)}`
    ].join(' UNION ALL ')
  )
  const objects = listing
    .split('\n')
    .filter(Boolean)
    .map(line => line.split('\t'))
  const shown = await Promise.all(
    objects.map(async ([kind, name]) => {
      const row = (await server.query(`SHOW CREATE ${kind} ${name}`, database)).replace(/\n$/, '').split('\t')
      return `${kind} ${(kind === 'TRIGGER' ? row.slice(0, 6) : row).join('\t')}`
    })
  )
  const order = await server.query(`SELECT trigger_name, action_order FROM information_schema.triggers WHERE trigger_schema = ${mysqlString(database)} ORDER BY action_order`)
  return [...shown.sort(), `trigger order: ${order.trim().replace(/\n/g, ' ')}`]
}

async function databases(): Promise<string[]> {
  return (await server.query('SHOW DATABASES')).split('\n').filter(Boolean)
}

function newRestore(): { stamp: string; swaps: SwapJournal; logger: ReturnType<typeof recordingLogger> } {
  restores += 1
  const stamp = `20261206T12000${restores}Z-${restores.toString(16).padStart(6, '0')}`
  const logger = recordingLogger()
  return { stamp, swaps: new SwapJournal(host, stamp, logger), logger }
}

function preparedMap(prepared: PreparedPart | undefined): Map<string, PreparedPart> {
  expect(prepared).toBeDefined()
  return new Map([[prepared!.part, prepared!]])
}

const optionsFor = (database: string): SeaTableOptions => ({ access, databases: [database] }) as unknown as SeaTableOptions

test('the dump is imported beside the live database, swapped in after the stop, and the replaced tables are kept; a rollback puts them back', async () => {
  await createShop('shop_one')
  const part = await backUp('shop_one')
  const backedUp = await contents('shop_one')
  // After the backup the live database moves on: a new row, a new table, another default collation.
  await server.query("INSERT INTO customers VALUES (3, 'Linus'); CREATE TABLE later (id INT); ALTER DATABASE shop_one COLLATE utf8mb4_bin;", 'shop_one')
  const live = await contents('shop_one')
  const { stamp, swaps, logger } = newRestore()
  const options = optionsFor('shop_one')

  const prepared = await prepareDatabaseSwap(host, options, part, { logger, stamp })
  expect(prepared?.part).toBe('db-shop_one')
  // Beside, not in place: the live database is as it was while the app runs.
  expect(await contents('shop_one')).toBe(live)
  expect(await contents('shop_one__incoming_20261206T120001Z_000001')).toBe(backedUp)

  const report = await restoreDatabases(host, options, [part], { logger, swaps, prepared: preparedMap(prepared) })
  expect(report[0]).toMatch(/^shop_one: swapped in; 2 tables with the backup's row counts .*kept in the database shop_one__kept_20261206T120001Z_000001$/)
  expect(await contents('shop_one')).toBe(backedUp)
  // The kept database holds the live tables as they were (and the swap's mark), under the old collation.
  expect(await contents('shop_one__kept_20261206T120001Z_000001')).toBe(`${live}\nselfhost_backup_swapped: `)
  expect(await databases()).not.toContain('shop_one__incoming_20261206T120001Z_000001')
  // The foreign key moved with its tables: it still guards the restored ones.
  await expect(server.query('INSERT INTO orders VALUES (13, 99)', 'shop_one')).rejects.toThrow(/foreign key constraint fails/)

  expect(await swaps.rollBack()).toEqual(['db-shop_one: database shop_one is as it was'])
  expect(await contents('shop_one')).toBe(live)
  expect((await databases()).filter(name => name.startsWith('shop_one__'))).toEqual([])
}, 60_000)

test('put-back by the safety-copy id, later and from another process, puts the kept tables back; safety-copy: false drops them', async () => {
  await createShop('shop_two')
  const part = await backUp('shop_two')
  await server.query("DELETE FROM orders WHERE id = 12; INSERT INTO customers VALUES (4, 'Barbara');", 'shop_two')
  const live = await contents('shop_two')
  const options = optionsFor('shop_two')
  const first = newRestore()
  await restoreDatabases(host, options, [part], { ...first, prepared: preparedMap(await prepareDatabaseSwap(host, options, part, first)) })
  expect(await contents('shop_two')).not.toBe(live)

  const logger = recordingLogger()
  expect(await putBackDatabases(host, access, options.databases, first.stamp, logger)).toEqual([
    `database shop_two is as it was before the restore ${first.stamp} (from shop_two__kept_20261206T120002Z_000002)`
  ])
  expect(await contents('shop_two')).toBe(live)
  // Nothing is left for the same id: a second put-back finds nothing.
  expect(await putBackDatabases(host, access, options.databases, first.stamp, logger)).toEqual([])

  const second = newRestore()
  await restoreDatabases(host, options, [part], { ...second, prepared: preparedMap(await prepareDatabaseSwap(host, options, part, second)) })
  await second.swaps.discard()
  expect((await databases()).filter(name => name.startsWith('shop_two__'))).toEqual([])
}, 60_000)

test('a swap that cannot happen changes nothing: a table named like its record keeps it from starting, and a RENAME that did not happen leaves the live objects as they were', async () => {
  await createShop('shop_three')
  await addObjects('shop_three', 'live')
  const part = await backUp('shop_three')
  const live = await contents('shop_three')
  const liveObjects = await objectDefinitions('shop_three')
  const options = optionsFor('shop_three')

  // A backup with a table of the record's name: its rows would be re-created as SQL, so the database imports in place.
  const withRecordName: VerifiedPart = { ...part, record: { ...part.record, tables: { ...part.record.tables, selfhost_backup_swapped: 0 } } }
  const first = newRestore()
  expect(await prepareDatabaseSwap(host, options, withRecordName, first)).toBeUndefined()
  expect(first.logger.lines).toContainEqual(expect.stringMatching(/db-shop_three: imported in place after the stop, .*: the backup has a table named selfhost_backup_swapped/))

  // Prepared, then the app makes such a table before the stop: the swap refuses before anything changes.
  const second = newRestore()
  const prepared = await prepareDatabaseSwap(host, options, part, second)
  await server.query('CREATE TABLE selfhost_backup_swapped (id INT)', 'shop_three')
  await expect(restoreDatabases(host, options, [part], { ...second, prepared: preparedMap(prepared) })).rejects.toThrow(
    'shop_three cannot be swapped: the live database has a table named selfhost_backup_swapped. Nothing was changed.'
  )
  expect(await objectDefinitions('shop_three')).toEqual(liveObjects)
  expect(second.swaps.databases).toEqual([])
  await prepared?.discard()
  await server.query('DROP TABLE selfhost_backup_swapped', 'shop_three')
  expect(await contents('shop_three')).toBe(live)

  // The state a swap leaves when its RENAME fails: the live objects recorded in the side database and dropped
  // (a table with triggers cannot move), the kept database created empty. They come back from the record.
  const names = swappedDatabase('shop_three', '20261206T120099Z-abcdef') as SwappedDatabase
  const objects = await readObjects(host, access, 'shop_three')
  const record = `${mysqlIdentifier(names.incoming)}.selfhost_backup_swapped`
  await server.query(
    [`CREATE DATABASE ${names.kept}; CREATE DATABASE ${names.incoming}; CREATE TABLE ${record} (${RECORD_COLUMNS});`, ...recordObjects(record, objects), ...dropObjects('shop_three', objects)].join(
      '\n'
    )
  )
  expect(await objectDefinitions('shop_three')).not.toEqual(liveObjects)
  expect(await swapHappened(host, access, names)).toBe(false)
  expect(await objectDefinitions('shop_three')).toEqual(liveObjects)
  expect(await contents('shop_three')).toBe(live)
  expect(await databases()).not.toContain(names.kept)
  await discardIncoming(host, access, names)
  expect((await databases()).filter(name => name.startsWith('shop_three__'))).toEqual([])
}, 60_000)

test('views, triggers, routines and events follow the swap as a dump would make them, and put-back brings back the replaced ones', async () => {
  await createShop('shop_four')
  await addObjects('shop_four', 'backup')
  const part = await backUp('shop_four')
  const backedUp = await contents('shop_four')
  const backupObjects = await objectDefinitions('shop_four')
  // The host moves on: other objects of the same names, one more of its own, and another default collation.
  await server.query(
    'DROP TRIGGER customers_name; DROP TRIGGER customers_again; DROP VIEW big_order_names; DROP VIEW big_orders; DROP PROCEDURE rename_customer; DROP FUNCTION customer_orders; DROP EVENT forget_orders; ALTER DATABASE shop_four COLLATE utf8mb4_bin;',
    'shop_four'
  )
  await addObjects('shop_four', 'live')
  const live = await contents('shop_four')
  const liveObjects = await objectDefinitions('shop_four')
  expect(liveObjects).not.toEqual(backupObjects)

  const { stamp, swaps, logger } = newRestore()
  const options = optionsFor('shop_four')
  const prepared = await prepareDatabaseSwap(host, options, part, { logger, stamp })
  const [line] = await restoreDatabases(host, options, [part], { logger, swaps, prepared: preparedMap(prepared) })
  expect(line).toMatch(/^shop_four: swapped in; 2 tables .*, 2 views, 2 triggers, 1 procedure, 1 function, 1 event, default collation utf8mb4_unicode_520_ci/)
  expect(await contents('shop_four')).toBe(backedUp)
  // SHOW CREATE of each, whole (sql_mode, character sets, Database Collation), as the backup had them.
  expect(await objectDefinitions('shop_four')).toEqual(backupObjects)
  // The triggers work on the swapped-in tables, and the view reads them.
  await server.query("INSERT INTO customers VALUES (5, 'katherine')", 'shop_four')
  expect(await server.query('SELECT name FROM customers WHERE id = 5', 'shop_four')).toBe('KATHERINE\n')
  expect(await server.query('SELECT COUNT(*) FROM big_orders', 'shop_four')).toBe('2\n')
  // Nothing of the host's objects is left in the kept database but its record: no event there can run.
  expect(await server.query(`SELECT COUNT(*) FROM information_schema.events WHERE event_schema = 'shop_four__kept_20261206T120004Z_000004'`)).toBe('0\n')

  expect(await putBackDatabases(host, access, options.databases, stamp, logger)).toHaveLength(1)
  expect(await contents('shop_four')).toBe(live)
  expect(await objectDefinitions('shop_four')).toEqual(liveObjects)
  expect((await databases()).filter(name => name.startsWith('shop_four__'))).toEqual([])
}, 60_000)

test('a dump that brings objects its record denies is refused beside the live data', async () => {
  await createShop('shop_five')
  await addObjects('shop_five', 'backup')
  const withTrigger = await backUp('shop_five')
  const denied: VerifiedPart = { ...withTrigger, record: { ...withTrigger.record, details: { ...withTrigger.record.details, objects: { routines: 0, triggers: 0, events: 0, views: 0 } } } }
  await server.query("INSERT INTO customers VALUES (6, 'Radia')", 'shop_five')
  const live = await contents('shop_five')
  const five = newRestore()
  await expect(prepareDatabaseSwap(host, optionsFor('shop_five'), denied, five)).rejects.toThrow(
    /The dump of shop_five, imported beside the live database, does not match the manifest: 0 routines expected, 2 found; 0 triggers expected, 2 found; 0 events expected, 1 found; 0 views expected, 2 found\. The live database was not changed\./
  )
  expect(await contents('shop_five')).toBe(live)
  expect((await databases()).filter(name => name.startsWith('shop_five__'))).toEqual([])
}, 60_000)

test("an interrupted restore's side database is dropped by the next one, and nothing else of a similar name", async () => {
  await createShop('shop_six')
  const part = await backUp('shop_six')
  await server.query('CREATE DATABASE shop_six__incoming_20200101T000000Z_abcdef; CREATE DATABASE shop_six__incoming_mine; CREATE DATABASE shop_six__kept_20200101T000000Z_abcdef;')
  const { stamp, logger, swaps } = newRestore()
  const prepared = await prepareDatabaseSwap(host, optionsFor('shop_six'), part, { logger, stamp })
  expect(logger.lines).toContainEqual('info: db-shop_six: dropped shop_six__incoming_20200101T000000Z_abcdef, left by an interrupted restore')
  const left = await databases()
  expect(left).not.toContain('shop_six__incoming_20200101T000000Z_abcdef')
  // Not a restore's name, and a kept database is the user's safety copy: both stay.
  expect(left).toEqual(expect.arrayContaining(['shop_six__incoming_mine', 'shop_six__kept_20200101T000000Z_abcdef']))
  await prepared?.discard()
  expect(swaps.databases).toEqual([])
}, 60_000)

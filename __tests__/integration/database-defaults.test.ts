/**
 * A database's default character set and collation (issue 14, item 4) survive a dump and an import. A
 * dump does not carry them: before, every import re-created the database as utf8mb4_unicode_ci, so a
 * database made with another default came back different, and with it the "Database Collation" its
 * routines, triggers and events run under. Against that code the round trip below fails on SCHEMATA and
 * on the last column of every SHOW CREATE row. The recorded value comes from a manifest, so a value that
 * is not a plain name is refused before anything is dropped, and a server that lacks a recorded
 * collation is named before a restore changes anything.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { VerificationError } from '../../src/kernel/errors.js'
import type { PartRecord } from '../../src/kernel/manifest.js'
import type { VerifiedPart } from '../../src/recipes/recipe.js'
import { SwapJournal } from '../../src/recipes/host-swap.js'
import { databaseDefaultsProblems, recordedDefaultsProblems, restoreDatabases } from '../../src/recipes/seatable-databases.js'
import type { SeaTableOptions } from '../../src/recipes/seatable-options.js'
import { checkInventory, dumpDatabase, importDatabase, inventoryDatabase, mysqlIdentifier, mysqlString, type DatabaseAccess, type DatabaseDefaults } from '../../src/sources/mysql.js'
import { LocalTransport } from '../../src/transport/local.js'
import { drillParts } from '../support/drill-parts.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { recordingLogger } from '../support/transport-probes.js'

let server: MariaDbServer
let access: DatabaseAccess
let workDir: string
const host = new LocalTransport({ sudo: false })
const logger = recordingLogger()

beforeAll(async () => {
  server = await startMariaDb()
  access = { mode: 'direct', host: '127.0.0.1', port: server.port, user: 'root', password: server.rootPassword }
  workDir = await mkdtemp(path.join(os.tmpdir(), 'selfhost-backup-defaults-'))
}, 120_000)

afterAll(async () => {
  await server?.stop()
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

/** A database with the given defaults holding a table, a trigger, a procedure, a function and an event. */
async function createDatabase(database: string, defaults: DatabaseDefaults): Promise<void> {
  await server.query(
    [
      `CREATE DATABASE ${mysqlIdentifier(database)} CHARACTER SET ${defaults.characterSet} COLLATE ${defaults.collation};`,
      `USE ${mysqlIdentifier(database)};`,
      'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40), touched INT NOT NULL DEFAULT 0);',
      "INSERT INTO items VALUES (1, 'one', 0), (2, 'zwei', 0);",
      'CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW SET NEW.touched = OLD.touched + 1;',
      'CREATE PROCEDURE rename_item(IN item INT, IN label VARCHAR(40)) UPDATE items SET name = label WHERE id = item;',
      "CREATE FUNCTION item_label(item INT) RETURNS VARCHAR(40) READS SQL DATA RETURN (SELECT CONCAT(name, '!') FROM items WHERE id = item);",
      // Far in the future and disabled: it never runs during the test.
      "CREATE EVENT items_reset ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO UPDATE items SET touched = 0;"
    ].join('\n')
  )
}

/**
 * SCHEMATA's defaults and every SHOW CREATE row whole (sql_mode, the definition, character_set_client,
 * collation_connection, Database Collation), except a trigger's Created: no dump carries it, an import
 * sets it to the time of the import.
 */
async function definitions(database: string): Promise<Record<string, string>> {
  const name = mysqlIdentifier(database)
  const trigger = (await server.query(`SHOW CREATE TRIGGER ${name}.items_touch`)).replace(/\n$/, '').split('\t')
  expect(trigger).toHaveLength(7)
  return {
    schemata: await server.query(`SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = ${mysqlString(database)}`),
    procedure: await server.query(`SHOW CREATE PROCEDURE ${name}.rename_item`),
    function: await server.query(`SHOW CREATE FUNCTION ${name}.item_label`),
    trigger: trigger.slice(0, 6).join('\t'),
    event: await server.query(`SHOW CREATE EVENT ${name}.items_reset`),
    table: await server.query(`SHOW CREATE TABLE ${name}.items`)
  }
}

async function dumpTo(database: string): Promise<string> {
  const file = path.join(workDir, `${database}.sql.zst`)
  const out = createWriteStream(file)
  await dumpDatabase(host, access, database, { ignoreTableData: [], compression: 'zstd' }, out)
  out.end()
  await finished(out)
  return file
}

/** The part a backup records for `database`: row counts, object counts and, from now on, its defaults. */
async function recordOf(database: string, file: string): Promise<PartRecord> {
  const inventory = await inventoryDatabase(host, access, database)
  return {
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
}

async function databaseExists(database: string): Promise<boolean> {
  return (await server.query(`SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ${mysqlString(database)}`)) === '1\n'
}

describe.each([
  ['a collation that is neither the server default nor the old fixed one', { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_520_ci' }],
  ['a character set other than utf8mb4', { characterSet: 'latin1', collation: 'latin1_swedish_ci' }]
])('a database with %s', (_label, defaults) => {
  const database = `defaults_${defaults.characterSet}`
  let record: PartRecord
  let file: string
  let before: Record<string, string>

  beforeAll(async () => {
    await createDatabase(database, defaults)
    before = await definitions(database)
    file = await dumpTo(database)
    record = await recordOf(database, file)
  })

  afterAll(async () => {
    await server.query(`DROP DATABASE IF EXISTS ${mysqlIdentifier(database)}`)
  })

  it('is inventoried with its defaults', () => {
    expect(record.details?.defaults).toEqual(defaults)
  })

  it('comes back from its dump with the recorded defaults, and its routines, trigger and event with their Database Collation', async () => {
    await server.query(`DROP DATABASE ${mysqlIdentifier(database)}`)
    const created = await importDatabase(host, access, database, 'zstd', { hostFile: file }, defaults)
    expect(created).toEqual({ defaults })
    expect(await definitions(database)).toEqual(before)
    expect(before.procedure.trimEnd().split('\t').at(-1)).toBe(defaults.collation)
    checkInventory(database, record, await inventoryDatabase(host, access, database))
  })

  it('fails the inventory check, naming both collations, when the database came back with another default', async () => {
    const other = defaults.characterSet === 'latin1' ? 'latin1_bin' : 'utf8mb4_bin'
    await server.query(`ALTER DATABASE ${mysqlIdentifier(database)} COLLATE ${other}`)
    try {
      const check = async () => checkInventory(database, record, await inventoryDatabase(host, access, database))
      await expect(check()).rejects.toThrow(VerificationError)
      await expect(check()).rejects.toThrow(
        `The restored database ${database} does not match the manifest: default collation ${defaults.collation} (character set ${defaults.characterSet}) expected, collation ${other} (character set ${defaults.characterSet}) found.`
      )
    } finally {
      await server.query(`ALTER DATABASE ${mysqlIdentifier(database)} COLLATE ${defaults.collation}`)
    }
  })
})

it('re-creates a database from a backup that recorded no defaults with utf8mb4_unicode_ci, and says so', async () => {
  const database = 'defaults_unrecorded'
  await createDatabase(database, { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_520_ci' })
  try {
    const file = await dumpTo(database)
    const record = await recordOf(database, file)
    delete record.details?.defaults
    const created = await importDatabase(host, access, database, 'zstd', { hostFile: file }, undefined)
    expect(created).toEqual({ defaults: { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_ci' }, note: 'no recorded default collation; created with utf8mb4_unicode_ci' })
    expect((await definitions(database)).schemata).toBe('utf8mb4\tutf8mb4_unicode_ci\n')
    // A record without defaults is checked as before: rows and objects only.
    checkInventory(database, record, await inventoryDatabase(host, access, database))
  } finally {
    await server.query(`DROP DATABASE IF EXISTS ${database}`)
  }
})

describe('a recorded value that is not a plain name', () => {
  const HOSTILE = ['utf8mb4_bin; DROP DATABASE defaults_kept', 'x`y', "utf8mb4_bin' --", 'utf8mb4_bin\nDROP DATABASE defaults_kept', '', 'utf8mb4_bin /*']
  const kept = 'defaults_kept'
  let file: string
  let good: PartRecord

  beforeAll(async () => {
    await createDatabase(kept, { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_520_ci' })
    file = await dumpTo(kept)
    good = await recordOf(kept, file)
  })

  afterAll(async () => {
    await server.query(`DROP DATABASE IF EXISTS ${kept}`)
  })

  it.each(HOSTILE.map(value => [JSON.stringify(value), value]))('is refused by the import before anything is dropped: %s', async (_label, value) => {
    await server.query(`INSERT INTO ${kept}.items VALUES (99, 'after the backup', 0)`)
    try {
      for (const defaults of [
        { characterSet: 'utf8mb4', collation: value },
        { characterSet: value, collation: 'utf8mb4_bin' }
      ]) {
        await expect(importDatabase(host, access, kept, 'zstd', { hostFile: file }, defaults)).rejects.toThrow(VerificationError)
        await expect(importDatabase(host, access, kept, 'zstd', { hostFile: file }, defaults)).rejects.toThrow(/is not a name of letters, digits and "_"; nothing was dropped\./)
      }
      expect(await databaseExists(kept)).toBe(true)
      expect(await server.query('SELECT name FROM items WHERE id = 99', kept)).toBe('after the backup\n')
    } finally {
      await server.query(`DELETE FROM ${kept}.items WHERE id = 99`)
    }
  })

  it('is refused by a restore of several databases before the first one is dropped', async () => {
    const other = 'defaults_other'
    await createDatabase(other, { characterSet: 'utf8mb4', collation: 'utf8mb4_general_ci' })
    try {
      const otherFile = await dumpTo(other)
      const otherRecord = await recordOf(other, otherFile)
      await server.query(`INSERT INTO ${other}.items VALUES (99, 'after the backup', 0)`)
      const forged: PartRecord = { ...good, details: { ...good.details, defaults: { characterSet: 'utf8mb4', collation: 'utf8mb4_bin; DROP DATABASE defaults_kept' } } }
      const parts: VerifiedPart[] = [
        { record: otherRecord, on: 'runner', path: otherFile },
        { record: forged, on: 'runner', path: file }
      ]
      const options = { access } as SeaTableOptions
      await expect(restoreDatabases(host, options, parts, { logger, swaps: new SwapJournal(host, '20261206T000000Z-defa17', logger), prepared: new Map() })).rejects.toThrow(
        'Part db-defaults_kept: the recorded default collation ("utf8mb4_bin; DROP DATABASE defaults_kept") is not a name of letters, digits and "_".'
      )
      // Neither database was touched: the row written after the backup is still in the first one.
      expect(await server.query('SELECT name FROM items WHERE id = 99', other)).toBe('after the backup\n')
      expect(await databaseExists(kept)).toBe(true)
      // And the manifest check names it before anything is downloaded.
      expect(recordedDefaultsProblems([otherRecord, forged])).toEqual([
        'part db-defaults_kept: the recorded default collation ("utf8mb4_bin; DROP DATABASE defaults_kept") is not a name of letters, digits and "_"'
      ])
    } finally {
      await server.query(`DROP DATABASE IF EXISTS ${other}`)
    }
  })
})

describe('databaseDefaultsProblems', () => {
  const record = (name: string, defaults: unknown): PartRecord => ({
    name,
    file: `x.${name}.sql.zst`,
    kind: 'sql-dump',
    compression: 'zstd',
    bytes: 0,
    sha256: '0'.repeat(64),
    durationMs: 0,
    details: { database: name.replace(/^db-/, ''), ...(defaults === undefined ? {} : { defaults }) }
  })

  it('names a collation or character set the server lacks, a pair it does not have, and a malformed value; accepts the rest', async () => {
    const version = (await server.query('SELECT VERSION()')).trim()
    const problems = await databaseDefaultsProblems(host, access, [
      record('db-dtable_db', { characterSet: 'utf8mb4', collation: 'utf8mb4_nonexistent_ci' }),
      record('db-ccnet_db', { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_520_ci' }),
      record('db-seafile_db', { characterSet: 'latin1', collation: 'latin1_swedish_ci' }),
      record('db-scheduler', undefined),
      record('db-made_up', { characterSet: 'klingon', collation: 'klingon_ci' }),
      record('db-mixed', { characterSet: 'latin1', collation: 'utf8mb4_bin' }),
      record('db-forged', { characterSet: 'utf8mb4', collation: 'x`y' }),
      // MariaDB 10.10+ lists UCA 14 collations by a short name beside their character set; the full name is what SCHEMATA shows.
      record('db-uca', { characterSet: 'utf8mb4', collation: 'utf8mb4_uca1400_ai_ci' })
    ])
    expect(problems).toEqual([
      'part db-forged: the recorded default collation ("x`y") is not a name of letters, digits and "_"',
      `db-dtable_db was made with collation utf8mb4_nonexistent_ci, which this MariaDB server (${version}) does not have: restore onto the MariaDB version the backup came from`,
      `db-made_up was made with character set klingon, which this MariaDB server (${version}) does not have: restore onto the MariaDB version the backup came from`,
      `db-mixed records collation utf8mb4_bin with character set latin1, which this MariaDB server (${version}) does not pair: the manifest was altered`
    ])
  })

  it('asks nothing of the server when no part recorded defaults', async () => {
    const unreachable: DatabaseAccess = { mode: 'direct', host: '127.0.0.1', port: 1, user: 'root', password: 'x' }
    expect(await databaseDefaultsProblems(host, unreachable, [record('db-ccnet_db', undefined)])).toEqual([])
  })
})

it('the drill creates its copy with the recorded defaults and compares them', async () => {
  const database = 'defaults_drilled'
  const defaults = { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_520_ci' }
  await createDatabase(database, defaults)
  try {
    const file = await dumpTo(database)
    const record = await recordOf(database, file)
    const report = await drillParts([{ record, path: file }], { logger, workRoot: workDir })
    expect(report.parts.map(part => [part.ok, part.detail])).toEqual([
      [true, 'imported into a throwaway MariaDB: 1 tables, 2 rows, 2 routines, 1 triggers, 1 events, 0 views, default collation utf8mb4_unicode_520_ci (character set utf8mb4), as in the manifest']
    ])
  } finally {
    await server.query(`DROP DATABASE IF EXISTS ${database}`)
  }
}, 120_000)

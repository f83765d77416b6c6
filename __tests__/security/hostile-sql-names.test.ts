/**
 * Table and database names come from the host, whose application users can create tables with any
 * name. Every such name reaches SQL only through one quoting function (src/sources/mysql.ts): the
 * inventory that counts rows before and after a dump must count exactly, whatever the name holds.
 * Before, a name ending in a backslash escaped its own closing quote and broke (or steered) the query,
 * and a name holding a tab or a line break split the tab-separated answer (now names come back as hex).
 */
import { mysqlIdentifier, mysqlString, inventoryDatabase, type DatabaseAccess } from '../../src/sources/mysql.js'
import { LocalTransport } from '../../src/transport/local.js'
import { recordCase } from '../support/fault-report.js'
import { HOSTILE_VALUES } from '../support/hostile-values.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'

let server: MariaDbServer
let access: DatabaseAccess
const host = new LocalTransport({ sudo: false })

beforeAll(async () => {
  server = await startMariaDb()
  access = { mode: 'direct', host: '127.0.0.1', port: server.port, user: 'root', password: server.rootPassword }
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

/**
 * Names a table can have (MariaDB allows anything but NUL, a trailing space and characters beyond the
 * Basic Multilingual Plane), each a way to break out of a literal or to split the client's answer.
 */
const NAMES = [
  'ends with a backslash \\',
  'ünïcødé 日本語',
  "it's",
  "quote\\' then more",
  '`backticks`',
  "x', (SELECT 1)) --",
  ...HOSTILE_VALUES.filter(value => !value.includes('\0') && !/\s$/.test(value) && !/[\u{10000}-\u{10FFFF}]/u.test(value) && value.length > 0 && value.length <= 64)
]

it.each(NAMES.map((name, index) => [JSON.stringify(name), name, index + 1] as const))('counts the rows of a table named %s exactly', async (label, name, rows) => {
  let outcome: 'passed' | 'failed' = 'failed'
  const database = `hostile_${rows}`
  try {
    const values = Array.from({ length: rows }, (_, index) => `(${index})`).join(', ')
    await server.query(
      `SET NAMES utf8mb4; CREATE DATABASE ${mysqlIdentifier(database)}; CREATE TABLE ${mysqlIdentifier(database)}.${mysqlIdentifier(name)} (id INT); INSERT INTO ${mysqlIdentifier(database)}.${mysqlIdentifier(name)} VALUES ${values};`
    )
    const inventory = await inventoryDatabase(host, access, database)
    expect(inventory.tables).toEqual({ [name]: rows })
    expect(await server.query(`SET NAMES utf8mb4; SELECT ${mysqlString(name)} = table_name FROM information_schema.tables WHERE table_schema = ${mysqlString(database)};`)).toBe('1\n')
    outcome = 'passed'
  } finally {
    await server.query(`DROP DATABASE IF EXISTS ${mysqlIdentifier(database)};`)
    recordCase({ suite: 'security/hostile-sql-names', case: `table named ${label}`, kind: 'forged', outcome })
  }
})

/**
 * A busy application for MariaDB snapshot tests: one `mariadb` client process that commits, as fast
 * as the server takes them, transactions that each insert one operation_log row AND bump this
 * writer's row in a counter table. Any consistent snapshot therefore shows, per writer,
 * counter == rows inserted; a dump that mixed two moments would break it.
 *
 * The password reaches the client only through the server's 0600 option file, never argv or env.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { MariaDbServer } from './mariadb.js'

export const COUNTER_TABLE = 'busy_writer_counter'
const CLIENT_PATH = '/usr/bin/mariadb'
/** Transactions per stdin write: large enough that the pipe, not node, is the bottleneck. */
const BATCH = 200

export interface BusyWriter {
  /** Author of this writer's operation_log rows. */
  author: string
  /** Ends the input and waits until the client has committed what it had read. */
  stop(): Promise<void>
}

/** Creates the counter table with one row per writer (before the backup, so the backup has it). */
export async function createCounterTable(server: MariaDbServer, database: string, writers: number): Promise<void> {
  const rows = Array.from({ length: writers }, (_, index) => `(${index + 1}, 0)`).join(', ')
  await server.query(
    `DROP TABLE IF EXISTS ${COUNTER_TABLE}; CREATE TABLE ${COUNTER_TABLE} (writer INT PRIMARY KEY, commits BIGINT NOT NULL) ENGINE=InnoDB; INSERT INTO ${COUNTER_TABLE} VALUES ${rows};`,
    database
  )
}

export function startBusyWriter(server: MariaDbServer, database: string, writer: number): BusyWriter {
  const author = `busy-writer-${writer}`
  const client = spawn(CLIENT_PATH, [`--defaults-extra-file=${server.clientOptionFile}`, '--batch', database], { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  client.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const closed = once(client, 'close') as Promise<[number | null]>
  let stopping = false
  let sequence = 0
  const transaction = (): string => {
    sequence += 1
    return (
      `START TRANSACTION;\nINSERT INTO operation_log (op_id, op_time, dtable_uuid, author, app, operation) VALUES (${sequence}, ${sequence}, '${'b'.repeat(32)}', '${author}', 'busy-writer', '{}');\n` +
      `UPDATE ${COUNTER_TABLE} SET commits = commits + 1 WHERE writer = ${writer};\nCOMMIT;\n`
    )
  }
  const feeding = (async () => {
    while (!stopping && client.exitCode === null) {
      const batch = Array.from({ length: BATCH }, transaction).join('')
      if (!client.stdin.write(batch)) await Promise.race([once(client.stdin, 'drain'), closed])
    }
  })()
  client.stdin.on('error', () => undefined) // a client that died is reported by stop()
  return {
    author,
    async stop() {
      stopping = true
      await feeding
      client.stdin.end()
      const [code] = await closed
      if (code !== 0) throw new Error(`the busy writer ${writer} failed (exit ${code}): ${stderr.trim()}`)
    }
  }
}

/** Per writer: the counter and the rows it inserted, read in one consistent statement. */
export async function writerState(server: MariaDbServer, database: string, writers: BusyWriter[]): Promise<{ author: string; counter: number; rows: number }[]> {
  const selects = writers.map(
    (writer, index) => `SELECT '${writer.author}', (SELECT commits FROM ${COUNTER_TABLE} WHERE writer = ${index + 1}), (SELECT COUNT(*) FROM operation_log WHERE author = '${writer.author}')`
  )
  const lines = (await server.query(`${selects.join(' UNION ALL ')};`, database)).split('\n').filter(Boolean)
  return lines.map(line => {
    const [author, counter, rows] = line.split('\t')
    return { author, counter: Number(counter), rows: Number(rows) }
  })
}

/**
 * Grows dtable_db.operation_log to the benchmark's row count, from a seeded random source. Rows go
 * through tab-separated files and LOAD DATA LOCAL INFILE (faster than INSERTs on an empty table),
 * a chunk at a time, so neither the text nor the file ever holds the whole table.
 */
import { spawn } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRandom } from '../../scripts/fixtures/seeded-random.mjs'
import type { MariaDbServer } from '../../__tests__/support/mariadb.js'

const CHUNK_ROWS = 250_000
const OPERATIONS = ['insert_row', 'modify_row', 'delete_row', 'insert_column', 'modify_view']
const NAMES = ['Anna Schmidt', 'Jürgen Müller', '山田太郎', 'Zoë Ørsted', 'Olha Kovalenko', 'Amélie Dubois']
const EPOCH_MS = Date.UTC(2024, 5, 1)

/** LOAD DATA's default escaping: backslash, tab and newline are written as \\, \t and \n. */
const field = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')

function load(server: MariaDbServer, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = spawn('mariadb', [`--defaults-extra-file=${server.clientOptionFile}`, '--local-infile=1', '--batch', 'dtable_db'], { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    client.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    client.once('error', reject)
    client.once('close', code => (code === 0 ? resolve() : reject(new Error(`loading operation_log rows failed (mariadb exit ${code}): ${stderr.trim()}`))))
    const path = file.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
    client.stdin.end(`SET unique_checks=0; LOAD DATA LOCAL INFILE '${path}' INTO TABLE operation_log CHARACTER SET utf8mb4 (op_id, op_time, dtable_uuid, author, app, operation);\n`)
  })
}

/** Adds rows until operation_log holds `targetRows`; `scratchDir` holds one chunk file at a time. Returns how many were added. */
export async function fillOperationLog(server: MariaDbServer, targetRows: number, seed: number, scratchDir: string): Promise<number> {
  const [existing, lastOpId] = (await server.query('SELECT COUNT(*), COALESCE(MAX(op_id), 0) FROM operation_log', 'dtable_db')).trim().split('\t').map(Number)
  const bases = (await server.query('SELECT uuid FROM dtables ORDER BY id', 'dtable_db')).split('\n').filter(Boolean)
  const authors = (await server.query('SELECT email FROM ccnet_db.EmailUser ORDER BY id', 'dtable_db').catch(() => '')).split('\n').filter(Boolean)
  const people = authors.length > 0 ? authors : ['user1@example.com', 'user2@example.com']
  const toAdd = Math.max(0, targetRows - existing)
  const random = createRandom(seed * 65_537 + lastOpId)
  const file = join(scratchDir, 'operation_log.tsv')
  try {
    for (let done = 0; done < toAdd; done += CHUNK_ROWS) {
      const lines: string[] = []
      for (let index = done; index < Math.min(toAdd, done + CHUNK_ROWS); index++) {
        const opId = lastOpId + index + 1
        const operation = JSON.stringify({
          op_type: random.pick(OPERATIONS),
          table_id: random.token(4),
          row_id: random.token(22),
          row_data: { Name: random.pick(NAMES), Betrag: random.integer(1, 99_999) / 100, Notiz: random.token(random.integer(0, 60)) }
        })
        lines.push(`${opId}\t${EPOCH_MS + opId * 1000}\t${field(random.pick(bases))}\t${field(random.pick(people))}\t${random.chance(0.2) ? 'n8n' : '\\N'}\t${field(operation)}\n`)
      }
      await writeFile(file, lines.join(''))
      await load(server, file)
    }
  } finally {
    await rm(file, { force: true })
  }
  return toAdd
}

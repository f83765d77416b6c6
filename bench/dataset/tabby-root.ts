/**
 * The benchmark's Tabby root: scripts/fixtures/tabby-home.mjs for the real schema, event files and
 * job logs, then ee/db.sqlite grown to the target size with more user_events rows. The extra rows
 * are computed by SQLite from their row number only, so the file is the same on every run.
 */
import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { createTabbyHome, type TabbyHome } from '../../scripts/fixtures/tabby-home.mjs'

const ROWS_PER_ROUND = 100_000
const START_SECONDS = Math.floor(Date.UTC(2024, 0, 1) / 1000)

function sqlite(databasePath: string, sql: string): string {
  const result = spawnSync('sqlite3', ['-batch', '-bail', databasePath], { input: sql, encoding: 'utf8', maxBuffer: 1 << 26 })
  if (result.status !== 0) throw new Error(`sqlite3 on ${databasePath} failed: ${result.stderr || result.error?.message}`)
  return result.stdout
}

/** One round of deterministic completion events (the shape Tabby logs), numbered from `first`. */
function topUpSql(first: number, count: number, users: number): string {
  const snippet =
    "CASE i % 6 WHEN 0 THEN 'def load_config(path):\\n    with open(path) as handle:\\n' WHEN 1 THEN 'export async function fetchUser(id: string) {\\n  const response = await ' " +
    "WHEN 2 THEN 'fn parse_line(line: &str) -> Option<Entry> {\\n    let mut parts = ' WHEN 3 THEN 'func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {\\n\\t' " +
    "WHEN 4 THEN 'public List<Order> findOrders(String customerId) {\\n    return ' ELSE 'const debounced = debounce(() => ' END"
  return [
    'PRAGMA synchronous=OFF;',
    'BEGIN;',
    `WITH RECURSIVE n(i) AS (SELECT ${first} UNION ALL SELECT i + 1 FROM n WHERE i < ${first + count - 1})`,
    'INSERT INTO user_events (user_id, kind, created_at, payload)',
    `SELECT 1 + (i * 7919) % ${users}, CASE i % 4 WHEN 0 THEN 'completion' WHEN 1 THEN 'view' WHEN 2 THEN 'select' ELSE 'dismiss' END,`,
    `  datetime(${START_SECONDS} + i * 37, 'unixepoch'),`,
    "  CAST(json_object('completion', json_object('completion_id', printf('cmpl-%08x-%04x-%04x', (i * 2654435761) % 4294967296, i % 65536, (i * 40503) % 65536),",
    `    'language', CASE i % 3 WHEN 0 THEN 'python' WHEN 1 THEN 'typescript' ELSE 'rust' END, 'prompt', printf('<fim_prefix>%s<fim_suffix>\\n<fim_middle>', ${snippet}),`,
    "    'segments', json_object('prefix', " + snippet + ", 'suffix', printf('%d lines below', i % 97)),",
    // Hashes of the row number: as varied as real prompts, so the file compresses like a real one (~3-4×).
    `    'context', printf('${'%08x'.repeat(12)}', ${Array.from({ length: 12 }, (_, index) => `(i * ${2654435761 + index * 40503}) % 4294967296`).join(', ')}),`,
    "    'choices', json_array(json_object('index', 0, 'text', printf('value_%x = compute(%d)', (i * 48271) % 2147483647, i % 1000))), 'user', printf('developer%d@example.com', 1 + (i * 7919) % " +
      users +
      '))) AS BLOB)',
    'FROM n;',
    'COMMIT;',
    ''
  ].join('\n')
}

export interface TabbyRootSpec {
  eventFiles: number
  databaseBytes: number
  seed: number
}

/** Builds the root, then adds user_events rows until the database file reaches `databaseBytes`. */
export async function buildTabbyRoot(root: string, spec: TabbyRootSpec): Promise<TabbyHome & { databaseBytes: number }> {
  const users = 20
  const home = await createTabbyHome(root, { eventDays: spec.eventFiles, eventsPerDay: 20, users, jobs: 40, modelBytes: 1_000_000, seed: spec.seed })
  const databaseBytes = growDatabase(home.databasePath, spec.databaseBytes, users)
  return { ...home, databaseBytes }
}

/** Adds rounds of rows (numbered after the existing ones) until the file is at least `targetBytes`. */
export function growDatabase(databasePath: string, targetBytes: number, users = 20): number {
  const size = (): number => Number(sqlite(databasePath, 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();').trim())
  let next = Number(sqlite(databasePath, 'SELECT COALESCE(MAX(id), 0) FROM user_events;').trim()) + 1
  for (let current = size(); current < targetBytes; current = size()) {
    // The last round only adds what is missing, at roughly 600 bytes per row with its indexes.
    const rows = Math.max(1_000, Math.min(ROWS_PER_ROUND, Math.ceil((targetBytes - current) / 600)))
    sqlite(databasePath, topUpSql(next, rows, users))
    next += rows
  }
  sqlite(databasePath, 'PRAGMA wal_checkpoint(TRUNCATE);')
  return statSync(databasePath).size
}

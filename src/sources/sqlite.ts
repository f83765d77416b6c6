import type { Writable } from 'node:stream'
import { HostCommandError, VerificationError } from '../kernel/errors.js'
import type { Compression } from '../kernel/manifest.js'
import { quote, script } from '../kernel/shell.js'
import { settled } from '../kernel/concurrency.js'
import type { Transport } from '../transport/transport.js'
import { compressCommand, decompressing, type PartInput } from './compression.js'

export type TableCounts = Record<string, number>

/** Builds "SELECT 'name' AS t, count(*) AS n FROM "name" UNION ALL …" inside SQLite, so odd table names stay quoted. */
const COUNT_QUERY_BUILDER =
  "SELECT group_concat('SELECT ' || quote(name) || ' AS t, count(*) AS n FROM \"' || replace(name, '\"', '\"\"') || '\"', ' UNION ALL ') " +
  "FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"

/** Shell functions shared by snapshot and verification: integrity check and row counts as JSON on stdout. */
const CHECK_FUNCTIONS_CLI = [
  'check_db() {',
  '  if [ "${2:-check}" = check ]; then',
  '    local result; result=$(sqlite3 -batch -bail "$1" "PRAGMA integrity_check")',
  '    if [ "$result" != ok ]; then echo "integrity_check of $1 failed: $result" >&2; exit 3; fi',
  '  fi',
  `  local query; query=$(sqlite3 -batch -bail "$1" ${quote(COUNT_QUERY_BUILDER)})`,
  '  local counts=""; if [ -n "$query" ]; then counts=$(sqlite3 -batch -bail -json "$1" "$query"); fi',
  '  printf \'{"integrity":"ok","tables":%s}\\n\' "${counts:-[]}"',
  '}'
]

const PYTHON_SNAPSHOT = `
import json, sqlite3, sys
mode, source = sys.argv[1], sys.argv[2]
if mode == "snapshot":
    target = sys.argv[3]
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    # One step (pages=-1) copies everything inside a single read transaction: consistent, and it
    # cannot be restarted forever by concurrent writers the way small steps can.
    src.backup(dst, pages=-1)
    dst.close(); src.close()
    sys.exit(0)
db = sqlite3.connect(source)
rows = db.execute("PRAGMA integrity_check").fetchall() if mode != "count" else [("ok",)]
if [r[0] for r in rows] != ["ok"]:
    sys.stderr.write("integrity_check of %s failed: %s\\n" % (source, rows)); sys.exit(3)
names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
tables = [{"t": n, "n": db.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0]} for n in names]
print(json.dumps({"integrity": "ok", "tables": tables}))
`

/** Chooses the engine on the host: the sqlite3 CLI, else python3's sqlite3 module. */
function withEngine(cliLines: string[], pythonLine: string): string[] {
  return [
    'if command -v sqlite3 >/dev/null 2>&1; then',
    ...CHECK_FUNCTIONS_CLI,
    ...cliLines,
    'elif command -v python3 >/dev/null 2>&1 && python3 -c "import sqlite3" 2>/dev/null; then',
    `  ${pythonLine}`,
    'else',
    '  echo "selfhost-backup: neither the sqlite3 command nor python3 with its sqlite3 module is installed on the host" >&2; exit 127',
    'fi'
  ]
}

export interface SqliteSnapshot {
  tables: TableCounts
}

/**
 * A consistent online snapshot taken by SQLite itself (VACUUM INTO: one read transaction, so it
 * completes however busy the writers are), streamed compressed to `out` while integrity_check and the
 * row counts read the same file beside the stream (both from the page cache); the part is only accepted
 * once the check passed. The only host-side temp space it needs is the snapshot.
 */
export async function snapshotSqlite(
  host: Transport,
  dbPath: string,
  compression: Compression,
  out: Writable,
  /** Where the snapshot is written on the host; empty: $TMPDIR or /tmp. */
  tempDir = ''
): Promise<SqliteSnapshot> {
  const prepare = script(
    `db=${quote(dbPath)}`,
    '[ -f "$db" ] || { echo "selfhost-backup: $db does not exist" >&2; exit 4; }',
    tempDir ? `base=${quote(tempDir)}` : 'base="${TMPDIR:-/tmp}"',
    'tmp=$(mktemp -d "$base/selfhost-backup-sqlite.XXXXXXXX")',
    // The path goes back to the runner as one line: a $TMPDIR with a line break would make it point elsewhere.
    'case "$tmp" in *$\'\\n\'*) echo "selfhost-backup: the temp path has a line break: set host-temp-dir" >&2; rm -rf -- "$tmp"; exit 5;; esac',
    'trap \'rm -rf -- "$tmp"\' ERR INT TERM',
    ...withEngine(
      // A relative name inside the temp dir: the SQL string never holds the path, whatever characters it has.
      ['  case "$db" in /*) ;; *) db="$PWD/$db";; esac', '  (cd -- "$tmp" && sqlite3 -batch -bail "$db" ".timeout 60000" "VACUUM INTO \'snapshot.sqlite\'")'],
      `python3 -c ${quote(PYTHON_SNAPSHOT)} snapshot "$db" "$tmp/snapshot.sqlite"`
    ),
    'printf \'%s\\n\' "$tmp"'
  )
  const prepared = await host.run(prepare, { description: `Snapshot of ${dbPath}` })
  const tmpDir = prepared.stdout.trim()
  // Only a directory of the shape mktemp made is removed again, whatever the host printed.
  // One line: without the s flag, `.` matches no line break.
  if (!/^\/.*\/selfhost-backup-sqlite\.[A-Za-z0-9]+$/.test(tmpDir)) throw new HostCommandError(`Snapshot of ${dbPath}`, 0, `unexpected answer ${JSON.stringify(tmpDir.slice(-200))}`)
  const snapshot = `${tmpDir}/snapshot.sqlite`
  try {
    const [checked, streamed] = await Promise.allSettled([
      inspectSqlite(host, snapshot, { label: dbPath }),
      host.run(script(`${compressCommand(compression)} < ${quote(snapshot)}`), { stdout: out, description: `Streaming the snapshot of ${dbPath}` })
    ])
    settled(streamed)
    return { tables: settled(checked) }
  } finally {
    await host.run(script(`rm -rf -- ${quote(tmpDir)}`), { allowFailure: true, description: 'Removing the snapshot' }).catch(() => undefined)
  }
}

/**
 * Integrity check (unless countsOnly) and row counts of a database file on the host. `prelude` (already-quoted shell lines) runs
 * first, e.g. to pin a directory and cd into it so that `dbPath` is relative to it; `label` names the file then.
 */
export async function inspectSqlite(host: Transport, dbPath: string, where: { prelude?: string[]; label?: string; countsOnly?: boolean } = {}): Promise<TableCounts> {
  const label = where.label ?? dbPath
  // countsOnly: for a file already integrity-checked under another name, a check that it is that file costs only the counts.
  const mode = where.countsOnly ? 'count' : 'check'
  const text = script(...(where.prelude ?? []), `db=${quote(dbPath)}`, ...withEngine([`  check_db "$db" ${mode}`], `python3 -c ${quote(PYTHON_SNAPSHOT)} ${mode} "$db"`))
  const result = await host.run(text, { description: `Checking ${label}` })
  return parseCheckOutput(result.stdout.trim(), label)
}

/**
 * Writes a (compressed) database from `input` to `target` on the host, decompressed, after `prelude` (see
 * inspectSqlite). noclobber: the file is created, never an existing one or a link's target written through.
 */
export async function writeSqliteFile(host: Transport, target: string, compression: Compression, input: PartInput, prelude: string[] = []): Promise<void> {
  const content = decompressing(compression, input)
  await host.run(script(...prelude, 'set -o noclobber', `${content.text} > ${quote(target)}`), { stdin: content.stdin, description: `Writing ${target}` })
}

export function compareCounts(expected: TableCounts, actual: TableCounts, what: string): void {
  const problems: string[] = []
  for (const [table, rows] of Object.entries(expected)) {
    if (!(table in actual)) problems.push(`table ${table} is missing`)
    else if (actual[table] !== rows) problems.push(`table ${table} has ${actual[table]} rows, the backup had ${rows}`)
  }
  for (const table of Object.keys(actual)) if (!(table in expected)) problems.push(`table ${table} is not in the backup`)
  if (problems.length > 0) {
    throw new VerificationError(`${what} does not match the manifest: ${problems.join('; ')}.`, 'the safety copy holds the data from before the restore.')
  }
}

function parseCheckOutput(line: string | undefined, dbPath: string): TableCounts {
  try {
    const parsed = JSON.parse(line ?? '') as { integrity: string; tables: { t: string; n: number }[] }
    if (parsed.integrity !== 'ok') throw new Error('integrity not ok')
    return Object.fromEntries(parsed.tables.map(({ t, n }) => [t, n]))
  } catch {
    throw new HostCommandError(`Reading the check result for ${dbPath}`, null, String(line))
  }
}

/**
 * The newest successfully applied sqlx migration of the database at `dbPath` (Tabby's schema version), or
 * undefined when the file, the table or both engines are missing. Opened the way the snapshot opens it.
 */
export async function newestSqlxMigration(host: Transport, dbPath: string): Promise<number | undefined> {
  const query = 'SELECT max(version) FROM _sqlx_migrations WHERE success'
  const python = 'import sqlite3, sys; row = sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchone(); print(row[0] if row and row[0] is not None else "")'
  const text = script(
    `db=${quote(dbPath)}`,
    '[ -f "$db" ] || exit 0',
    'if command -v sqlite3 >/dev/null 2>&1; then',
    `  sqlite3 -batch -bail "$db" ".timeout 10000" ${quote(query)} 2>/dev/null || true`,
    'elif command -v python3 >/dev/null 2>&1; then',
    `  python3 -c ${quote(python)} "$db" ${quote(query)} 2>/dev/null || true`,
    'fi'
  )
  const result = await host.run(text, { allowFailure: true, description: `Reading the schema version of ${dbPath}` }).catch(() => undefined)
  const answer = result?.stdout.trim() ?? ''
  return /^\d{1,18}$/.test(answer) && Number.isSafeInteger(Number(answer)) ? Number(answer) : undefined
}

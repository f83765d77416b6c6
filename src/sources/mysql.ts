import { PassThrough, type Writable } from 'node:stream'
import { HostCommandError, VerificationError } from '../kernel/errors.js'
import type { Compression, PartRecord } from '../kernel/manifest.js'
import { command, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { compressCommand, decompressing, type PartInput } from './compression.js'
import { defaultsFromServer, defaultsProblem, describeDefaults, FALLBACK_DEFAULTS, recordedDefaults, sameDefaults, versionFromServer, type DatabaseDefaults } from './mysql-defaults.js'

export type { DatabaseDefaults } from './mysql-defaults.js'

/**
 * How to reach the database: `docker exec -i` into its container, a client on the host over TCP, or a
 * client beside a server that has no TCP listener at all (the drill's throwaway server) over its Unix socket.
 */
export type DatabaseAccess =
  | { mode: 'docker'; container: string; user: string; password: string }
  | { mode: 'direct'; host: string; port: number; user: string; password: string }
  | { mode: 'socket'; socket: string; user: string; password: string }

/**
 * Runs inside the container (or on the host for the direct and socket modes): reads the three lines of a client
 * option file from stdin, then runs the client with that file as an anonymous pipe (bash process
 * substitution), so the password is never in an argv, an environment or a file. The rest of stdin is
 * the client's own input. MariaDB 11 dropped the mysql* names; older images only have them.
 */
const CLIENT_WRAPPER = [
  'IFS= read -r option_1; IFS= read -r option_2; IFS= read -r option_3',
  'program=$(command -v "$1" || command -v "$2") || { echo "selfhost-backup: neither $1 nor $2 is installed where the database runs" >&2; exit 127; }',
  'shift 2',
  'exec "$program" --defaults-extra-file=<(printf "%s\\n" "$option_1" "$option_2" "$option_3") "$@"'
].join('\n')

const TOOLS = { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'] } as const

/** A MySQL string literal: backslash and quote escaped (the server's default sql_mode reads backslashes as escapes). */
export function mysqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** A MySQL identifier in backticks, a backtick doubled. */
export function mysqlIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``
}

/** Option-file value syntax: double-quoted with backslash escapes. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

export function optionFileLines(access: DatabaseAccess): string {
  if (/[\r\n\0]/.test(access.password) || /[\r\n\0]/.test(access.user)) {
    throw new VerificationError('The database user or password contains a line break or NUL, which a client option file cannot hold.', 'use a password without line breaks.')
  }
  return `[client]\nuser=${optionValue(access.user)}\npassword=${optionValue(access.password)}\n`
}

function connectionArguments(access: DatabaseAccess, tool: keyof typeof TOOLS): string[] {
  if (access.mode === 'direct') return [`--host=${access.host}`, `--port=${access.port}`, '--protocol=tcp']
  if (access.mode === 'docker') return []
  // The socket form loads dumps nobody vouches for: the client library sends a runner file for LOAD DATA LOCAL unless told not to.
  return [`--socket=${access.socket}`, '--protocol=socket', ...(tool === 'client' ? ['--local-infile=0'] : [])]
}

/** Shell text that runs a database tool with the option file read from the first three stdin lines. */
export function clientCommand(access: DatabaseAccess, tool: keyof typeof TOOLS, args: string[]): string {
  const wrapped = ['bash', '-c', CLIENT_WRAPPER, 'selfhost-backup-client', ...TOOLS[tool], ...connectionArguments(access, tool), ...args]
  return access.mode === 'docker' ? command(['docker', 'exec', '-i', access.container, ...wrapped]) : command(wrapped)
}

/** Host script prologue: keep the option lines in shell variables (builtins only: no argv) to re-send them. */
const READ_OPTIONS = 'IFS= read -r option_1; IFS= read -r option_2; IFS= read -r option_3'
const SEND_OPTIONS = 'printf "%s\\n" "$option_1" "$option_2" "$option_3"'

/**
 * Runs SQL text through the client and returns its tab-separated output: raw, or with `escaped` the client's
 * own escapes of a line break, tab, NUL and backslash inside a value, so a multi-line value stays on its row.
 */
export async function runSql(host: Transport, access: DatabaseAccess, sql: string, database?: string, output: 'raw' | 'escaped' = 'raw'): Promise<string> {
  const args = ['--batch', '--skip-column-names', ...(output === 'raw' ? ['--raw'] : []), '--default-character-set=utf8mb4', ...(database ? [`--database=${database}`] : [])]
  const result = await host.run(script(clientCommand(access, 'client', args)), {
    stdin: `${optionFileLines(access)}${sql}\n`,
    description: `SQL on ${describeAccess(access)}`
  })
  return result.stdout
}

/**
 * mysqldump writes its header, then starts the consistent snapshot (--single-transaction), then dumps: the
 * first section after the header (a table, the routines or the events, with --comments) proves the snapshot
 * is taken. The watcher says so on stderr once and then reads on to the end, so tee never meets a closed pipe.
 */
const SNAPSHOT_MARK = 'selfhost-backup-snapshot-taken'
const SNAPSHOT_WATCH = `if grep -q -m 1 -E '^-- (Table structure for table|Dumping routines for database|Dumping events for database) '; then echo ${SNAPSHOT_MARK} >&2; fi; cat > /dev/null`

export const DUMP_OPTIONS = ['--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4', '--add-drop-table', '--comments']

/**
 * One database dumped consistently and compressed on the host, streamed to `out`. The dump counts as
 * complete only if every stage exited 0 and the client's own "-- Dump completed" trailer arrived.
 */
export async function dumpDatabase(
  host: Transport,
  access: DatabaseAccess,
  database: string,
  options: { ignoreTableData: string[]; compression: Compression; onSnapshot?: () => void },
  out: Writable
): Promise<void> {
  const args = [...DUMP_OPTIONS, ...options.ignoreTableData.map(table => `--ignore-table-data=${database}.${table}`), '--', database]
  const text = script(
    READ_OPTIONS,
    `{ ${SEND_OPTIONS}; } | ${clientCommand(access, 'dump', args)} | tee >(tail -c 300 | sed 's/^/selfhost-backup-trailer: /' >&2) >(${SNAPSHOT_WATCH}) | ${compressCommand(options.compression)}`
  )
  // The watcher prints its mark once.
  const onStderrLine = (line: string): void => {
    if (line === SNAPSHOT_MARK) options.onSnapshot?.()
  }
  const result = await host.run(text, { stdin: optionFileLines(access), stdout: out, description: `Dump of ${database}`, onStderrLine })
  const trailer = result.stderr
    .split('\n')
    .filter(line => line.startsWith('selfhost-backup-trailer: '))
    .join('\n')
  if (!/-- Dump completed/.test(trailer)) {
    throw new HostCommandError(
      `Dump of ${database}`,
      0,
      result.stderr,
      'the dump ended without its "-- Dump completed" trailer: it is truncated. Check the database server log and free space, then re-run.'
    )
  }
}

/** What importDatabase created: the defaults used, and a note to log when the backup recorded none. */
export interface ImportedDatabase {
  defaults: DatabaseDefaults
  /** Set when the backup recorded no defaults and the old fixed ones were used. */
  note?: string
}

/**
 * Drops and re-creates `database` with `defaults` (the ones the backup recorded), then imports a
 * (compressed) dump from `input` into it. The defaults decide the "Database Collation" that the dump's
 * routines, triggers and events are created under, and that of tables created later; a backup that
 * recorded none gets the fixed utf8mb4_unicode_ci of the versions before, and a note that says so.
 */
export async function importDatabase(
  host: Transport,
  access: DatabaseAccess,
  database: string,
  compression: Compression,
  input: PartInput,
  defaults: DatabaseDefaults | undefined
): Promise<ImportedDatabase> {
  // Checked here too, whatever the caller did: the names reach SQL text, and nothing is dropped before they pass.
  const problem = defaults === undefined ? undefined : defaultsProblem(defaults)
  if (problem) throw new VerificationError(`Database ${database}: ${problem}; nothing was dropped.`, 'restore a backup made by selfhost-backup; this manifest was altered.')
  const used = defaults ?? FALLBACK_DEFAULTS
  const identifier = mysqlIdentifier(database)
  await runSql(host, access, `DROP DATABASE IF EXISTS ${identifier}; CREATE DATABASE ${identifier} CHARACTER SET ${mysqlIdentifier(used.characterSet)} COLLATE ${mysqlIdentifier(used.collation)};`)
  const dump = decompressing(compression, input)
  const text = script(READ_OPTIONS, `{ ${SEND_OPTIONS}; ${dump.text}; } | ${clientCommand(access, 'client', ['--binary-mode', `--database=${database}`])}`)
  // The option lines (the password) always come first on stdin; the dump follows them there or comes from a host file.
  const stdin = new PassThrough()
  if (dump.stdin) {
    stdin.write(optionFileLines(access))
    dump.stdin.pipe(stdin)
  } else {
    stdin.end(optionFileLines(access))
  }
  await host.run(text, { stdin, description: `Import of ${database}` })
  return defaults ? { defaults: used } : { defaults: used, note: `no recorded default collation; created with ${FALLBACK_DEFAULTS.collation}` }
}

/** Whether a server has a character set, a collation, and the collation for that character set. */
export interface DefaultsSupport {
  /** VERSION(), cut to the characters a version string holds: it is the target host's answer. */
  version: string
  pairs: { characterSet: boolean; collation: boolean; together: boolean }[]
}

/**
 * Asks the server about each pair of (already validated) names, answered by position: nothing of a name
 * comes back. MariaDB 10.10+ lists UCA 14 collations by a short name beside their character set
 * (uca1400_ai_ci with utf8mb4), so a full name matches either form.
 */
export async function defaultsSupport(host: Transport, access: DatabaseAccess, pairs: DatabaseDefaults[]): Promise<DefaultsSupport> {
  const applicable = (collation: string) =>
    `FROM information_schema.collation_character_set_applicability WHERE (collation_name = ${collation} OR CONCAT(character_set_name, '_', collation_name) = ${collation})`
  const questions = pairs.map((pair, index) => {
    const [characterSet, collation] = [mysqlString(pair.characterSet), mysqlString(pair.collation)]
    return [
      `SELECT 'pair', ${index},`,
      `(SELECT COUNT(*) FROM information_schema.character_sets WHERE character_set_name = ${characterSet}),`,
      `(SELECT COUNT(*) ${applicable(collation)}),`,
      `(SELECT COUNT(*) ${applicable(collation)} AND character_set_name = ${characterSet});`
    ].join(' ')
  })
  const answer = await runSql(host, access, ["SELECT 'version', HEX(VERSION());", ...questions].join('\n'))
  const support: DefaultsSupport = { version: 'version unknown', pairs: pairs.map(() => ({ characterSet: false, collation: false, together: false })) }
  for (const line of answer.split('\n').filter(Boolean)) {
    const [kind, ...values] = line.split('\t')
    if (kind === 'version') support.version = versionFromServer(values[0])
    const pair = kind === 'pair' ? support.pairs[Number(values[0])] : undefined
    if (pair) [pair.characterSet, pair.collation, pair.together] = values.slice(1, 4).map(count => Number(count) > 0)
  }
  return support
}

export interface DatabaseInventory {
  tables: Record<string, number>
  objects: { routines: number; triggers: number; events: number; views: number }
  /** Absent only when the database does not exist. */
  defaults?: DatabaseDefaults
}

/** Exact row count of every base table, the routine/trigger/event/view counts a dump must carry, and the database's defaults. */
export async function inventoryDatabase(host: Transport, access: DatabaseAccess, database: string): Promise<DatabaseInventory> {
  return (await inventoryDatabases(host, access, [database]))[0]
}

/** inventoryDatabase for several databases in one round trip, in the order given. */
export async function inventoryDatabases(host: Transport, access: DatabaseAccess, databases: string[]): Promise<DatabaseInventory[]> {
  if (databases.length === 0) return []
  const listing = await runSql(host, access, databases.map(inventorySql).join('\n'))
  const inventories = databases.map(() => ({ tables: {} as Record<string, number>, objects: { routines: 0, triggers: 0, events: 0, views: 0 }, defaults: undefined as DatabaseDefaults | undefined }))
  for (const line of listing.split('\n').filter(Boolean)) {
    // Answered by position in the list, never by name: nothing of a database's name comes back.
    const [position, kind, value, more] = line.split('\t')
    const inventory = inventories[Number(position)]
    if (!inventory) continue
    if (kind === 'count') inventory.tables[Buffer.from(value, 'hex').toString('utf8')] = Number(more)
    else if (kind === 'defaults') inventory.defaults = defaultsFromServer(value, more, databases[Number(position)])
    else if (kind in inventory.objects) inventory.objects[kind as keyof typeof inventory.objects] = Number(value)
  }
  return inventories.map(({ defaults, ...rest }) => ({ ...rest, ...(defaults ? { defaults } : {}) }))
}

/**
 * One database's part of the round trip: the object counts and the defaults, then every base table's exact
 * row count from one statement the server builds from its own table list (each name quoted as an identifier
 * there, its backticks doubled), so the names need no trip of their own. They come back as hex: a table
 * name may hold a tab or a line break, which would split the tab-separated output. Each row starts with
 * the database's position.
 */
function inventorySql(database: string, position: number): string {
  const literal = mysqlString(database)
  const countOne = `CONCAT('SELECT ${position}, ''count'', ''', HEX(table_name), ''', COUNT(*) FROM \`', REPLACE(table_schema, '\`', '\`\`'), '\`.\`', REPLACE(table_name, '\`', '\`\`'), '\`')`
  return [
    `SELECT ${position}, 'routines', COUNT(*) FROM information_schema.routines WHERE routine_schema = ${literal};`,
    `SELECT ${position}, 'triggers', COUNT(*) FROM information_schema.triggers WHERE trigger_schema = ${literal};`,
    `SELECT ${position}, 'events', COUNT(*) FROM information_schema.events WHERE event_schema = ${literal};`,
    `SELECT ${position}, 'views', COUNT(*) FROM information_schema.views WHERE table_schema = ${literal};`,
    `SELECT ${position}, 'defaults', HEX(default_character_set_name), HEX(default_collation_name) FROM information_schema.schemata WHERE schema_name = ${literal};`,
    // The default limit (1 MB; 1 KB on old servers) would cut the statement of a database with many tables.
    'SET SESSION group_concat_max_len = 1073741824;',
    `SET @selfhost_backup_counts = (SELECT GROUP_CONCAT(${countOne} SEPARATOR ' UNION ALL ') FROM information_schema.tables WHERE table_schema = ${literal} AND table_type = 'BASE TABLE');`,
    // A database without tables has nothing to count: a statement that answers nothing.
    "SET @selfhost_backup_counts = COALESCE(@selfhost_backup_counts, 'DO 0');",
    'PREPARE selfhost_backup_counts FROM @selfhost_backup_counts;',
    'EXECUTE selfhost_backup_counts;',
    'DEALLOCATE PREPARE selfhost_backup_counts;'
  ].join('\n')
}

export function describeAccess(access: DatabaseAccess): string {
  if (access.mode === 'docker') return `container ${access.container}`
  return access.mode === 'direct' ? `${access.host}:${access.port}` : `socket ${access.socket}`
}

export function checkInventory(database: string, record: PartRecord, actual: DatabaseInventory): void {
  const problems = inventoryProblems(record, actual)
  if (problems.length > 0) {
    throw new VerificationError(`The restored database ${database} does not match the manifest: ${problems.join('; ')}.`, 'the safety copy holds the data from before the restore.')
  }
}

/** Where a database differs from what its backup recorded: row counts, tables, objects and defaults, one phrase each. */
export function inventoryProblems(record: PartRecord, actual: DatabaseInventory): string[] {
  const expected = record.tables ?? {}
  const ranges = (record.details?.rowCountRanges ?? {}) as Record<string, [number, number]>
  const objects = (record.details?.objects ?? {}) as Record<string, number>
  const problems: string[] = []
  for (const [table, rows] of Object.entries(expected)) {
    const got = actual.tables[table]
    const [low, high] = ranges[table] ?? [rows, rows]
    if (got === undefined) problems.push(`table ${table} is missing`)
    else if (got < low || got > high) problems.push(`table ${table} has ${got} rows, the backup had ${low === high ? low : `${low}-${high}`}`)
  }
  for (const table of Object.keys(actual.tables)) if (!(table in expected)) problems.push(`table ${table} is not in the backup`)
  for (const [kind, count] of Object.entries(objects)) {
    const got = actual.objects[kind as keyof DatabaseInventory['objects']]
    if (got !== count) problems.push(`${count} ${kind} expected, ${got} found`)
  }
  const defaults = recordedDefaults(record)
  if (defaults && !sameDefaults(defaults, actual.defaults))
    problems.push(`default ${describeDefaults(defaults)} expected, ${actual.defaults ? describeDefaults(actual.defaults) : 'none (the database is missing)'} found`)
  return problems
}

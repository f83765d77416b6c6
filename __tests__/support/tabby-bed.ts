import { execFileSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTabbyHome, type TabbyHome } from '../../scripts/fixtures/tabby-home.mjs'
import { fingerprintTree, sqliteTableDigest, type TableDigest, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import { checkWriterInvariant } from '../../scripts/fixtures/tabby-writer.mjs'

/** What a restored Tabby root is compared with: everything but the database (compared by content) and the excluded dirs. */
export const NOT_IN_TREE_COMPARISON = ['ee/db.sqlite', 'ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'models', 'index', 'repositories']
/** Tables the busy writer changes during the backup; all others must equal the pre-backup digest. */
export const WRITER_TABLES = ['user_events', 'fixture_writer_progress', 'sqlite_sequence']

/** A root-owned directory (0700, like /root) holding a fresh Tabby home, as a container would leave it. */
export async function makeRootOwnedTabbyHome(name = 'tabby-home', options: { eventDays?: number } = {}): Promise<{ base: string; home: TabbyHome }> {
  const base = await mkdtemp(join(tmpdir(), 'sb-tabby-'))
  const home = await createTabbyHome(join(base, name), { eventDays: options.eventDays ?? 20, eventsPerDay: 40, modelBytes: 300_000 })
  return { base, home }
}

/** An incompressible logs/large.bin: the tarball is as long on the wire as on disk, so a kill can land inside it. */
export function addIncompressibleLog(root: string, bytes: number): void {
  execFileSync('bash', ['-c', `head -c ${bytes} /dev/urandom > ${JSON.stringify(join(root, 'logs', 'large.bin'))}`])
}

export async function treeOf(root: string): Promise<TreeFingerprint> {
  return fingerprintTree(root, { exclude: NOT_IN_TREE_COMPARISON })
}

/**
 * Checks a restored database against the source: a consistent writer state (no torn snapshot), the
 * writer's rows at least as many as when the backup began, and every other table byte-identical.
 */
export function compareRestoredDatabase(restoredDb: string, before: TableDigest, commitsBeforeBackup: number): { problems: string[]; commits: number } {
  const problems: string[] = []
  const invariant = checkWriterInvariant(restoredDb)
  if (!invariant.ok) problems.push(`writer invariant broken: ${invariant.detail}`)
  const commits = invariant.commits ?? 0
  if (commits < commitsBeforeBackup) problems.push(`restored ${commits} writer commits, but ${commitsBeforeBackup} existed before the backup began`)
  const after = sqliteTableDigest(restoredDb)
  for (const [table, digest] of Object.entries(before)) {
    if (WRITER_TABLES.includes(table)) continue
    if (!after[table]) problems.push(`table ${table} missing`)
    else if (after[table].sha256 !== digest.sha256) problems.push(`table ${table} differs`)
  }
  const baseEvents = before.user_events?.rows ?? 0
  if (after.user_events && after.user_events.rows !== baseEvents + commits) {
    problems.push(`user_events has ${after.user_events.rows} rows, expected ${baseEvents} + ${commits}`)
  }
  return { problems, commits }
}

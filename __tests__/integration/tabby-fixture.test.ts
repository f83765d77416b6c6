/**
 * Proves the Tabby fixture is fit to test backups against: the home has every piece a
 * real $TABBY_ROOT has, its database is healthy and in WAL mode, the busy writer's
 * invariant tells a consistent snapshot from a stale or torn copy, and fingerprints are
 * reproducible yet sensitive to a single byte.
 */
import { execFileSync } from 'node:child_process'
import { appendFile, copyFile, lstat, mkdtemp, open, readdir, readFile, readlink, rm, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createTabbyHome, TABBY_FIXTURE_EXCLUDED_BY_DEFAULT } from '../../scripts/fixtures/tabby-home.mjs'
import { checkWriterInvariant, startTabbyWriter } from '../../scripts/fixtures/tabby-writer.mjs'
import { diffFingerprints, fingerprintTree, querySqliteReadOnly, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'

let workDir: string

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'tabby-fixture-test-'))
})

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true })
})

const modeOf = async (file: string): Promise<number> => (await lstat(file)).mode & 0o7777
const sqlite = (database: string, sql: string): string => execFileSync('sqlite3', ['-batch', database], { input: sql, encoding: 'utf8' }).trim()
const pause = (milliseconds: number): Promise<void> => new Promise(resolve => setTimeout(resolve, milliseconds))

describe('createTabbyHome', () => {
  let root: string

  beforeAll(async () => {
    root = path.join(workDir, 'home')
    await createTabbyHome(root, { eventDays: 7, eventsPerDay: 40, jobs: 3, modelBytes: 300_000 })
  })

  it('creates the database, daily event logs, job logs, config and the bulky default-excluded directories', async () => {
    const tables = querySqliteReadOnly(path.join(root, 'ee/db.sqlite'), "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name;\n").split('\n').filter(Boolean)
    expect(tables.length).toBeGreaterThanOrEqual(10)
    expect(tables).toEqual(expect.arrayContaining(['_sqlx_migrations', 'users', 'job_runs', 'user_events', 'threads', 'thread_messages', 'integrations', 'web_documents', 'notifications']))
    const rowCounts = JSON.parse(
      querySqliteReadOnly(
        path.join(root, 'ee/db.sqlite'),
        "SELECT json_object('users', (SELECT count(*) FROM users), 'events', (SELECT count(*) FROM user_events), 'jobs', (SELECT count(*) FROM job_runs WHERE stdout <> ''), 'messages', (SELECT count(*) FROM thread_messages));\n"
      )
    )
    expect(rowCounts).toEqual({ users: 5, events: 7 * 40, jobs: 3, messages: expect.any(Number) })

    const eventFiles = (await readdir(path.join(root, 'events'))).sort()
    expect(eventFiles).toHaveLength(7)
    expect(eventFiles[6]).toBe('2024-06-30.json')
    for (const line of (await readFile(path.join(root, 'events', eventFiles[0]), 'utf8')).trimEnd().split('\n')) {
      const parsed = JSON.parse(line)
      expect(typeof parsed.ts).toBe('number')
      expect(Object.keys(parsed.event)).toEqual([expect.stringMatching(/^(completion|view|select|dismiss)$/)])
    }

    const jobDirectories = await readdir(path.join(root, 'ee/jobs'))
    expect(jobDirectories).toHaveLength(3)
    for (const id of jobDirectories) {
      expect(id).toMatch(/^[A-Za-z0-9]{6}$/)
      expect(await readFile(path.join(root, 'ee/jobs', id, 'stdout.log'), 'utf8')).toMatch(/\[INFO\]: Starting job /)
    }

    expect(await readFile(path.join(root, 'config.toml'), 'utf8')).toContain('[model.completion.local]')
    expect((await stat(path.join(root, 'models/TabbyML/StarCoder-1B/ggml/model.gguf'))).size).toBe(300_000)
    for (const excluded of TABBY_FIXTURE_EXCLUDED_BY_DEFAULT) expect((await stat(path.join(root, excluded))).isDirectory()).toBe(true)
  })

  it('includes a hidden file, a 0600 file, a 0755 executable, a relative symlink, an empty directory and a log', async () => {
    expect(existsSync(path.join(root, '.tabby-client/agent/config.toml'))).toBe(true)
    expect(await modeOf(path.join(root, '.tabby-client/agent/credentials.json'))).toBe(0o600)
    expect(await modeOf(path.join(root, 'bin/healthcheck.sh'))).toBe(0o755)
    expect(await readlink(path.join(root, 'logs/current.log'))).toBe('tabby.log')
    expect(await readFile(path.join(root, 'logs/current.log'), 'utf8')).toContain('tabby::serve')
    expect(await readdir(path.join(root, 'cache'))).toEqual([])
  })

  it('leaves a database that passes integrity_check and is in WAL mode', async () => {
    const database = path.join(root, 'ee/db.sqlite')
    expect(querySqliteReadOnly(database, 'PRAGMA integrity_check;\n').trim()).toBe('ok')
    const header = Buffer.alloc(20)
    const handle = await open(database, 'r')
    await handle.read(header, 0, 20, 0)
    await handle.close()
    expect([header[18], header[19]]).toEqual([2, 2]) // file format read/write version 2 = WAL
    expect(sqlite(database, 'PRAGMA journal_mode;')).toBe('wal')
  })

  it('refuses to build into a directory that already has files', async () => {
    await expect(createTabbyHome(root)).rejects.toThrow(/not empty/)
  })
})

describe('startTabbyWriter', () => {
  it('commits back to back; VACUUM INTO snapshots stay consistent while plain copies of db.sqlite are stale or torn', async () => {
    const root = path.join(workDir, 'busy')
    await createTabbyHome(root, { eventDays: 3, modelBytes: 1_000 })
    const database = path.join(root, 'ee/db.sqlite')
    const writer = startTabbyWriter(database)
    const plainCopies: { commits: number | null; ok: boolean; detail: string; liveAfterCopy: number }[] = []
    const snapshots: { commits: number | null; ok: boolean; detail: string; liveBefore: number }[] = []
    let summary
    try {
      await writer.ready
      expect(existsSync(`${database}-wal`) && existsSync(`${database}-shm`)).toBe(true)
      for (let round = 0; round < 8; round++) {
        await pause(150)
        const plainCopy = path.join(workDir, `plain-${round}.sqlite`)
        await copyFile(database, plainCopy) // what a naive backup does: the file alone, no -wal
        const liveAfterCopy = checkWriterInvariant(database).commits ?? 0
        plainCopies.push({ ...checkWriterInvariant(plainCopy), liveAfterCopy })

        const liveBefore = checkWriterInvariant(database).commits ?? 0
        const snapshot = path.join(workDir, `snapshot-${round}.sqlite`)
        sqlite(database, `VACUUM INTO '${snapshot}';`)
        snapshots.push({ ...checkWriterInvariant(snapshot), liveBefore })
      }
    } finally {
      summary = await writer.stop()
    }
    console.log(`writer: ${summary.commits} commits in ${summary.seconds.toFixed(2)} s = ${summary.commitsPerSecond} commits/s, ${summary.retries} busy retries`)
    console.log('plain copies:', plainCopies.map(copy => (copy.ok ? `stale ${copy.commits}/${copy.liveAfterCopy}` : `broken (${copy.detail.slice(0, 80)})`)).join(' | '))

    expect(summary.commits).toBeGreaterThan(500)
    for (const snapshot of snapshots) {
      expect(snapshot).toMatchObject({ ok: true })
      expect(snapshot.commits).toBeGreaterThanOrEqual(snapshot.liveBefore) // a snapshot never goes back in time
    }
    // A copy without the WAL can only hold what was checkpointed, so it never runs ahead of the live database…
    for (const copy of plainCopies) if (copy.ok) expect(copy.commits).toBeLessThanOrEqual(copy.liveAfterCopy)
    // …and, with commits landing every few hundred microseconds, at least one copy is behind or broken.
    expect(plainCopies.some(copy => !copy.ok || (copy.commits ?? 0) < copy.liveAfterCopy)).toBe(true)

    expect(checkWriterInvariant(database)).toEqual({ ok: true, detail: `consistent at ${summary.total} commits`, commits: summary.total })
    expect(existsSync(`${database}-wal`)).toBe(false) // the last connection checkpointed and removed it
  })

  it('reports a database the writer never touched instead of calling it consistent', async () => {
    const root = path.join(workDir, 'untouched')
    await createTabbyHome(root, { eventDays: 1, modelBytes: 0 })
    expect(checkWriterInvariant(path.join(root, 'ee/db.sqlite'))).toMatchObject({ ok: false, detail: expect.stringMatching(/never committed/) })
  })
})

describe('fingerprints', () => {
  const options = { eventDays: 4, eventsPerDay: 20, modelBytes: 50_000, seed: 7 }

  it('are equal for two homes built with the same seed and name a one-byte change', async () => {
    const first = path.join(workDir, 'same-a')
    const second = path.join(workDir, 'same-b')
    await createTabbyHome(first, options)
    await createTabbyHome(second, options)
    expect(diffFingerprints(await fingerprintTree(first), await fingerprintTree(second))).toEqual([])
    expect(diffFingerprints(sqliteTableDigest(path.join(first, 'ee/db.sqlite')), sqliteTableDigest(path.join(second, 'ee/db.sqlite')))).toEqual([])

    await appendFile(path.join(second, 'events/2024-06-28.json'), 'x')
    const differences = diffFingerprints(await fingerprintTree(first), await fingerprintTree(second))
    expect(differences).toHaveLength(1)
    expect(differences[0]).toMatch(/^events\/2024-06-28\.json: sha256 .* size \d+ → \d+$/)

    sqlite(path.join(second, 'ee/db.sqlite'), "UPDATE users SET name = 'Renamed' WHERE id = 2;")
    expect(diffFingerprints(sqliteTableDigest(path.join(first, 'ee/db.sqlite')), sqliteTableDigest(path.join(second, 'ee/db.sqlite')))).toEqual([expect.stringMatching(/^users: sha256 /)])
  })

  it('differ for another seed, report modes and symlink targets, and skip excluded prefixes', async () => {
    const first = path.join(workDir, 'same-a')
    const other = path.join(workDir, 'other-seed')
    await createTabbyHome(other, { ...options, seed: 8 })
    expect(diffFingerprints(await fingerprintTree(first), await fingerprintTree(other)).length).toBeGreaterThan(0)

    const tree = await fingerprintTree(first, { exclude: TABBY_FIXTURE_EXCLUDED_BY_DEFAULT })
    expect(Object.keys(tree).filter(key => /^(models|index|repositories)(\/|$)/.test(key))).toEqual([])
    expect(tree['logs/current.log']).toMatchObject({ type: 'symlink', target: 'tabby.log' }) // a link's own mode is platform-specific
    expect(tree['.tabby-client/agent/credentials.json']).toMatchObject({ type: 'file', mode: '0600' })
    expect(tree.cache).toEqual({ type: 'dir', mode: '0755' })
    expect(Object.keys(tree)).toEqual([...Object.keys(tree)].sort())
  })
})

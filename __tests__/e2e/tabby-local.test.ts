import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { appendFile, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, fingerprintTree, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { startTabbyWriter } from '../../scripts/fixtures/tabby-writer.mjs'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { compareRestoredDatabase, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome()
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-store-'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

const localInputs = (tabbyRoot = root): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': tabbyRoot, store: 'local', 'store-path': store })

it('backs up a busy live Tabby through the local transport into a local store and restores it after a wipe', async () => {
  const before = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const writer = startTabbyWriter(join(root, 'ee/db.sqlite'))
  await writer.ready
  const backup = await runAction('action.yml', localInputs())
  const written = await writer.stop()
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  expect(readdirSync(join(store, backupId)).sort()).toEqual(['db.sqlite.zst', 'events.tar.zst', 'home.tar.zst', 'jobs.tar.zst', 'manifest.json'].map(suffix => `${backupId}.${suffix}`))
  // Only the runner's user may read the store: the directory, every part and the manifest.
  expect(statSync(join(store, backupId)).mode & 0o777).toBe(0o700)
  for (const file of readdirSync(join(store, backupId))) expect([file, statSync(join(store, backupId, file)).mode & 0o777]).toEqual([file, 0o600])
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8'))
  expect(manifest.parts.find((part: { name: string }) => part.name === 'db').tables.users).toBeGreaterThan(0)

  const treeBefore = await treeOf(root)
  await rm(root, { recursive: true, force: true })
  const restore = await runAction('restore/action.yml', { ...localInputs(), 'backup-id': backupId })
  expectSuccess(restore)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  const restored = compareRestoredDatabase(join(root, 'ee/db.sqlite'), before, 0)
  expect(restored.problems).toEqual([])
  expect(restored.commits).toBeGreaterThan(0)
  expect(restored.commits).toBeLessThanOrEqual(written.total)
})

it('refuses to restore when a part was tampered with, and leaves the host untouched', async () => {
  const backup = await runAction('action.yml', localInputs())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  await appendFile(join(store, backupId, `${backupId}.events.tar.zst`), 'x')
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const treeBefore = await treeOf(root)
  const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))

  const restore = await runAction('restore/action.yml', { ...localInputs(), 'backup-id': backupId })
  expect(restore.exitCode).toBe(1)
  expect(restore.stdout).toMatch(/is damaged; nothing on the host was changed/)
  expect(restore.stdout).toContain(`${backupId}.events.tar.zst: the store holds more than the`)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
  expect(readdirSync(base)).not.toContain('selfhost-backup-safety')
})

it('does not list or restore a backup whose manifest is missing', async () => {
  const backup = await runAction('action.yml', localInputs())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  await rm(join(store, backupId, `${backupId}.manifest.json`))
  const restore = await runAction('restore/action.yml', { ...localInputs(), 'backup-id': backupId })
  expect(restore.exitCode).toBe(1)
  expect(restore.stdout).toMatch(/Input 'backup-id': no complete backup/)
})

/** What the home tarball never holds, whatever `exclude` says: the live database and the paths that are parts of their own. */
const NEVER_IN_HOME = ['ee/db.sqlite', 'ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'events', 'ee/jobs']

/** Member names of a stored tarball part, as paths relative to the Tabby root ("./models/" → "models"). */
function tarballEntries(file: string): string[] {
  const listing = execFileSync('tar', ['-t', '--zstd', '-f', file], { encoding: 'utf8', maxBuffer: 1 << 26 })
  return listing
    .split('\n')
    .map(entry => entry.replace(/^\.\//, '').replace(/\/$/, ''))
    .filter(entry => entry !== '' && entry !== '.')
    .sort()
}

const underAny = (entry: string, prefixes: string[]): boolean => prefixes.some(prefix => entry === prefix || entry.startsWith(`${prefix}/`))

it('removes a stale -wal/-shm beside the live database, so they are not replayed into the restored one', async () => {
  const backup = await runAction('action.yml', localInputs())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  const database = join(root, 'ee/db.sqlite')
  const digestAtBackup = sqliteTableDigest(database)
  const eventsAtBackup = digestAtBackup.user_events.rows
  expect(eventsAtBackup).toBeGreaterThan(0)

  // A real WAL of this database, left behind as by an app killed before its checkpoint: it deletes every event.
  const scratch = await mkdtemp(join(tmpdir(), 'sb-stale-wal-'))
  try {
    execFileSync('sqlite3', [database], {
      input: [
        'PRAGMA journal_mode=WAL;',
        'PRAGMA wal_autocheckpoint=0;',
        'DELETE FROM user_events;',
        `.shell cp -- '${database}-wal' '${scratch}/stale-wal'`,
        `.shell cp -- '${database}-shm' '${scratch}/stale-shm'`,
        ''
      ].join('\n')
    })
    const staleWal = readFileSync(join(scratch, 'stale-wal'))
    const staleShm = readFileSync(join(scratch, 'stale-shm'))
    expect(staleWal.length).toBeGreaterThan(32)

    // Control: beside a copy of the backup's own database, this WAL does change what SQLite reads.
    const control = join(scratch, 'control.sqlite')
    execFileSync('zstd', ['-d', '-q', '-o', control, join(store, backupId, `${backupId}.db.sqlite.zst`)])
    expect(countEvents(control)).toBe(String(eventsAtBackup))
    await copyFile(join(scratch, 'stale-wal'), `${control}-wal`)
    await copyFile(join(scratch, 'stale-shm'), `${control}-shm`)
    expect(countEvents(control)).not.toBe(String(eventsAtBackup))

    await copyFile(join(scratch, 'stale-wal'), `${database}-wal`)
    await copyFile(join(scratch, 'stale-shm'), `${database}-shm`)
    // No safety copy: its snapshot would open the live database and consume the stale WAL before the restore does.
    const restore = await runAction('restore/action.yml', { ...localInputs(), 'backup-id': backupId, 'safety-copy': 'false' })
    expectSuccess(restore)
    for (const [file, stale] of [
      [`${database}-wal`, staleWal],
      [`${database}-shm`, staleShm]
    ] as const) {
      expect([file, existsSync(file) && readFileSync(file).equals(stale)]).toEqual([file, false])
    }
    expect(sqliteTableDigest(database)).toEqual(digestAtBackup)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
})

/** user_events rows as SQLite reads them (replaying any -wal beside the file), or why it could not. */
function countEvents(database: string): string {
  try {
    return execFileSync('sqlite3', [database, 'SELECT count(*) FROM user_events'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (error) {
    return `unreadable: ${(error as Error).message}`
  }
}

describe('the home part', () => {
  // A fresh root of its own: the other tests restore the shared one from backups that leave out models/, index/ and repositories/.
  let homeBase: string
  let home: string
  beforeAll(async () => {
    const made = await makeRootOwnedTabbyHome()
    homeBase = made.base
    home = made.home.root
  })
  afterAll(async () => {
    if (homeBase) await rm(homeBase, { recursive: true, force: true })
  })

  it('leaves out the live database with its -wal/-shm, the other parts and the default excludes, and holds everything else', async () => {
    for (const excluded of ['models/TabbyML/StarCoder-1B/ggml/model.gguf', 'index/meta.json', 'repositories/tabby-demo/README.md']) expect(existsSync(join(home, excluded))).toBe(true)
    // A running writer keeps ee/db.sqlite-wal and -shm on disk while the backup reads the root.
    const writer = startTabbyWriter(join(home, 'ee/db.sqlite'))
    await writer.ready
    expect(['ee/db.sqlite-wal', 'ee/db.sqlite-shm'].filter(file => existsSync(join(home, file)))).toEqual(['ee/db.sqlite-wal', 'ee/db.sqlite-shm'])
    const backup = await runAction('action.yml', localInputs(home)).finally(() => writer.stop())
    expectSuccess(backup)
    const backupId = backup.outputs['backup-id']

    const listed = tarballEntries(join(store, backupId, `${backupId}.home.tar.zst`))
    const defaultExcludes = ['models', 'index', 'repositories']
    expect(listed.filter(entry => underAny(entry, [...NEVER_IN_HOME, ...defaultExcludes]))).toEqual([])
    expect(listed).toEqual(
      expect.arrayContaining(['config.toml', 'usage_anonymous_id', '.tabby-client/agent/credentials.json', 'bin/healthcheck.sh', 'logs/tabby.log', 'logs/current.log', 'cache', 'ee'])
    )
    // Exactly the rest of the root: nothing else left out, nothing extra.
    expect(listed).toEqual(Object.keys(await fingerprintTree(home, { exclude: [...NEVER_IN_HOME, ...defaultExcludes] })).sort())
  })

  it("with exclude: logs, leaves out logs/ but carries models/, and a restore brings models/ back and keeps the host's logs/", async () => {
    const backup = await runAction('action.yml', { ...localInputs(home), exclude: 'logs' })
    expectSuccess(backup)
    const backupId = backup.outputs['backup-id']
    const listed = tarballEntries(join(store, backupId, `${backupId}.home.tar.zst`))
    expect(listed.filter(entry => underAny(entry, [...NEVER_IN_HOME, 'logs']))).toEqual([])
    expect(listed).toEqual(expect.arrayContaining(['models/TabbyML/StarCoder-1B/ggml/model.gguf', 'index/meta.json', 'repositories/tabby-demo/README.md', 'config.toml']))
    expect(listed).toEqual(Object.keys(await fingerprintTree(home, { exclude: [...NEVER_IN_HOME, 'logs'] })).sort())

    const notLogs = ['ee/db.sqlite', 'ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'logs']
    const treeAtBackup = await fingerprintTree(home, { exclude: notLogs })
    await rm(join(home, 'models'), { recursive: true, force: true })
    await writeFile(join(home, 'config.toml'), 'changed after the backup\n')
    await writeFile(join(home, 'logs/after-backup.log'), 'written after the backup\n')
    const logsBefore = await fingerprintTree(join(home, 'logs'))

    const restore = await runAction('restore/action.yml', { ...localInputs(home), 'backup-id': backupId })
    expectSuccess(restore)
    // models/ (and config.toml) come back from the tarball; logs/ was excluded, so the host's own is kept as it is.
    expect(diffFingerprints(treeAtBackup, await fingerprintTree(home, { exclude: notLogs }))).toEqual([])
    expect(existsSync(join(home, 'models/TabbyML/StarCoder-1B/ggml/model.gguf'))).toBe(true)
    expect(diffFingerprints(logsBefore, await fingerprintTree(join(home, 'logs')))).toEqual([])
    expect(await readFile(join(home, 'logs/after-backup.log'), 'utf8')).toBe('written after the backup\n')
  })
})

/**
 * Tools missing on the host (issue 6): each case takes a tool off the only PATH the ssh session and
 * sudo see, then checks the product falls back (python3 for sqlite3, gzip for zstd) and still
 * round-trips, or fails before the first byte moves with an error that names the package.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { createSeaTableLayout } from '../../scripts/fixtures/seatable/seatable-layout.mjs'
import { expectSuccess, runAction, sshActionInputs, type ActionRun } from '../support/action-runner.js'
import { startCuratedPathHost, type CuratedPathHost } from '../support/curated-path-host.js'
import { completeBackups, errorText, faultCase, hostSnapshotLeftovers, runnerLeftovers, storeEntries } from '../support/fault-checks.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

const SUITE = '__tests__/faults/missing-tools.test.ts'
let curated: CuratedPathHost
let base: string
let root: string
let store: string
let hostTemp: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-missing-tools-store-'))
  // A private host temp dir: /tmp is shared with other test files, this one only holds our snapshots.
  hostTemp = await mkdtemp(join(tmpdir(), 'sb-missing-tools-hosttmp-'))
  curated = await startCuratedPathHost('sbcurated')
}, 60_000)

afterEach(async () => curated.showAll())

afterAll(async () => {
  await curated?.stop()
  for (const dir of [base, store, hostTemp]) if (dir) await rm(dir, { recursive: true, force: true })
})

const restoreInputs = (): Record<string, string> => ({
  app: 'tabby',
  ...sshActionInputs(curated.host),
  'tabby-root': root,
  store: 'local',
  'store-path': store,
  'host-temp-dir': hostTemp
})
const backupInputs = (extra: Record<string, string> = {}): Record<string, string> => ({ ...restoreInputs(), verify: 'checksum', ...extra })
const backup = (extra: Record<string, string> = {}): Promise<ActionRun> => runAction('action.yml', backupInputs(extra), {}, { keepRunnerTemp: true })
const restore = (backupId: string): Promise<ActionRun> => runAction('restore/action.yml', { ...restoreInputs(), 'backup-id': backupId }, {}, { keepRunnerTemp: true })

interface ManifestPart {
  name: string
  file: string
  tables?: Record<string, number>
}
const manifestParts = (backupId: string): ManifestPart[] => (JSON.parse(readFileSync(join(store, backupId, `${backupId}.manifest.json`), 'utf8')) as { parts: ManifestPart[] }).parts

/** Backs up, changes the root, restores, and proves the host is back at the backed-up state. */
async function roundTrip(extra: Record<string, string> = {}): Promise<{ backup: ActionRun; parts: ManifestPart[] }> {
  const treeAtBackup = await treeOf(root)
  const digestAtBackup = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const made = await backup(extra)
  expectSuccess(made)
  expect(await runnerLeftovers(made)).toEqual([])
  const backupId = made.outputs['backup-id']
  const parts = manifestParts(backupId)
  // The runner has sqlite3 on its own PATH; only the host lacks it.
  execFileSync('sqlite3', [join(root, 'ee/db.sqlite'), 'DELETE FROM user_events WHERE rowid % 3 = 0'])
  execFileSync('bash', ['-c', `echo changed > ${JSON.stringify(join(root, 'config.toml'))}`])
  const restored = await restore(backupId)
  expectSuccess(restored)
  expect(await runnerLeftovers(restored)).toEqual([])
  expect(diffFingerprints(treeAtBackup, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestAtBackup)
  expect(hostSnapshotLeftovers(hostTemp)).toEqual([])
  return { backup: made, parts }
}

/** A refused backup: exit 1, nothing stored (not even a partial dir), no temp files on either side. */
async function expectRefusedBackup(run: ActionRun, storeBefore: string[]): Promise<void> {
  expect(run.exitCode).toBe(1)
  expect(storeEntries(store)).toEqual(storeBefore)
  expect(await runnerLeftovers(run)).toEqual([])
  expect(hostSnapshotLeftovers(hostTemp)).toEqual([])
}

faultCase(
  SUITE,
  'takes the SQLite snapshot with python3 when the host has no sqlite3, with the right row counts, and restores with it',
  async () => {
    await curated.hide('sqlite3')
    expect([await curated.lookUpUnderSudo('sqlite3'), await curated.lookUpUnderSudo('python3')]).toEqual(['', join(curated.binDir, 'python3')])
    const rowsAtBackup = Object.fromEntries(Object.entries(sqliteTableDigest(join(root, 'ee/db.sqlite'))).map(([table, digest]) => [table, digest.rows]))
    const { parts } = await roundTrip()
    const db = parts.find(part => part.name === 'db')
    // sqlite_sequence is SQLite's own bookkeeping; the product counts the application's tables.
    const { sqlite_sequence: _ignored, ...applicationTables } = rowsAtBackup
    expect(db?.tables).toEqual(applicationTables)
    expect(Object.keys(applicationTables).length).toBeGreaterThan(3)
  },
  90_000
)

faultCase(
  SUITE,
  'refuses a backup when the host has neither sqlite3 nor python3, naming the sqlite3 package, and stores nothing',
  async () => {
    await curated.hide('sqlite3', 'python3')
    expect([await curated.lookUpUnderSudo('sqlite3'), await curated.lookUpUnderSudo('python3.11')]).toEqual(['', ''])
    const storeBefore = storeEntries(store)
    const run = await backup()
    await expectRefusedBackup(run, storeBefore)
    expect(errorText(run)).toMatch(/neither sqlite3 nor python3 with its sqlite3 module is installed \(apt-get install sqlite3\)/)
    expect(errorText(run)).toMatch(/How to fix: fix the problems above; nothing was changed/)
  },
  60_000
)

faultCase(
  SUITE,
  'falls back to gzip with compression: auto when the host has no zstd, and the .gz backup round-trips',
  async () => {
    await curated.hide('zstd')
    expect(await curated.lookUpUnderSudo('zstd')).toBe('')
    const { backup: made, parts } = await roundTrip({ compression: 'auto' })
    expect(parts.map(part => part.file)).toEqual(['db.sqlite.gz', 'events.tar.gz', 'jobs.tar.gz', 'home.tar.gz'].map(suffix => `${made.outputs['backup-id']}.${suffix}`))
  },
  90_000
)

faultCase(
  SUITE,
  'refuses compression: zstd when the host has no zstd, naming zstd and the auto fallback',
  async () => {
    await curated.hide('zstd')
    const storeBefore = storeEntries(store)
    const run = await backup({ compression: 'zstd' })
    await expectRefusedBackup(run, storeBefore)
    expect(errorText(run)).toMatch(/zstd is not installed on the host/)
    expect(errorText(run)).toMatch(/install it \(apt-get install zstd\) or set `compression: auto`/)
  },
  60_000
)

faultCase(
  SUITE,
  'refuses a SeaTable backup when the host has no docker, saying so before any database is touched',
  async () => {
    await curated.hide('docker')
    expect(await curated.lookUpUnderSudo('docker')).toBe('')
    const seatableBase = await mkdtemp(join(tmpdir(), 'sb-missing-docker-'))
    try {
      const layout = await createSeaTableLayout(seatableBase, { layout: 'current', smallFiles: 10, largeFiles: 0 })
      const storeBefore = storeEntries(store)
      const run = await runAction(
        'action.yml',
        {
          app: 'seatable',
          ...sshActionInputs(curated.host),
          'seatable-root': layout.root,
          'seatable-layout': 'current',
          'compose-dir': layout.composeDir ?? '',
          'caddy-dir': layout.caddyDir ?? '',
          'db-mode': 'docker',
          'db-password': 'not-used-by-this-case',
          store: 'local',
          'store-path': store,
          verify: 'checksum'
        },
        {},
        { keepRunnerTemp: true }
      )
      await expectRefusedBackup(run, storeBefore)
      expect(errorText(run)).toMatch(/docker is not installed on the host \(or not on the PATH of the login user \/ sudo\)/)
      expect(errorText(run)).toMatch(/How to fix: fix the problems above; nothing was changed/)
      expect(completeBackups(store).filter(id => id.startsWith('seatable--'))).toEqual([])
    } finally {
      await rm(seatableBase, { recursive: true, force: true })
    }
  },
  60_000
)

/**
 * A local store takes each part where it is written, in its unfinished (".partial") backup, so a backup
 * to it stages nothing in RUNNER_TEMP whatever chunk-size says (issue 12: the runner's disk stays flat as
 * the data grows); and when the store's own disk fills up, the step fails with one clear error that names
 * the store, stores no backup and leaves nothing there or in RUNNER_TEMP. Both directories are small
 * tmpfs mounts of their own; the Tabby root holds a 6 MiB incompressible log.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction, type ActionRun } from '../support/action-runner.js'
import { completeBackups, errorText, faultCase, leftoversIn } from '../support/fault-checks.js'
import { addIncompressibleLog, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

const SUITE = '__tests__/faults/local-store-disk.test.ts'
const MEBIBYTE = 1024 * 1024

let base: string
let root: string
/** RUNNER_TEMP of the backups: a 3 MiB tmpfs, smaller than the 6 MiB the Tabby root holds. */
let smallTemp: string
/** A store with room for the backup. */
let roomyStore: string
/** A store on a 3 MiB tmpfs: the backup cannot fit. */
let fullStore: string

function mountSmall(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${3 * MEBIBYTE}`, 'tmpfs', dir])
}

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  addIncompressibleLog(root, 6 * MEBIBYTE)
  smallTemp = await mkdtemp(join(tmpdir(), 'sb-store-disk-temp-'))
  fullStore = await mkdtemp(join(tmpdir(), 'sb-store-disk-full-'))
  for (const dir of [smallTemp, fullStore]) mountSmall(dir)
  roomyStore = await mkdtemp(join(tmpdir(), 'sb-store-disk-roomy-'))
}, 120_000)

afterAll(async () => {
  for (const dir of [smallTemp, fullStore]) {
    if (!dir) continue
    execFileSync('umount', [dir])
    await rm(dir, { recursive: true, force: true })
  }
  for (const dir of [base, roomyStore]) if (dir) await rm(dir, { recursive: true, force: true })
})

function backUp(store: string): Promise<ActionRun> {
  return runAction('action.yml', { app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store, verify: 'checksum' }, { RUNNER_TEMP: smallTemp })
}

faultCase(
  SUITE,
  'backs up 6 MiB to a local store through a 3 MiB RUNNER_TEMP at the default chunk-size: the parts are written in the store, never staged on the runner',
  async () => {
    const backup = await backUp(roomyStore)
    expectSuccess(backup)
    const backupId = backup.outputs['backup-id']
    expect(completeBackups(roomyStore)).toEqual([backupId])
    expect(readdirSync(roomyStore)).toEqual([backupId])
    // The default chunk-size (256 MiB) keeps home whole: 6 MiB that could never have fitted in RUNNER_TEMP.
    const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8')) as { parts: { name: string; file: string; bytes: number; chunks?: unknown[] }[] }
    const home = manifest.parts.find(part => part.name === 'home')
    expect(home?.chunks).toBeUndefined()
    expect(home?.bytes).toBeGreaterThan(6 * MEBIBYTE)
    expect(readdirSync(join(roomyStore, backupId))).toContain(home?.file)
    // Nothing stays in RUNNER_TEMP: the `manifest` output points at the stored manifest.
    expect(readdirSync(smallTemp)).toEqual([])
    expect(backup.outputs.manifest).toBe(join(roomyStore, backupId, `${backupId}.manifest.json`))

    // What was written in place restores to the same tree and database (a RUNNER_TEMP with room: a restore holds a stored chunk on the runner).
    const treeBefore = await treeOf(root)
    const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
    await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
    const restore = await runAction('restore/action.yml', { app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': roomyStore, 'backup-id': backupId })
    expectSuccess(restore)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
  },
  120_000
)

faultCase(
  SUITE,
  "fails clearly when the local store's disk fills up: names the store, removes what it wrote there, leaves no temp files",
  async () => {
    const before = await treeOf(root)
    const step = await backUp(fullStore)
    const text = errorText(step)
    expect(step.exitCode).toBe(1)
    expect(step.stdout.match(/^::error::/gm)).toHaveLength(1)
    expect(text).toMatch(new RegExp(`The store directory ${fullStore} ran out of space while writing the part \\S+ \\([\\d.]+ [KM]iB of it written\\)\\. Nothing was stored`))
    expect(text).toMatch(/How to fix: free space in the store directory .* or choose a store-path with more room/)
    expect(text).not.toMatch(/^\s+at /m)
    expect(text).not.toMatch(/Unhandled|UnhandledPromiseRejection/)
    expect(readdirSync(fullStore)).toEqual([])
    expect(leftoversIn(smallTemp)).toEqual([])
    expect(readdirSync(smallTemp)).toEqual([])
    expect(diffFingerprints(before, await treeOf(root))).toEqual([])
  },
  120_000
)

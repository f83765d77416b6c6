import { readdirSync } from 'node:fs'
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
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

const localInputs = (): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store })

it('backs up a busy live Tabby through the local transport into a local store and restores it after a wipe', async () => {
  const before = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const writer = startTabbyWriter(join(root, 'ee/db.sqlite'))
  await writer.ready
  const backup = await runAction('action.yml', localInputs())
  const written = await writer.stop()
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  expect(readdirSync(join(store, backupId)).sort()).toEqual(
    ['db.sqlite.zst', 'events.tar.zst', 'home.tar.zst', 'jobs.tar.zst', 'manifest.json'].map(suffix => `${backupId}.${suffix}`)
  )
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
  expect(restore.stdout).toContain(`${backupId}.events.tar.zst: expected`)
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

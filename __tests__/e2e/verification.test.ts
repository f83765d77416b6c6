import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rename, rm, symlink, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MANIFEST_SUFFIX, UNVERIFIED_SUFFIX, type Manifest } from '../../src/kernel/manifest.js'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 10 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-verify-store-'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

/** A manifest as the local store keeps it: under MANIFEST_SUFFIX when verified, UNVERIFIED_SUFFIX when not. */
const storedManifest = (backupId: string, suffix: string): Manifest => JSON.parse(readFileSync(join(store, backupId, `${backupId}${suffix}`), 'utf8'))

const inputs = (): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store })

it('drills every backup by default and reports it in the outputs and the summary', async () => {
  const backup = await runAction('action.yml', inputs())
  expectSuccess(backup)
  expect(backup.outputs.verified).toBe('true')
  expect(backup.summary).toMatch(/Verification \(drill\)\*\*: passed/)
  for (const part of ['db', 'events', 'jobs', 'home']) expect(backup.summary).toMatch(new RegExp(`✅ ${part}: `))
  // The stored manifest records the drill of every part it lists, each passed, with what was checked.
  const manifest = storedManifest(backup.outputs['backup-id'], MANIFEST_SUFFIX)
  expect(manifest.verification).toMatchObject({ method: 'drill', ok: true })
  expect(manifest.verification?.parts?.map(part => part.name)).toEqual(manifest.parts.map(part => part.name))
  for (const part of manifest.verification?.parts ?? []) expect(part).toEqual({ name: part.name, ok: true, detail: expect.stringMatching(/\S/) })
})

it('fails the step when the drill finds an unsafe tarball entry, and a restore keeps picking the last good backup', async () => {
  const good = await runAction('action.yml', inputs())
  expectSuccess(good)
  // A symlink out of the root is an entry a restore must never write.
  await symlink('/etc/passwd', join(root, 'escape-link'))
  try {
    const bad = await runAction('action.yml', inputs())
    expect(bad.exitCode).toBe(1)
    expect(bad.outputs.verified).toBe('false')
    expect(bad.stdout).toMatch(/failed verification and is not a restorable backup/)
    expect(bad.stdout).toMatch(/drill of home: .*escape-link/)
    expect(bad.summary).toMatch(/❌ home/)
    // Kept for inspection under a name nothing lists.
    expect(readdirSync(join(store, bad.outputs['backup-id'])).some(file => file.endsWith('.unverified-manifest.json'))).toBe(true)
    // Its manifest says which part failed the drill and why; the other parts are recorded as passed.
    const manifest = storedManifest(bad.outputs['backup-id'], UNVERIFIED_SUFFIX)
    expect(manifest.verification).toMatchObject({ method: 'drill', ok: false })
    expect(manifest.verification?.parts?.map(part => part.name)).toEqual(manifest.parts.map(part => part.name))
    for (const part of manifest.verification?.parts ?? []) {
      if (part.name === 'home') expect(part).toEqual({ name: 'home', ok: false, detail: expect.stringMatching(/escape-link/) })
      else expect(part).toEqual({ name: part.name, ok: true, detail: expect.stringMatching(/\S/) })
    }
    const list = await runAction('restore/action.yml', { ...inputs(), 'dry-run': 'true' })
    expectSuccess(list)
    expect(list.outputs['backup-id']).toBe(good.outputs['backup-id'])
  } finally {
    await unlink(join(root, 'escape-link'))
  }
})

it('gates on a recent drill-verified backup with mode: check', async () => {
  expectSuccess(await runAction('action.yml', inputs()))
  const fresh = await runAction('action.yml', { ...inputs(), mode: 'check', 'max-age': '1h' })
  expectSuccess(fresh)
  expect(fresh.outputs.verified).toBe('true')
  await new Promise(resolve => setTimeout(resolve, 2100))
  const stale = await runAction('action.yml', { ...inputs(), mode: 'check', 'max-age': '1s' })
  expect(stale.exitCode).toBe(1)
  expect(stale.stdout).toMatch(/No drill-verified tabby backup .* is younger than 1 s/)
  expect(stale.outputs.verified).toBe('false')
  const missingAge = await runAction('action.yml', { ...inputs(), mode: 'check' })
  expect(missingAge.stdout).toMatch(/Input 'max-age': is required with mode: check/)
})

it('does not count a checksum-only backup as verified for the gate', async () => {
  const otherStore = await mkdtemp(join(tmpdir(), 'sb-verify-checksum-'))
  try {
    expectSuccess(await runAction('action.yml', { ...inputs(), 'store-path': otherStore, verify: 'checksum' }))
    const check = await runAction('action.yml', { ...inputs(), 'store-path': otherStore, mode: 'check', 'max-age': '1h' })
    expect(check.exitCode).toBe(1)
    expect(check.stdout).toMatch(/not drill-verified/)
  } finally {
    await rm(otherStore, { recursive: true, force: true })
  }
})

it('fails with fail-on-shrink when a part shrank against the previous backup, and warns without it', async () => {
  expectSuccess(await runAction('action.yml', inputs()))
  const aside = join(base, 'events-aside')
  await rename(join(root, 'events'), aside)
  try {
    const failed = await runAction('action.yml', { ...inputs(), 'fail-on-shrink': 'true' })
    expect(failed.exitCode).toBe(1)
    expect(failed.outputs.verified).toBe('false')
    expect(failed.stdout).toMatch(/size check: events shrank by \d+%/)
    // The failed backup is not listed, so the next one still compares with the last good one.
    const warned = await runAction('action.yml', inputs())
    expectSuccess(warned)
    expect(warned.stdout).toMatch(/::warning::Size check: events shrank by \d+%/)
    expect(warned.summary).toMatch(/⚠️ events shrank/)
  } finally {
    await rename(aside, join(root, 'events'))
  }
})

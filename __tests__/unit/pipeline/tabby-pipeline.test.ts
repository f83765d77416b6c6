/**
 * The in-process tier (DESIGN rule 12): the backup and restore pipelines called directly, with a
 * recording transport that runs every host script for real on this machine and a local store. What
 * only the pipeline decides — manifest content, part order, step order, plans, refusals before any
 * host work — is checked here in seconds, without a bundle, sshd or a log to parse.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../../scripts/fixtures/fingerprint.mjs'
import { createTabbyHome } from '../../../scripts/fixtures/tabby-home.mjs'
import { InputError } from '../../../src/kernel/errors.js'
import type { ManifestKeys } from '../../../src/kernel/manifest-keys.js'
import { runBackup } from '../../../src/pipeline/backup.js'
import { runRestore, type RestoreRequest } from '../../../src/pipeline/restore.js'
import { chooseRecipes } from '../../../src/recipes/registry.js'
import { LocalDirectoryStore } from '../../../src/store/local-dir.js'
import { RecordingTransport } from '../../support/recording-transport.js'
import { testSigner, testSigningKey, testTrust } from '../../support/signing-key.js'
import { treeOf } from '../../support/tabby-bed.js'
import { recordingLogger } from '../../support/transport-probes.js'

let work: string
let root: string
let store: LocalDirectoryStore
let keys: ManifestKeys

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sb-pipeline-'))
  root = (await createTabbyHome(join(work, 'tabby'), { eventDays: 3, eventsPerDay: 10, modelBytes: 10_000 })).root
  store = new LocalDirectoryStore(join(work, 'store'), recordingLogger())
  keys = { signer: await testSigner(), trust: testTrust() }
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const tabby = () => chooseRecipes('tabby', { 'tabby-root': root, compression: 'zstd' })

async function backUp(transport = new RecordingTransport()) {
  const logger = recordingLogger()
  const result = await runBackup({ recipes: tabby(), transport, store, workRoot: work, logger, keys, verification: { mode: 'backup', verify: 'checksum', shrinkThreshold: 50, failOnShrink: false } })
  return { result, transport, logger }
}

function restoreRequest(transport: RecordingTransport, backupId: string, change: Partial<RestoreRequest> = {}): RestoreRequest {
  return {
    recipes: tabby(),
    backupId,
    dryRun: false,
    stopCommand: '',
    startCommand: '',
    safetyCopy: true,
    safetyCopyDir: join(work, 'safety'),
    parts: [],
    identities: [],
    signing: { privateKey: testSigningKey().privateKey, privateKeyInput: 'signing-key', trustedSigners: [] },
    lockTimeoutSeconds: 30,
    transport,
    store,
    workRoot: work,
    logger: recordingLogger(),
    ...change
  }
}

it('writes a signed manifest last, with the parts in their fixed order, each hashed, while the host lock is held', async () => {
  const { result, transport } = await backUp()
  const { manifest } = result
  expect(manifest.parts.map(part => [part.name, part.kind, part.compression])).toEqual([
    ['db', 'sqlite', 'zstd'],
    ['events', 'tar', 'zstd'],
    ['jobs', 'tar', 'zstd'],
    ['home', 'tar', 'zstd']
  ])
  for (const part of manifest.parts) expect(part.sha256).toMatch(/^[0-9a-f]{64}$/)
  expect(manifest.signature?.publicKey).toBe(testTrust().publicKeys[0])
  expect(manifest.verification).toMatchObject({ method: 'checksum', ok: true })
  expect((await store.list())[0].backupId).toBe(manifest.backupId)
  // The lock is taken before the first byte is read from the host, and the snapshot comes first.
  const locked = transport.indexOf(/^Locking /)
  expect(locked).toBeGreaterThanOrEqual(0)
  expect(locked).toBeLessThan(transport.indexOf(/^Snapshot of /))
  expect(transport.indexOf(/^Snapshot of /)).toBeLessThan(transport.indexOf(/^Archive of events/))
})

it('says where the time went, stage by stage, so a fixed cost cannot hide', async () => {
  const { logger } = await backUp()
  const stages = logger.lines.filter(line => line.startsWith('info: Stages: '))
  expect(stages).toHaveLength(1)
  const names = [...stages[0].matchAll(/(?:: |, )([a-z ]+) (\d+\.\d) s/g)].map(match => match[1])
  expect(names).toEqual(['connect', 'preflight', 'lock and plan', 'parts', 'unlock and disconnect', 'size check and manifest', 'store'])
})

it('restores in the documented order: safety copy, stop-command, data, start-command; and the root matches the backup', async () => {
  const { result } = await backUp()
  const treeAtBackup = await treeOf(root)
  const tablesAtBackup = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const transport = new RecordingTransport()
  const restored = await runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'true # stop the app', startCommand: 'true # start the app' }))
  expect(restored.report).toEqual(expect.arrayContaining(['home restored', 'events restored into events', 'jobs restored into ee/jobs']))
  const safety = transport.indexOf(/^Writing the safety copy of db/)
  const stop = transport.indexOf(/^stop-command/)
  const data = transport.indexOf(/^Restoring the rest of the Tabby root/)
  const start = transport.indexOf(/^start-command/)
  expect([safety, stop, data, start].every(index => index >= 0)).toBe(true)
  expect(safety).toBeLessThan(stop)
  expect(stop).toBeLessThan(data)
  expect(data).toBeLessThan(start)
  expect(diffFingerprints(treeAtBackup, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesAtBackup)
  expect(restored.safetyCopy?.dir).toContain(join(work, 'safety'))
  // The incoming database is integrity-checked once, in staging; in place only its row counts are read again.
  const checks = transport.runs.filter(run => /^Checking .*db\.sqlite/.test(run.description))
  expect(checks.map(run => run.description)).toEqual([expect.stringMatching(/^Checking the incoming ee\/db\.sqlite/), expect.stringMatching(/^Checking .*\/ee\/db\.sqlite$/)])
  expect(checks.map(run => / check_db "\$db" (check|count)/.exec(run.script)?.[1])).toEqual(['check', 'count'])
})

it('plans a dry run from the verified backup and runs nothing that changes the host', async () => {
  const { result } = await backUp()
  const transport = new RecordingTransport()
  const planned = await runRestore(restoreRequest(transport, result.manifest.backupId, { dryRun: true, stopCommand: 'false # must not run' }))
  expect(planned.dryRun).toBe(true)
  expect(planned.plan).toEqual([
    expect.stringMatching(/^db: replace .*ee\/db\.sqlite/),
    expect.stringMatching(/^events: replace /),
    expect.stringMatching(/^jobs: replace /),
    expect.stringMatching(/^home: replace everything in /)
  ])
  expect(transport.indexOf(/^stop-command|^Locking |^Restoring |safety copy/)).toBe(-1)
})

it('restores only the parts asked for', async () => {
  const { result } = await backUp()
  const transport = new RecordingTransport()
  const restored = await runRestore(restoreRequest(transport, result.manifest.backupId, { parts: ['events'], safetyCopy: false }))
  expect(restored.report).toEqual(['events restored into events'])
  expect(transport.indexOf(/^Restoring the rest of the Tabby root|^Moving the restored database/)).toBe(-1)
})

it('refuses a backup id of another app before anything runs on the host', async () => {
  const transport = new RecordingTransport()
  const refused = runRestore(restoreRequest(transport, 'seatable--recording-host--20261201T020000Z-abcd'))
  await expect(refused).rejects.toThrow(InputError)
  await expect(refused).rejects.toThrow(/is a seatable backup, but app is tabby/)
  expect(transport.runs).toEqual([])
})

/**
 * The in-process tier (DESIGN rule 12): the backup and restore pipelines called directly, with a
 * recording transport that runs every host script for real on this machine and a local store. What
 * only the pipeline decides — manifest content, part order, step order, plans, refusals before any
 * host work — is checked here in seconds, without a bundle, sshd or a log to parse.
 */
import { readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { diffFingerprints, sqliteTableDigest } from '../../../scripts/fixtures/fingerprint.mjs'
import { createTabbyHome } from '../../../scripts/fixtures/tabby-home.mjs'
import { InputError, VerificationError } from '../../../src/kernel/errors.js'
import type { ManifestKeys } from '../../../src/kernel/manifest-keys.js'
import { runBackup } from '../../../src/pipeline/backup.js'
import { runRestore, type RestoreRequest } from '../../../src/pipeline/restore.js'
import { chooseRecipes } from '../../../src/recipes/registry.js'
import { LocalDirectoryStore } from '../../../src/store/local-dir.js'
import type { RunOptions, RunResult } from '../../../src/transport/transport.js'
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
  // A dry run proves every part on the runner and writes nothing on the host, not even the staging directory.
  expect(transport.indexOf(/^Staging |staging directory/)).toBe(-1)
})

it('stages every part on the host, checked there, before anything live changes; the recipe reads the staged files; the staging goes afterwards', async () => {
  const { result } = await backUp()
  const transport = new RecordingTransport()
  await runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'true # stop the app' }))
  const staged = transport.runs.filter(run => run.description.startsWith('Staging '))
  expect(staged.map(run => run.description)).toEqual(['Staging db on the host', 'Staging events on the host', 'Staging jobs on the host', 'Staging home on the host'])
  const lastStaged = transport.runs.indexOf(staged[3])
  expect(lastStaged).toBeLessThan(transport.indexOf(/^Writing the safety copy/))
  expect(lastStaged).toBeLessThan(transport.indexOf(/^stop-command/))
  // The part files are read on the host from the staging directory beside the root, not sent again from the runner.
  const incoming = join(dirname(root), '.selfhost-backup-incoming-')
  const extraction = transport.runs.find(run => run.description.startsWith('Restoring the rest of the Tabby root'))
  expect(extraction?.script).toContain(`< ${incoming}`)
  expect(readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))).toEqual([])
})

/** A host whose copy of one part changes a byte on the way, as a faulty link or disk would. */
class CorruptingTransport extends RecordingTransport {
  constructor(private readonly part: string) {
    super()
  }

  override run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (options.description === `Staging ${this.part} on the host` && options.stdin && typeof options.stdin !== 'string') {
      let flipped = false
      const corrupt = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (!flipped && chunk.length > 0) {
            chunk = Buffer.from(chunk)
            chunk[0] ^= 0xff
            flipped = true
          }
          done(null, chunk)
        }
      })
      return super.run(script, { ...options, stdin: options.stdin.pipe(corrupt) })
    }
    return super.run(script, options)
  }
}

it('refuses a part that lands on the host with other bytes than were verified, and nothing live changes', async () => {
  const { result } = await backUp()
  const before = await treeOf(root)
  const transport = new CorruptingTransport('events')
  const restore = runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'false # must not run' }))
  await expect(restore).rejects.toThrow(VerificationError)
  await expect(restore).rejects.toThrow(/events\.tar\.zst arrived on the host with sha256 [0-9a-f]{64}, not the [0-9a-f]{64} that was sent; nothing on the host was changed/)
  expect(transport.indexOf(/^stop-command|^Restoring |safety copy/)).toBe(-1)
  expect(diffFingerprints(before, await treeOf(root))).toEqual([])
  expect(readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))).toEqual([])
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

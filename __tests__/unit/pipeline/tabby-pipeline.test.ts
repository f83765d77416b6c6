/**
 * The in-process tier (DESIGN rule 12): the backup and restore pipelines called directly, with a
 * recording transport that runs every host script for real on this machine and a local store. What
 * only the pipeline decides — manifest content, part order, step order, plans, refusals before any
 * host work — is checked here in seconds, without a bundle, sshd or a log to parse.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { diffFingerprints, sqliteTableDigest } from '../../../scripts/fixtures/fingerprint.mjs'
import { createTabbyHome } from '../../../scripts/fixtures/tabby-home.mjs'
import { HostCommandError, InputError, VerificationError } from '../../../src/kernel/errors.js'
import type { ManifestKeys } from '../../../src/kernel/manifest-keys.js'
import { BLOCK_SIZE, storedFilesOf } from '../../../src/kernel/manifest.js'
import { runBackup } from '../../../src/pipeline/backup.js'
import { runRestore, type RestoreRequest } from '../../../src/pipeline/restore.js'
import { runPutBack } from '../../../src/pipeline/put-back.js'
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
    allowVersionMismatch: false,
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

it("streams the tarballs beside the database's snapshot, and checks the snapshot while it streams", async () => {
  const { transport } = await backUp()
  const descriptions = transport.runs.map(run => run.description)
  const removed = descriptions.indexOf('Removing the snapshot')
  expect(removed).toBeGreaterThan(0)
  // Every tarball started before the snapshot was done with: side by side, not one after another.
  for (const archive of [/^Archive of events/, /^Archive of ee\/jobs/, /^Archive of the rest/]) expect(transport.indexOf(archive)).toBeLessThan(removed)
  // The check and the stream start together, both before the snapshot goes.
  const checked = descriptions.findIndex(description => /^Checking .*ee\/db\.sqlite$/.test(description))
  const streamed = descriptions.findIndex(description => description.startsWith('Streaming the snapshot of '))
  expect([checked, streamed].every(index => index > 0 && index < removed)).toBe(true)
  expect(Math.abs(checked - streamed)).toBe(1)
})

it('says where the time went, stage by stage, so a fixed cost cannot hide', async () => {
  const { logger } = await backUp()
  const stages = logger.lines.filter(line => line.startsWith('info: Stages: '))
  expect(stages).toHaveLength(1)
  const names = [...stages[0].matchAll(/(?:: |, )([a-z ]+) (\d+\.\d) s/g)].map(match => match[1])
  expect(names).toEqual(['connect', 'preflight', 'lock and plan', 'parts', 'unlock and disconnect', 'size check and manifest', 'store'])
})

it('restores in the documented order: stop-command, swaps (what they replace kept by rename), start-command; and the root matches the backup', async () => {
  const { result } = await backUp()
  const treeAtBackup = await treeOf(root)
  const tablesAtBackup = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const transport = new RecordingTransport()
  const restored = await runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'true # stop the app', startCommand: 'true # start the app' }))
  expect(restored.report).toEqual(expect.arrayContaining(['home restored', 'events restored into events', 'jobs restored into ee/jobs']))
  // Tabby has no database server: nothing is copied before the restore, everything it replaces is kept by rename.
  expect(transport.indexOf(/^Writing the safety copy/)).toBe(-1)
  const stop = transport.indexOf(/^stop-command/)
  const data = transport.indexOf(/^Moving the restored files into /)
  const start = transport.indexOf(/^start-command/)
  expect([stop, data, start].every(index => index >= 0)).toBe(true)
  expect(stop).toBeLessThan(data)
  expect(data).toBeLessThan(start)
  expect(diffFingerprints(treeAtBackup, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesAtBackup)
  // home and events beside them in the root, jobs and the database in ee/; the changed config.toml is in home's.
  const kept = restored.safetyCopy?.files ?? []
  expect(kept.map(path => relative(root, path).replace(restored.safetyCopy?.stamp ?? '?', 'STAMP'))).toEqual([
    '.selfhost-backup-replaced-STAMP-1',
    '.selfhost-backup-replaced-STAMP-2',
    'ee/.selfhost-backup-replaced-STAMP-3',
    'ee/.selfhost-backup-replaced-STAMP-4'
  ])
  expect(await readFile(join(kept[0], 'old', 'config.toml'), 'utf8')).toBe('changed after the backup\n')
  expect(existsSync(join(kept[3], 'old', 'db.sqlite'))).toBe(true)
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
  // The database lands as a file; each tarball is extracted and checked as it arrives.
  const staged = transport.runs.filter(run => /^(Staging|Extracting) /.test(run.description))
  expect(staged.map(run => run.description)).toEqual(['Staging db on the host', 'Extracting events on the host', 'Extracting jobs on the host', 'Extracting home on the host'])
  const lastStaged = transport.runs.indexOf(staged[3])
  expect(lastStaged).toBeLessThan(transport.indexOf(/^stop-command/))
  // What was staged beside the root is used from there, not sent again from the runner: the file read, the trees moved.
  const incoming = join(dirname(root), '.selfhost-backup-incoming-')
  expect(transport.runs.find(run => run.description.startsWith('Writing db.sqlite'))?.script).toContain(`< ${incoming}`)
  // The database is written beside the staged part and integrity-checked there while the app still runs: after the stop only renames remain.
  const stop = transport.indexOf(/^stop-command/)
  expect(transport.indexOf(/^Writing db\.sqlite/)).toBeLessThan(stop)
  expect(transport.indexOf(/^Checking the incoming ee\/db\.sqlite/)).toBeLessThan(stop)
  expect(transport.runs.slice(stop).filter(run => /^(Writing|Checking the incoming)/.test(run.description))).toEqual([])
  // Each tree, and the checked database, moves beside the data and in by the swap's own script.
  const swaps = { events: 'Moving events into place', jobs: 'Moving ee/jobs into place', home: 'Moving the restored files into ', db: 'Moving the restored database into ' }
  for (const [part, description] of Object.entries(swaps)) {
    const moved = transport.runs.filter(run => run.description.startsWith(description))
    expect([part, moved.map(run => run.script)]).toEqual([part, [expect.stringContaining(`mv -T -- ${incoming}`)]])
  }
  expect(readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))).toEqual([])
})

/** A host whose copy of one part changes a byte on the way, as a faulty link or disk would. */
class CorruptingTransport extends RecordingTransport {
  constructor(private readonly part: string) {
    super()
  }

  override run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (options.description === `Extracting ${this.part} on the host` && options.stdin && typeof options.stdin !== 'string') {
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

/** A host whose disk damages the database as it is written: the bytes verified, the file on disk not SQLite any more. */
class DamagingWriteTransport extends RecordingTransport {
  override run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (options.description === 'Writing db.sqlite') return super.run(`${script}\nprintf 'not sqlite' | dd of=db.sqlite bs=1 seek=0 conv=notrunc status=none`, options)
    return super.run(script, options)
  }
}

it('checks the database beside the live data before the stop: a database that fails its check changes nothing', async () => {
  const { result } = await backUp()
  const before = await treeOf(root)
  const transport = new DamagingWriteTransport()
  const restore = runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'false # must not run' }))
  await expect(restore).rejects.toThrow(/Checking the incoming ee\/db\.sqlite[\s\S]*Nothing on the host was changed/)
  expect(transport.indexOf(/^stop-command|^Restoring |^Moving /)).toBe(-1)
  expect(diffFingerprints(before, await treeOf(root))).toEqual([])
  expect(readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))).toEqual([])
})

/** The real local store, watched: how many fetched chunks already sat on the runner when each fetch began. */
/** Records how a restore takes each stored part file: downloaded to the runner (fetch) or streamed (read), and from where. */
class WatchedStore extends LocalDirectoryStore {
  readonly partsFetched: string[] = []
  readonly partReads: { file: string; offset: number }[] = []

  override async fetch(...args: Parameters<LocalDirectoryStore['fetch']>): Promise<string> {
    if (!args[1].endsWith('.manifest.json')) this.partsFetched.push(args[1])
    return super.fetch(...args)
  }

  override async read(...args: Parameters<LocalDirectoryStore['read']>): Promise<Readable> {
    this.partReads.push({ file: args[1], offset: args[2] })
    return super.read(...args)
  }
}

it('streams every stored chunk from the store, checked block by block, and writes no part on the runner', async () => {
  const watched = new WatchedStore(join(work, 'chunked-store'), recordingLogger())
  const logger = recordingLogger()
  const verification = { mode: 'backup' as const, verify: 'checksum' as const, shrinkThreshold: 50, failOnShrink: false }
  // 64 KiB chunks, and 400 KB that do not compress in the home part: it spans several.
  await writeFile(join(root, 'noise.bin'), randomBytes(400_000))
  const made = await runBackup({ recipes: tabby(), transport: new RecordingTransport(), store: watched, workRoot: work, logger, keys, verification, chunkSize: 64 * 1024 })
  const chunked = made.manifest.parts.filter(part => (part.chunks?.length ?? 0) > 2)
  expect(chunked.length).toBeGreaterThan(0)
  for (const part of made.manifest.parts) {
    expect(part.blockSize).toBe(BLOCK_SIZE)
    for (const piece of part.chunks ?? [part]) expect(piece.blocks).toHaveLength(Math.ceil(piece.bytes / BLOCK_SIZE))
  }
  const treeAtBackup = await treeOf(root)
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  await runRestore({ ...restoreRequest(new RecordingTransport(), made.manifest.backupId), store: watched })
  expect(diffFingerprints(treeAtBackup, await treeOf(root))).toEqual([])
  // Each stored file read once, from its start, in the manifest's order; none downloaded to the runner.
  expect(watched.partReads).toEqual(made.manifest.parts.flatMap(part => storedFilesOf(part).map(file => ({ file, offset: 0 }))))
  expect(watched.partsFetched).toEqual([])
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

/** What restores left in the root and ee/ (the earlier tests' kept copies among them). */
function restoreLeftovers(): string[] {
  return [...readdirSync(root), ...readdirSync(join(root, 'ee'))].filter(name => name.startsWith('.selfhost-')).sort()
}

/** A backup, then live data changed after it: what a failed restore must leave exactly as it is. */
async function liveDataAfterBackup(change: string) {
  const { result } = await backUp()
  await writeFile(join(root, 'config.toml'), change)
  return { backupId: result.manifest.backupId, treeBefore: await treeOf(root), tablesBefore: sqliteTableDigest(join(root, 'ee/db.sqlite')), leftoversBefore: restoreLeftovers() }
}

/** Fails the one host step whose description matches, as a host error would. */
class FailingStepTransport extends RecordingTransport {
  constructor(private readonly failing: RegExp) {
    super()
  }

  override run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (this.failing.test(options.description ?? '')) return Promise.reject(new Error(`injected failure in "${options.description}"`))
    return super.run(script, options)
  }
}

it('puts every swapped file back when the restore fails before the start, and keeps nothing behind', async () => {
  const { backupId, treeBefore, tablesBefore, leftoversBefore } = await liveDataAfterBackup('the live data a failed restore must keep\n')
  // Every part is swapped in by then; the check of the database in place is the step that fails.
  const transport = new FailingStepTransport(/^Checking \/.*\/ee\/db\.sqlite$/)
  const failure = await runRestore(restoreRequest(transport, backupId, { stopCommand: 'true # stop', startCommand: 'false # must not run' })).then(
    () => new Error('the restore succeeded'),
    (error: unknown) => error as Error
  )
  expect(failure).toBeInstanceOf(Error)
  expect(failure.message).toMatch(/^The restore failed; the files it had replaced were put back: injected failure/)
  expect(transport.indexOf(/^Putting back what the restore of home replaced/)).toBeGreaterThan(transport.indexOf(/^Moving the restored files into /))
  expect(transport.indexOf(/^start-command/)).toBe(-1)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesBefore)
  expect(await readFile(join(root, 'config.toml'), 'utf8')).toBe('the live data a failed restore must keep\n')
  // Nothing of the restore is left: no kept copies (everything went back), no staging directory.
  expect(restoreLeftovers()).toEqual(leftoversBefore)
})

it('puts a successful restore back with put-back: the root, modes and database as they were before it', async () => {
  const { result } = await backUp()
  await writeFile(join(root, 'config.toml'), 'changed after the backup, before the restore\n')
  await writeFile(join(root, 'events', 'only-before-the-restore.json'), '{}\n')
  const treeBefore = await treeOf(root)
  const tablesBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const leftoversBefore = restoreLeftovers()
  const transport = new RecordingTransport()
  const restored = await runRestore(restoreRequest(transport, result.manifest.backupId, { stopCommand: 'true # stop' }))
  expect(restoreLeftovers()).toHaveLength(leftoversBefore.length + 4)
  expect(await readFile(join(root, 'config.toml'), 'utf8')).not.toContain('before the restore')
  const stamp = restored.safetyCopy?.stamp ?? ''
  const report = await runPutBack({ recipes: tabby(), transport, stamp, lockTimeoutSeconds: 30, logger: recordingLogger() })
  expect(report).toEqual(['db', 'jobs', 'events', 'home'].map(part => expect.stringMatching(new RegExp(`^${part}: .* is as it was before the restore ${stamp}$`))))
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesBefore)
  expect(restoreLeftovers()).toEqual(leftoversBefore)
  // Once put back, the id names nothing any more.
  await expect(runPutBack({ recipes: tabby(), transport, stamp, lockTimeoutSeconds: 30, logger: recordingLogger() })).rejects.toThrow(/nothing that the restore .* replaced was found/)
  await expect(runPutBack({ recipes: tabby(), transport, stamp: '../../etc', lockTimeoutSeconds: 30, logger: recordingLogger() })).rejects.toThrow(InputError)
})

it('with safety-copy: false, removes what the restore replaced once it succeeded', async () => {
  const { result } = await backUp()
  const leftoversBefore = restoreLeftovers()
  const transport = new RecordingTransport()
  const restored = await runRestore(restoreRequest(transport, result.manifest.backupId, { safetyCopy: false }))
  expect(restored.safetyCopy).toBeUndefined()
  expect(restoreLeftovers()).toEqual(leftoversBefore)
})

/** Stops the database's swap between moving the live files aside and moving the restored one in, as a host failure would. */
class StoppedSwapTransport extends RecordingTransport {
  override run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (!/^Moving the restored database into /.test(options.description ?? '')) return super.run(script, options)
    const secondLoop = 'for name in "${names[@]}"; do\n  staged='
    if (!script.includes(secondLoop)) throw new Error('the entries swap script changed: this test must follow it')
    return super.run(script.replace(secondLoop, `echo 'injected stop' >&2; exit 1\n${secondLoop}`), options)
  }
}

it('puts the live database back when its swap stopped after moving it aside, and the earlier swaps too', async () => {
  const { backupId, treeBefore, tablesBefore, leftoversBefore } = await liveDataAfterBackup('live data of a restore whose database swap stops half-way\n')
  const transport = new StoppedSwapTransport()
  const failure = await runRestore(restoreRequest(transport, backupId, { stopCommand: 'true # stop' })).then(
    () => new Error('the restore succeeded'),
    (error: unknown) => error as Error
  )
  expect(failure.message).toMatch(/^The restore failed; the files it had replaced were put back: /)
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesBefore)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(restoreLeftovers()).toEqual(leftoversBefore)
})

/**
 * The connection drops around one swap's script: after the host ran all of it (the answer is lost), or after
 * the swap and before its staging directory was renamed. Either way the restore must know the swap happened.
 */
class LostSwapAnswerTransport extends RecordingTransport {
  constructor(private readonly when: 'after the keep' | 'before the keep') {
    super()
  }

  override async run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (options.description !== 'Moving events into place') return super.run(script, options)
    const ended = `printf 'selfhost-backup-swap-ended %s\\n' "$swapped" >&2`
    if (!script.includes(ended)) throw new Error('the swap script changed: this test must follow it')
    const ran = await super.run(this.when === 'after the keep' ? script : script.replace(ended, `${ended}\nexit 255`), { ...options, allowFailure: true })
    const answered = ran.stderr.slice(0, ran.stderr.indexOf('selfhost-backup-swap-ended'))
    throw new HostCommandError(options.description, 255, `${answered}selfhost-backup-swap-ended 0\n`, '', 'the SSH connection was lost')
  }
}

it.each(['after the keep', 'before the keep'] as const)('records a swap whose answer was lost %s, and puts it back with the rest', async when => {
  const { backupId, treeBefore, tablesBefore, leftoversBefore } = await liveDataAfterBackup(`live data of a restore whose swap answer was lost ${when}\n`)
  const logger = recordingLogger()
  const failure = await runRestore({ ...restoreRequest(new LostSwapAnswerTransport(when), backupId, { stopCommand: 'true # stop' }), logger }).then(
    () => new Error('the restore succeeded'),
    (error: unknown) => error as Error
  )
  expect(failure.message).toMatch(/^The restore failed; the files it had replaced were put back: /)
  expect(failure.message).toMatch(/the SSH connection was lost/)
  // The marks are for the code, not for the reader.
  expect(failure.message).not.toMatch(/selfhost-backup-/)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesBefore)
  expect(restoreLeftovers()).toEqual(leftoversBefore)
  expect(logger.lines.filter(line => line.includes('stays in'))).toEqual([])
})

it('put-back reads what a swap recorded as untrusted: a record naming a path outside is refused before anything moves', async () => {
  const { result } = await backUp()
  const restored = await runRestore(restoreRequest(new RecordingTransport(), result.manifest.backupId, { stopCommand: 'true # stop' }))
  const [home] = restored.safetyCopy?.files ?? []
  const treeAfterRestore = await treeOf(root)
  for (const forged of [
    { part: 'home', complete: true, kind: 'entries', names: ['../../etc'] },
    { part: 'home', complete: true, kind: 'tree', keep: ['/etc/*'] },
    { part: 'home', complete: true, kind: 'chmod' }
  ]) {
    await writeFile(join(home, 'swap'), `${JSON.stringify(forged)}\n`)
    const refused = runPutBack({ recipes: tabby(), transport: new RecordingTransport(), stamp: restored.safetyCopy?.stamp ?? '', lockTimeoutSeconds: 30, logger: recordingLogger() })
    await expect(refused).rejects.toThrow(VerificationError)
    await expect(refused).rejects.toThrow(/swap is not a record this tool wrote/)
    expect(diffFingerprints(treeAfterRestore, await treeOf(root))).toEqual([])
  }
})

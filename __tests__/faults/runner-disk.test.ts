/**
 * The runner's own disk (issue 12): a backup streams through RUNNER_TEMP in chunks of chunk-size, each
 * stored and deleted before the next but one is written, so a backup larger than the runner's temp
 * space still goes through; and when even one chunk does not fit, the step fails with one clear error,
 * stores no manifest, deletes what it had uploaded and leaves no temp files. A restore streams each stored
 * file and checks it block by block in memory (a backup made before block checksums: one stored file at a
 * time on the runner), and the drill reads each part as it streams, so both work through the same small
 * RUNNER_TEMP. RUNNER_TEMP is a small
 * tmpfs of its own, the store the real artifact client against the results-service emulator.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction, type ActionRun } from '../support/action-runner.js'
import { errorText, faultCase, leftoversIn, runArtifactNames } from '../support/fault-checks.js'
import { editSignedManifest, testSigningKey } from '../support/signing-key.js'
import { startResultsService, type ResultsService, type RunContext } from '../support/results-service/index.js'
import { addIncompressibleLog, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

const SUITE = '__tests__/faults/runner-disk.test.ts'
const MEBIBYTE = 1024 * 1024

let base: string
let root: string
let keys: string
let recipient: string
let service: ResultsService
/** RUNNER_TEMP of the backups: a 3 MiB tmpfs, smaller than the 6 MiB the Tabby root holds. */
let smallTemp: string
/** The chunked backup the first case makes, which the restore cases read. */
let chunked: { backupId: string; runId: number } | undefined

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  addIncompressibleLog(root, 6 * MEBIBYTE)
  keys = await mkdtemp(join(tmpdir(), 'sb-runner-disk-age-'))
  execFileSync('age-keygen', ['-o', join(keys, 'identity.txt')], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', join(keys, 'identity.txt')], { encoding: 'utf8' }).trim()
  smallTemp = await mkdtemp(join(tmpdir(), 'sb-runner-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${3 * MEBIBYTE}`, 'tmpfs', smallTemp])
  service = await startResultsService()
}, 120_000)

afterAll(async () => {
  await service?.stop()
  if (smallTemp) {
    execFileSync('umount', [smallTemp])
    await rm(smallTemp, { recursive: true, force: true })
  }
  for (const dir of [base, keys]) if (dir) await rm(dir, { recursive: true, force: true })
})

const backupInputs = (extra: Record<string, string>): Record<string, string> => ({
  app: 'tabby',
  transport: 'local',
  'tabby-root': root,
  store: 'github',
  'encrypt-to': recipient,
  verify: 'checksum',
  ...extra
})

const artifactNames = (run: RunContext): Promise<string[]> => runArtifactNames(service, run)

function backUp(run: RunContext, extra: Record<string, string>): Promise<ActionRun> {
  return runAction('action.yml', backupInputs(extra), { ...run.env(), RUNNER_TEMP: smallTemp })
}

/** A failed step: one error that says what happened and what to do, no stack trace, nothing stored, nothing left. */
async function expectCleanFailure(step: ActionRun, run: RunContext, says: RegExp[]): Promise<void> {
  const text = errorText(step)
  expect(step.exitCode).toBe(1)
  expect(step.stdout.match(/^::error::/gm)).toHaveLength(1)
  for (const pattern of says) expect(text).toMatch(pattern)
  expect(text).not.toMatch(/^\s+at /m)
  expect(text).not.toMatch(/Unhandled|UnhandledPromiseRejection/)
  // The parts uploaded before the disk filled up were deleted again: no artifact of the run is left.
  expect(await artifactNames(run)).toEqual([])
  expect(leftoversIn(smallTemp)).toEqual([])
  expect(readdirSync(smallTemp)).toEqual([])
}

faultCase(
  SUITE,
  'backs up 6 MiB through a 3 MiB RUNNER_TEMP in 1 MiB chunks, encrypted, and restores it from another run',
  async () => {
    const backupRun = service.newRun()
    const backup = await backUp(backupRun, { 'chunk-size': '1M' })
    expectSuccess(backup)
    const backupId = backup.outputs['backup-id']
    chunked = { backupId, runId: backupRun.runId }
    const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8')) as { parts: { name: string; file: string; chunks?: { file: string; bytes: number }[] }[] }
    const home = manifest.parts.find(part => part.name === 'home')
    expect(home?.chunks?.length).toBeGreaterThanOrEqual(6)
    expect(home?.chunks?.every(chunk => chunk.bytes <= MEBIBYTE)).toBe(true)
    // Every chunk is its own artifact; small parts stay one artifact under their own name.
    const names = await artifactNames(backupRun)
    for (const chunk of home?.chunks ?? []) expect(names).toContain(chunk.file)
    expect(names).not.toContain(home?.file)
    expect(names).toContain(`${backupId}.db.sqlite.zst.age`)
    // All that stays on the runner is the manifest, where the `manifest` output points.
    expect(readdirSync(smallTemp)).toEqual([basename(dirname(backup.outputs.manifest))])
    expect(readdirSync(dirname(backup.outputs.manifest))).toEqual([basename(backup.outputs.manifest)])
    await rm(dirname(backup.outputs.manifest), { recursive: true, force: true })

    const treeBefore = await treeOf(root)
    const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
    await rm(root, { recursive: true, force: true })
    const restore = await restoreChunked({})
    expectSuccess(restore)
    expect(restore.stdout).toMatch(/home: [\d.]+ MiB in \d+ chunks, sha256 verified/)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
  },
  120_000
)

/** After a restore, succeeded or refused: the root is `tree`, and neither RUNNER_TEMP nor the host keeps a staged part. */
async function expectRootAsAndNothingLeft(tree: Awaited<ReturnType<typeof treeOf>>): Promise<void> {
  expect(diffFingerprints(tree, await treeOf(root))).toEqual([])
  expect(readdirSync(smallTemp)).toEqual([])
  expect(readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))).toEqual([])
}

async function restoreChunked(env: Record<string, string>): Promise<ActionRun> {
  if (!chunked) throw new Error('the chunked backup case did not run')
  return restoreFrom(chunked, env)
}

/** A restore of `backup` (a backup id in a run of the emulator) into the Tabby root, from a run of its own. */
async function restoreFrom(backup: { backupId: string; runId: number }, env: Record<string, string>): Promise<ActionRun> {
  return runAction(
    'restore/action.yml',
    {
      app: 'tabby',
      transport: 'local',
      'tabby-root': root,
      store: 'github',
      'backup-id': backup.backupId,
      'run-id': String(backup.runId),
      'age-identity': await readFile(join(keys, 'identity.txt'), 'utf8')
    },
    { ...service.newRun().env(), ...env },
    { githubToken: service.githubToken }
  )
}

faultCase(
  SUITE,
  'restores the 6 MiB backup through the same 3 MiB RUNNER_TEMP, one chunk at a time, staging the parts on the host',
  async () => {
    const atBackup = await treeOf(root)
    await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
    const restore = await restoreChunked({ RUNNER_TEMP: smallTemp })
    expectSuccess(restore)
    expect(restore.stdout).toMatch(/home: [\d.]+ MiB in \d+ chunks, sha256 verified, decrypted, plaintext sha256 verified, extracted and checked on the host/)
    await expectRootAsAndNothingLeft(atBackup)
  },
  120_000
)

faultCase(
  SUITE,
  'restores a part stored whole and twice the size of RUNNER_TEMP through it: each block checked in memory, nothing written on the runner',
  async () => {
    // Made with room to spare: one 8 MiB chunk size, so home is stored whole (about 6 MiB).
    const backupRun = service.newRun()
    const backup = await runAction('action.yml', backupInputs({ 'chunk-size': '8M' }), backupRun.env())
    expectSuccess(backup)
    const atBackup = await treeOf(root)
    await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
    const restore = await restoreFrom({ backupId: backup.outputs['backup-id'], runId: backupRun.runId }, { RUNNER_TEMP: smallTemp })
    expectSuccess(restore)
    // One stored file, no chunks, and larger than all of RUNNER_TEMP.
    const stored = /home: ([\d.]+) MiB, sha256 verified, decrypted, plaintext sha256 verified, extracted and checked on the host/.exec(restore.stdout)
    expect(Number(stored?.[1])).toBeGreaterThan(5.5)
    await expectRootAsAndNothingLeft(atBackup)
  },
  120_000
)

faultCase(
  SUITE,
  'refuses a backup made before block checksums whose stored part does not fit in RUNNER_TEMP with one clear error, and nothing on the host changes',
  async () => {
    // Such a backup is checked a stored file at a time on the runner: home, stored whole, needs about 6 MiB there.
    const store = await mkdtemp(join(tmpdir(), 'sb-runner-disk-store-'))
    try {
      const backup = await runAction('action.yml', { ...backupInputs({ 'chunk-size': '8M' }), store: 'local', 'store-path': store })
      expectSuccess(backup)
      const backupId = backup.outputs['backup-id']
      await editSignedManifest(
        join(store, backupId, `${backupId}.manifest.json`),
        manifest => {
          for (const part of manifest.parts) {
            delete part.blockSize
            delete part.blocks
            for (const chunk of part.chunks ?? []) delete chunk.blocks
          }
        },
        testSigningKey().privateKey
      )
      const before = await treeOf(root)
      const restore = await runAction(
        'restore/action.yml',
        { app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store, 'backup-id': backupId, 'age-identity': await readFile(join(keys, 'identity.txt'), 'utf8') },
        { RUNNER_TEMP: smallTemp }
      )
      const text = errorText(restore)
      expect(restore.exitCode).toBe(1)
      expect(restore.stdout.match(/^::error::/gm)).toHaveLength(1)
      expect(text).toMatch(
        new RegExp(
          `The runner's temp directory ${smallTemp} ran out of space while the backup was downloaded and verified: this backup was made before block checksums, so a restore holds one stored chunk at a time on the runner .* which here takes up to [\\d.]+ MiB\\. Nothing on the host was changed\\.`
        )
      )
      expect(text).toMatch(/How to fix: free at least [\d.]+ MiB in RUNNER_TEMP/)
      expect(text).not.toMatch(/^\s+at /m)
      await expectRootAsAndNothingLeft(before)
    } finally {
      await rm(store, { recursive: true, force: true })
    }
  },
  120_000
)

faultCase(
  SUITE,
  'fails clearly when one chunk does not fit in RUNNER_TEMP: names the space and chunk-size, deletes the uploaded parts, leaves no temp files',
  async () => {
    const run = service.newRun()
    const step = await backUp(run, { 'chunk-size': '8M' })
    await expectCleanFailure(step, run, [
      new RegExp(`The runner's temp directory ${smallTemp} ran out of space while staging the part home`),
      /keeps up to 2 chunks of chunk-size \(8\.0 MiB\) per part .* needs about 16\.0 MiB free there/,
      /Nothing was stored/,
      /How to fix: free space in RUNNER_TEMP, or set chunk-size lower/
    ])
  },
  120_000
)

faultCase(
  SUITE,
  'backs up 6 MiB through the same 3 MiB RUNNER_TEMP with the drill on: the drill reads each part as it streams, keeping no copy',
  async () => {
    const run = service.newRun()
    const step = await backUp(run, { 'chunk-size': '1M', verify: 'drill' })
    expectSuccess(step)
    expect(step.outputs.verified).toBe('true')
    expect(step.stdout).toMatch(/Drill passed for home in [\d.]+ s: \d+ files \(\d+ bytes\), .*listed safe/)
    expect(step.stdout).toMatch(/Drill passed for db in [\d.]+ s: integrity_check ok/)
    expect(readdirSync(smallTemp)).toEqual([basename(dirname(step.outputs.manifest))])
    await rm(dirname(step.outputs.manifest), { recursive: true, force: true })
  },
  120_000
)

it('refuses a chunk-size that is not a size before anything is done', async () => {
  const run = service.newRun()
  for (const [value, says] of [
    ['1 terabyte', /Input 'chunk-size': "1 terabyte" is not a size from 1M to 16G/],
    ['512K', /Input 'chunk-size': "512K" is not a size from 1M to 16G/]
  ] as const) {
    const step = await backUp(run, { 'chunk-size': value })
    expect(step.exitCode).toBe(1)
    expect(errorText(step)).toMatch(says)
    expect(errorText(step)).toMatch(/How to fix: write a whole number with K, M or G/)
  }
  expect(await artifactNames(run)).toEqual([])
})

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { lockPathFor } from '../../src/pipeline/lock.js'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { ownProcessList } from '../support/seatable-bed.js'
import { editSignedManifest, storedFileRecord, testSigningKey } from '../support/signing-key.js'
import { addIncompressibleLog, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 8 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-faults-store-'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

const restoreInputs = (): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store })
const inputs = (): Record<string, string> => ({ ...restoreInputs(), verify: 'checksum' })
const storedBackups = (): string[] => readdirSync(store).filter(entry => !entry.startsWith('.'))

it('fails clearly when the host temp dir fills up during the SQLite snapshot, and leaves nothing behind', async () => {
  const small = await mkdtemp(join(tmpdir(), 'sb-full-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small])
  try {
    const before = storedBackups()
    const run = await runAction('action.yml', { ...inputs(), 'host-temp-dir': small })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/Snapshot of .*db\.sqlite failed/)
    expect(run.stdout).toMatch(/database or disk is full|No space left/)
    expect(run.stdout).toMatch(/set host-temp-dir to a larger filesystem/)
    expect(storedBackups()).toEqual(before)
    expect(readdirSync(small)).toEqual([])
  } finally {
    execFileSync('umount', [small])
    await rm(small, { recursive: true, force: true })
  }
})

it('lets one backup of a data directory run at a time: the second waits, or fails clearly after lock-timeout', async () => {
  // Another job holds the lock until the test lets go (its whole process group: the lock fd is inherited).
  const holder = spawn('flock', [lockPathFor(root), 'sleep', '600'], { stdio: 'ignore', detached: true })
  const releaseHolder = (): void => {
    try {
      process.kill(-(holder.pid ?? 0), 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  try {
    await new Promise(resolve => setTimeout(resolve, 300))
    const refused = await runAction('action.yml', { ...inputs(), 'lock-timeout': '1' })
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toMatch(/Another backup or restore of .* is still running on the host/)
    const waiting = runAction('action.yml', { ...inputs(), 'lock-timeout': '120' })
    // Let go only once the second backup is really waiting for the lock on the host.
    for (let attempt = 0; attempt < 2000 && !ownProcessList().some(({ commandLine }) => commandLine.startsWith('flock -w 120 9')); attempt++) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    await new Promise(resolve => setTimeout(resolve, 1500))
    releaseHolder()
    const waited = await waiting
    expectSuccess(waited)
    expect(waited.stdout).toMatch(/Waiting up to 120 s for another backup or restore/)
  } finally {
    releaseHolder()
  }

  const [first, second] = await Promise.all([runAction('action.yml', inputs()), runAction('action.yml', inputs())])
  expectSuccess(first)
  expectSuccess(second)
  expect(first.outputs['backup-id']).not.toBe(second.outputs['backup-id'])
  for (const run of [first, second]) {
    const restore = await runAction('restore/action.yml', { ...restoreInputs(), 'backup-id': run.outputs['backup-id'], 'dry-run': 'true' })
    expectSuccess(restore)
  }
})

it('refuses a tarball with entries outside the target before anything on the host is written', async () => {
  const backup = await runAction('action.yml', inputs())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  const dir = join(store, backupId)
  const part = `${backupId}.home.tar.zst`
  // A hostile archive under the good name, with a manifest edited to match its checksum.
  execFileSync('python3', [
    '-c',
    [
      'import io, sys, tarfile',
      'with tarfile.open(sys.argv[1], "w") as archive:',
      '    for name in ("./config.toml", "../../escaped-by-restore"):',
      '        data = b"owned\\n"; info = tarfile.TarInfo(name); info.size = len(data); archive.addfile(info, io.BytesIO(data))'
    ].join('\n'),
    join(base, 'evil.tar')
  ])
  execFileSync('bash', ['-c', `zstd -q -f -o ${JSON.stringify(join(dir, part))} ${JSON.stringify(join(base, 'evil.tar'))}`])
  // Signed again with the backup's own key: the hostile archive came from the host inside a genuine backup.
  const stored = storedFileRecord(join(dir, part))
  await editSignedManifest(
    join(dir, `${backupId}.manifest.json`),
    manifest => {
      manifest.parts = manifest.parts.map(record => (record.name === 'home' ? { ...record, ...stored } : record))
    },
    testSigningKey().privateKey
  )
  const treeBefore = await treeOf(root)

  const restore = await runAction('restore/action.yml', { ...restoreInputs(), 'backup-id': backupId })
  expect(restore.exitCode).toBe(1)
  expect(restore.stdout).toMatch(/holds entries a restore must not write .*escaped-by-restore.*nothing on the host was changed/)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(existsSync(join(root, '../../escaped-by-restore'))).toBe(false)
})

/** Whether a restore's extraction of home beside the root (its incoming directory's restore-X/tree-home) has reached logs/`name`. */
function extractingBesideRoot(name: string): boolean {
  const besides = readdirSync(dirname(root)).filter(entry => entry.startsWith('.selfhost-backup-incoming-'))
  return besides.some(incoming => readdirSync(join(dirname(root), incoming)).some(restore => existsSync(join(dirname(root), incoming, restore, 'tree-home', 'logs', name))))
}

it('leaves the live data as it was when the restore is killed while it extracts beside it', async () => {
  // Enough data that the restore spends a moment extracting it.
  addIncompressibleLog(root, 60_000_000)
  const backup = await runAction('action.yml', inputs())
  expectSuccess(backup)
  await writeFile(join(root, 'config.toml'), 'the state before the interrupted restore\n')
  const treeBefore = await treeOf(root)
  const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))

  let restorePid: number | undefined
  const restore = runAction(
    'restore/action.yml',
    { ...restoreInputs(), 'backup-id': backup.outputs['backup-id'], 'stop-command': 'true' },
    {},
    { onSpawn: (pid, step) => (step === 'main' ? (restorePid = pid) : undefined) }
  )
  let killed = false
  for (let attempt = 0; attempt < 3000 && !killed; attempt++) {
    await new Promise(resolve => setTimeout(resolve, 5))
    // Killed while the new data is being extracted beside the live data (in the restore's incoming directory
    // next to the root), before any swap.
    if (extractingBesideRoot('large.bin')) {
      // This run's step only: another test file's restore may be running beside it.
      process.kill(restorePid as number, 'SIGKILL')
      killed = true
    }
  }
  await restore
  expect(killed).toBe(true)
  // The incoming directory may stay beside the root (the next restore removes it); nothing live changed.
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
  expect(readdirSync(root).filter(entry => entry.startsWith('.selfhost-backup-replaced-'))).toEqual([])
  for (const entry of readdirSync(dirname(root)).filter(name => name.startsWith('.selfhost-backup-incoming-'))) await rm(join(dirname(root), entry), { recursive: true, force: true })
  await rm(join(root, 'logs', 'large.bin'))
})

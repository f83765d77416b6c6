/**
 * The host-side lock lost while a backup runs (issue 6): the shell that holds flock on the host is
 * killed while a slow part streams. The lock is gone from then on, so another backup or restore could
 * have changed the data half-way through: the backup must fail saying so, store nothing, and leave no
 * temp files on the runner or the host.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lockPathFor } from '../../src/pipeline/lock.js'
import { expectSuccess, runAction, sshActionInputs } from '../support/action-runner.js'
import { completeBackups, errorText, faultCase, hostLockIsFree, hostSnapshotLeftovers, leftoversIn, stagedBytes as stagedBytesIn, storeEntries, waitFor } from '../support/fault-checks.js'
import { processList } from '../support/seatable-bed.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { addIncompressibleLog, makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

const SUITE = '__tests__/faults/host-lock.test.ts'

let host: TestHost
let base: string
let root: string
let store: string
let hostTemp: string
let runnerTemp: string

beforeAll(async () => {
  host = await startTestHost()
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  // The home tarball takes a while on the wire: the slow part the kill lands in.
  addIncompressibleLog(root, 80_000_000)
  store = await mkdtemp(join(tmpdir(), 'sb-host-lock-store-'))
  hostTemp = await mkdtemp(join(tmpdir(), 'sb-host-lock-hosttmp-'))
  runnerTemp = await mkdtemp(join(tmpdir(), 'sb-host-lock-runner-'))
}, 120_000)

afterAll(async () => {
  await host?.stop()
  for (const dir of [base, store, hostTemp, runnerTemp]) if (dir) await rm(dir, { recursive: true, force: true })
})

const inputs = (): Record<string, string> => ({
  app: 'tabby',
  ...sshActionInputs(host),
  'tabby-root': root,
  store: 'local',
  'store-path': store,
  'host-temp-dir': hostTemp,
  verify: 'checksum'
})

/** Bytes staged so far for the part whose file name ends with `suffix`; 0 before it exists. */
const stagedBytes = (suffix: string): number => stagedBytesIn(runnerTemp, suffix, store)

/**
 * The shell holding the lock on this test's data root: the bash that runs the lock script itself
 * (core/host-lock.ts, starting with `set -euo pipefail` and taking flock on lockPathFor(root)), not the
 * sudo above it. It is the only process holding the lock file open, so killing it frees the lock.
 */
function lockHolders(dataRoot: string): number[] {
  const lockPath = lockPathFor(dataRoot)
  return processList()
    .filter(({ commandLine }) => /^bash (--norc --noprofile )?-c set -euo pipefail\s/.test(commandLine) && commandLine.includes('flock') && commandLine.includes(lockPath))
    .map(({ pid }) => pid)
}

faultCase(
  SUITE,
  'fails a backup whose host lock holder is killed while a slow part streams, and stores nothing',
  async () => {
    const storeBefore = storeEntries(store)
    const running = runAction('action.yml', inputs(), { RUNNER_TEMP: runnerTemp })
    // Mid-part: the home tarball (~80 MB) has started to arrive on the runner.
    const caught = await waitFor(() => stagedBytes('.home.tar.zst') > 4_000_000 && lockHolders(root).length > 0, 60_000)
    const holders = lockHolders(root)
    for (const pid of holders) process.kill(pid, 'SIGKILL')
    const stagedAtKill = stagedBytes('.home.tar.zst')
    const run = await running
    console.log(`lock holder killed (pids ${holders.join(', ')}) with ${stagedAtKill} of ~80 MB of the home tarball staged`)
    expect(caught).toBe(true)
    expect(holders).toHaveLength(1)
    expect(stagedAtKill).toBeLessThan(70_000_000)
    expect(run.exitCode).toBe(1)
    const text = errorText(run)
    expect(text).toMatch(/The lock on the host was lost while the backup ran: the (process|SSH session) holding it/)
    expect(text).toMatch(/How to fix: nothing was stored; run the backup again/)
    expect(storeEntries(store)).toEqual(storeBefore)
    expect(completeBackups(store)).toEqual([])
    expect(leftoversIn(runnerTemp)).toEqual([])
    expect(hostSnapshotLeftovers(hostTemp)).toEqual([])
    expect(lockHolders(root)).toEqual([])
    expect(hostLockIsFree(root)).toBe(true)
  },
  180_000
)

// The control, not a fault: the same backup with the lock left alone passes the same check.
it('backs up normally when nothing touches the lock: the holder answers when asked', async () => {
  const backup = await runAction('action.yml', inputs(), { RUNNER_TEMP: runnerTemp })
  expectSuccess(backup)
  expect(completeBackups(store)).toEqual([backup.outputs['backup-id']])
  expect(await waitFor(() => hostLockIsFree(root), 10_000, 50)).toBe(true)
}, 180_000)

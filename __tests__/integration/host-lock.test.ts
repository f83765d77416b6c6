/**
 * The host lock through the local transport, in process: the holder answers while it lives, and a
 * holder that ended before release() is reported as a lost lock (the fault suite's host-lock.test.ts
 * does the same to a whole backup over SSH).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SelfhostBackupError } from '../../src/kernel/errors.js'
import { acquireHostLock, lockPathFor } from '../../src/pipeline/lock.js'
import { LocalTransport } from '../../src/transport/local.js'
import { processList } from '../support/seatable-bed.js'
import { recordingLogger } from '../support/transport-probes.js'
import { hostLockIsFree } from '../support/fault-checks.js'

let base: string
let dataRoot: string

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sb-host-lock-'))
  dataRoot = join(base, 'data')
  await mkdir(dataRoot)
})

afterAll(async () => rm(base, { recursive: true, force: true }))

const lockIsFree = (): boolean => hostLockIsFree(dataRoot)

/** The bash running the lock script on this data root's lock file (started by this test). */
const holders = (): number[] =>
  processList()
    .filter(({ commandLine }) => commandLine.startsWith('bash --norc --noprofile -c set -euo pipefail') && commandLine.includes(lockPathFor(dataRoot)))
    .map(({ pid }) => pid)

test('confirms a lock whose holder still runs, as often as asked, and frees it on release', async () => {
  const lock = await acquireHostLock(new LocalTransport({ sudo: false }), dataRoot, 5, recordingLogger())
  expect(lockIsFree()).toBe(false)
  await lock.assertHeld('backup')
  await lock.assertHeld('backup')
  await lock.release()
  expect(lockIsFree()).toBe(true)
  expect(holders()).toEqual([])
})

test('reports a lock whose holder was killed as lost, naming the work and what to do', async () => {
  const logger = recordingLogger()
  const lock = await acquireHostLock(new LocalTransport({ sudo: false }), dataRoot, 5, logger)
  const [holder, ...others] = holders()
  expect(others).toEqual([])
  process.kill(holder, 'SIGKILL')
  const checked = lock.assertHeld('restore')
  await expect(checked).rejects.toBeInstanceOf(SelfhostBackupError)
  await expect(checked).rejects.toThrow(/^The lock on the host was lost while the restore ran: the process holding it was killed/)
  await expect(checked).rejects.toMatchObject({ hint: expect.stringMatching(/run the restore again/) })
  // The kernel let go of the lock with its holder; release() after the loss only tidies up.
  expect(lockIsFree()).toBe(true)
  await lock.release()
  expect(logger.lines.filter(line => line.startsWith('warning:'))).toEqual([])
})

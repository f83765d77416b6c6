/**
 * Host places that refuse links (issue 10, item 5): the lock file, and through chooseSafePlace and
 * refuseUnsafePlace the state and safety-copy directories, beside a data root whose directory another
 * user (the application's) can write. Links planted there are refused or stepped around, the files they
 * point at stay byte-identical, and root keeps the lock in a root-only place instead. Through bash on
 * this machine as root (LocalTransport), and as a real non-root login user, with and without sudo (sshd).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { chmod, chown, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { HostCommandError } from '../../src/kernel/errors.js'
import { acquireHostLock, fallbackLockPathFor, lockPathFor } from '../../src/pipeline/lock.js'
import { openIncoming, removeIncoming } from '../../src/pipeline/host-incoming.js'
import { chooseSafePlace, refuseUnsafePlace, unsafePlaceError, UnsafeHostPlaceError, type HostPlace } from '../../src/pipeline/host-places.js'
import { command, script } from '../../src/kernel/shell.js'
import { LocalTransport } from '../../src/transport/local.js'
import { SshTransport } from '../../src/transport/ssh.js'
import type { Transport } from '../../src/transport/transport.js'
import { recordCase } from '../support/fault-report.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { recordingLogger, type RecordingLogger } from '../support/transport-probes.js'

const SUITE = 'security/host-places'
const uidOf = (user: string): number => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }))
const NOBODY = uidOf('nobody')

let base: string
let host: TestHost
let loginUid: number
const transports: SshTransport[] = []

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sb-host-places-'))
  await chmod(base, 0o755) // the ssh login user must reach the data roots below it
  host = await startTestHost()
  loginUid = uidOf(host.user)
}, 60_000)

afterAll(async () => {
  for (const transport of transports) await transport.close()
  await host?.stop()
  if (base) await rm(base, { recursive: true, force: true })
})

const local = (): Transport => new LocalTransport({ sudo: false })

async function ssh(sudo: boolean): Promise<Transport> {
  const transport = new SshTransport(
    { target: { host: host.host, port: host.port, user: host.user }, privateKey: host.clientPrivateKey, knownHosts: host.knownHosts, insecureSkipHostKeyCheck: false, sudo, tempRoot: base },
    recordingLogger()
  )
  transports.push(transport)
  await transport.open()
  return transport
}

let counter = 0
/** A data root in a fresh directory with the given owner and mode; the root-only place for this case beside it. */
async function dataRootIn(owner: number, mode = 0o755): Promise<{ dataRoot: string; parent: string; rootPlace: string }> {
  const caseDir = join(base, `case-${++counter}`)
  await mkdir(caseDir, { mode: 0o755 })
  const parent = join(caseDir, 'apps')
  await mkdir(join(parent, 'data'), { recursive: true })
  await chown(parent, owner, owner)
  await chmod(parent, mode)
  return { dataRoot: join(parent, 'data'), parent, rootPlace: join(caseDir, 'root-place') }
}

/** A root-owned file away from the data, such as a link planted at the lock path would point at. */
async function preciousFile(): Promise<string> {
  const dir = join(base, `precious-${++counter}`)
  await mkdir(dir, { mode: 0o755 })
  await writeFile(join(dir, 'shadow'), 'root:secret:19000::::::\n', { mode: 0o640 })
  return join(dir, 'shadow')
}

/** Everything a write through a link could change: content, mode, owner, times; a link's target. */
function fingerprint(path: string): string {
  const stat = lstatSync(path, { throwIfNoEntry: false })
  if (!stat) return 'missing'
  const body = stat.isSymbolicLink() ? `-> ${readlinkSync(path)}` : stat.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'other'
  return `${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${stat.size} ${stat.mtimeMs} ${body}`
}

/** flock -n would create a missing file, so only asked about one that exists. */
const isLocked = (path: string): boolean => existsSync(path) && spawnSync('flock', ['-n', path, 'true']).status !== 0

/** A forged case: a link or an unsafe directory planted where a place will be; recorded for the closing table. */
function forged(name: string, body: () => Promise<void>, timeoutMs = 30_000): void {
  it(
    name,
    async () => {
      let outcome: 'passed' | 'failed' = 'failed'
      try {
        await body()
        outcome = 'passed'
      } finally {
        recordCase({ suite: SUITE, case: name, kind: 'forged', outcome })
      }
    },
    timeoutMs
  )
}

async function lockRefusal(transport: Transport, dataRoot: string, rootPlace: string, logger: RecordingLogger = recordingLogger()): Promise<UnsafeHostPlaceError> {
  const error = await acquireHostLock(transport, dataRoot, 5, logger, { rootPlace }).then(
    async lock => {
      await lock.release()
      throw new Error('the lock was taken')
    },
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(UnsafeHostPlaceError)
  return error as UnsafeHostPlaceError
}

describe('the host lock', () => {
  forged('refuses a lock file replaced by a link to a root-owned file, which stays byte-identical', async () => {
    const { dataRoot, rootPlace } = await dataRootIn(0)
    const target = await preciousFile()
    await symlink(target, lockPathFor(dataRoot))
    const before = [fingerprint(target), fingerprint(lockPathFor(dataRoot))]
    const error = await lockRefusal(local(), dataRoot, rootPlace)
    expect(error.message).toBe(`Refusing to use the lock file ${lockPathFor(dataRoot)}: it is a symbolic link.`)
    expect(error.hint).toMatch(new RegExp(`^remove the link ${lockPathFor(dataRoot)} \\(selfhost-backup never makes one\\) and find out who made it; or run with sudo: true`))
    expect([fingerprint(target), fingerprint(lockPathFor(dataRoot))]).toEqual(before)
    expect(existsSync(rootPlace)).toBe(false)
  })

  forged('refuses a dangling link at the lock path without creating what it points at', async () => {
    const { dataRoot, rootPlace } = await dataRootIn(0)
    const target = join(dirname(await preciousFile()), 'nologin')
    await symlink(target, lockPathFor(dataRoot))
    const error = await lockRefusal(local(), dataRoot, rootPlace)
    expect(error.message).toBe(`Refusing to use the lock file ${lockPathFor(dataRoot)}: it is a symbolic link.`)
    expect(existsSync(target)).toBe(false)
    expect(readlinkSync(lockPathFor(dataRoot))).toBe(target)
  })

  forged('refuses a FIFO at the lock path instead of blocking on it', async () => {
    const { dataRoot, rootPlace } = await dataRootIn(0)
    execFileSync('mkfifo', [lockPathFor(dataRoot)])
    const error = await lockRefusal(local(), dataRoot, rootPlace)
    expect(error.message).toBe(`Refusing to use the lock file ${lockPathFor(dataRoot)}: it is not a regular file.`)
  })

  forged('keeps the lock in the root-only place when another user owns the directory, never touching their link', async () => {
    const { dataRoot, parent, rootPlace } = await dataRootIn(NOBODY)
    const target = await preciousFile()
    await symlink(target, lockPathFor(dataRoot))
    await lchown(lockPathFor(dataRoot), NOBODY, NOBODY)
    const before = [fingerprint(target), fingerprint(lockPathFor(dataRoot))]
    const logger = recordingLogger()
    const lock = await acquireHostLock(local(), dataRoot, 5, logger, { rootPlace })
    const fallback = fallbackLockPathFor(dataRoot, rootPlace)
    try {
      expect(logger.lines).toContain(`info: The lock of ${dataRoot} is kept in ${fallback}, not beside the data: the directory ${parent} can be written by its owner, the user nobody (uid ${NOBODY}).`)
      expect(isLocked(fallback)).toBe(true)
      await lock.assertHeld('restore')
      const made = lstatSync(fallback)
      expect({ mode: made.mode & 0o7777, uid: made.uid, directory: lstatSync(dirname(fallback)).mode & 0o7777 }).toEqual({ mode: 0o600, uid: 0, directory: 0o700 })
    } finally {
      await lock.release()
    }
    expect(isLocked(fallback)).toBe(false)
    expect([fingerprint(target), fingerprint(lockPathFor(dataRoot))]).toEqual(before)
  })

  forged('keeps the lock in the root-only place when the directory is group-writable', async () => {
    const { dataRoot, parent, rootPlace } = await dataRootIn(0, 0o775)
    await chown(parent, 0, NOBODY)
    const logger = recordingLogger()
    const lock = await acquireHostLock(local(), dataRoot, 5, logger, { rootPlace })
    await lock.release()
    const group = execFileSync('stat', ['-c', '%G', parent], { encoding: 'utf8' }).trim()
    expect(logger.lines).toContain(
      `info: The lock of ${dataRoot} is kept in ${fallbackLockPathFor(dataRoot, rootPlace)}, not beside the data: the directory ${parent} can be written by the group ${group}.`
    )
    expect(existsSync(lockPathFor(dataRoot))).toBe(false)
  })

  it('takes and releases the lock beside the data when only root can write there', async () => {
    const { dataRoot, rootPlace } = await dataRootIn(0)
    const logger = recordingLogger()
    const lock = await acquireHostLock(local(), dataRoot, 5, logger, { rootPlace })
    expect(isLocked(lockPathFor(dataRoot))).toBe(true)
    await lock.assertHeld('backup')
    await lock.release()
    expect(isLocked(lockPathFor(dataRoot))).toBe(false)
    expect(lstatSync(lockPathFor(dataRoot)).mode & 0o777).toBe(0o600)
    expect(existsSync(rootPlace)).toBe(false)
    expect(logger.lines).toEqual([])
  })

  forged('refuses a login user without sudo whose data sits in a directory another user owns, and creates nothing', async () => {
    const { dataRoot, parent, rootPlace } = await dataRootIn(NOBODY)
    const error = await lockRefusal(await ssh(false), dataRoot, rootPlace)
    expect(error.message).toBe(`Refusing to use the lock file ${lockPathFor(dataRoot)}: the directory ${parent} can be written by its owner, the user nobody (uid ${NOBODY}).`)
    expect(error.hint).toBe(
      `run with sudo: true, so that root keeps the lock in /var/lib/selfhost-backup; or let only root and the user that runs the backup write ${parent} and the directories above it`
    )
    expect(existsSync(lockPathFor(dataRoot))).toBe(false)
    expect(existsSync(rootPlace)).toBe(false)
  })

  it('locks beside the data for the login user in its own directory, with or without sudo (the user who ran sudo is trusted)', async () => {
    for (const sudo of [false, true]) {
      const { dataRoot, rootPlace } = await dataRootIn(loginUid)
      const logger = recordingLogger()
      const lock = await acquireHostLock(await ssh(sudo), dataRoot, 5, logger, { rootPlace })
      expect(isLocked(lockPathFor(dataRoot))).toBe(true)
      await lock.release()
      expect({ sudo, owner: lstatSync(lockPathFor(dataRoot)).uid, moved: logger.lines, rootPlace: existsSync(rootPlace) }).toEqual({ sudo, owner: sudo ? 0 : loginUid, moved: [], rootPlace: false })
    }
  })

  it('moves the lock of a root run through sudo out of a directory another user owns', async () => {
    const { dataRoot, rootPlace } = await dataRootIn(NOBODY)
    const lock = await acquireHostLock(await ssh(true), dataRoot, 5, recordingLogger(), { rootPlace })
    expect(isLocked(fallbackLockPathFor(dataRoot, rootPlace))).toBe(true)
    await lock.release()
    expect(existsSync(lockPathFor(dataRoot))).toBe(false)
  })
})

describe('directory places (state, safety copies)', () => {
  const place = (path: string): HostPlace => ({ path, name: 'the incremental state directory', kind: 'directory', fix: 'set state-dir to a directory only root can write' })

  forged('refuses an existing directory place that others can write, even when it is sticky', async () => {
    const { parent, rootPlace } = await dataRootIn(0)
    const state = join(parent, '.state')
    await mkdir(state)
    await chmod(state, 0o1777)
    const attempt = chooseSafePlace(local(), place(state), join(rootPlace, 'state'))
    await expect(attempt).rejects.toBeInstanceOf(UnsafeHostPlaceError)
    await expect(attempt).rejects.toThrow(`Refusing to use the incremental state directory ${state}: it can be written by every user.`)
    await expect(attempt).rejects.toMatchObject({ hint: 'set state-dir to a directory only root can write' })
    expect(existsSync(rootPlace)).toBe(false)
  })

  forged('moves a directory place of root out of a directory another user owns, creating it for root only', async () => {
    const { parent, rootPlace } = await dataRootIn(NOBODY)
    const state = join(parent, '.state')
    await symlink('/etc', state)
    const chosen = await chooseSafePlace(local(), place(state), join(rootPlace, 'state'))
    expect(chosen).toEqual({ path: join(rootPlace, 'state'), movedBecause: `the directory ${parent} can be written by its owner, the user nobody (uid ${NOBODY})` })
    expect(lstatSync(chosen.path).mode & 0o7777).toBe(0o700)
    expect(readlinkSync(state)).toBe('/etc')
  })

  forged("turns a refusal inside a caller's own script (a HostCommandError) into the same clear error, before anything is created", async () => {
    const { parent } = await dataRootIn(0)
    const safety = join(parent, 'selfhost-backup-safety')
    await symlink(await preciousFile(), safety)
    const failure = await local()
      .run(script(...refuseUnsafePlace({ ...place(safety), name: 'the safety copy directory' }), command(['mkdir', '-p', '-m', '700', '--', join(safety, 'copy')])), {
        description: 'Creating the safety copy directory'
      })
      .then(
        () => undefined,
        (caught: unknown) => caught
      )
    expect(failure).toBeInstanceOf(HostCommandError)
    const clear = unsafePlaceError(failure)
    expect(clear?.message).toBe(`Refusing to use the safety copy directory ${safety}: it is a symbolic link.`)
    expect(clear?.hint).toBe(`remove the link ${safety} (selfhost-backup never makes one) and find out who made it; or set state-dir to a directory only root can write`)
    expect(unsafePlaceError(new HostCommandError('Something else', 86, 'no mark here'))).toBeUndefined()
  })

  it('accepts a missing directory place below a safe directory, and an existing one only root can write', async () => {
    const { parent, rootPlace } = await dataRootIn(0)
    expect(await chooseSafePlace(local(), place(join(parent, 'new/deeper')), join(rootPlace, 'state'))).toEqual({ path: join(parent, 'new/deeper') })
    await mkdir(join(parent, 'existing'), { mode: 0o700 })
    expect(await chooseSafePlace(local(), place(join(parent, 'existing')), join(rootPlace, 'state'))).toEqual({ path: join(parent, 'existing') })
    expect(existsSync(join(parent, 'new'))).toBe(false)
  })
})

describe("the restore's staging directory (incoming)", () => {
  it('is made fresh beside the data, for the restore only, when only root can write there', async () => {
    const { dataRoot, parent } = await dataRootIn(0)
    const dir = await openIncoming(local(), dataRoot, recordingLogger())
    expect(dirname(dirname(dir))).toBe(parent)
    expect(dir).toMatch(/\/\.selfhost-backup-incoming-[0-9a-f]{12}\/restore-[A-Za-z0-9]{8}$/)
    expect(lstatSync(dirname(dir)).mode & 0o7777).toBe(0o700)
    await removeIncoming(local(), dir, recordingLogger())
    expect(existsSync(dirname(dir))).toBe(false)
  })

  forged("moves root's staging out of a directory another user owns, leaving the link planted there alone", async () => {
    const { dataRoot, parent } = await dataRootIn(NOBODY)
    const planted = join(parent, `.selfhost-backup-incoming-${createHash('sha256').update(dataRoot).digest('hex').slice(0, 12)}`)
    await symlink('/etc', planted)
    const logger = recordingLogger()
    const dir = await openIncoming(local(), dataRoot, logger)
    try {
      expect(dirname(dir)).toBe(join('/var/lib/selfhost-backup/incoming', basename(planted)))
      expect(logger.lines).toContainEqual(`info: The parts are staged in ${dirname(dir)}: the directory ${parent} can be written by its owner, the user nobody (uid ${NOBODY})`)
      expect(readlinkSync(planted)).toBe('/etc')
    } finally {
      await removeIncoming(local(), dir, recordingLogger())
    }
  })

  forged('refuses a link planted at its place in a directory only root can write, and creates nothing', async () => {
    const { dataRoot, parent } = await dataRootIn(0)
    const planted = join(parent, `.selfhost-backup-incoming-${createHash('sha256').update(dataRoot).digest('hex').slice(0, 12)}`)
    const target = await preciousFile()
    await symlink(dirname(target), planted)
    const before = fingerprint(target)
    const attempt = openIncoming(local(), dataRoot, recordingLogger())
    await expect(attempt).rejects.toBeInstanceOf(UnsafeHostPlaceError)
    await expect(attempt).rejects.toThrow(`Refusing to use the restore's staging directory ${planted}: it is a symbolic link.`)
    expect(fingerprint(target)).toBe(before)
    expect(readdirSync(dirname(target))).toEqual(['shadow'])
  })
})

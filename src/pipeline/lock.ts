import { posix } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import type { RunResult, Transport } from '../transport/transport.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import { besideDataRoot, chooseSafePlaceLines, ROOT_PLACE, unsafePlaceError, type HostPlace } from './host-places.js'
import type { Logger } from '../kernel/log.js'
import { script } from '../kernel/shell.js'

export interface HostLock {
  /**
   * Proves the lock is still held: the holder on the host must answer now. Throws when it ended early
   * (connection dropped, process killed), since from then on another backup or restore could have run.
   */
  assertHeld(work: 'backup' | 'restore'): Promise<void>
  release(): Promise<void>
}

/**
 * Beside the data directory, so it is on the host that owns the data and writable by whoever writes the
 * data; unless that directory is not safe for the lock (see host-places.ts), when root keeps it in
 * fallbackLockPathFor instead.
 */
export function lockPathFor(dataRoot: string): string {
  return besideDataRoot(dataRoot, '', '.lock')
}

/** Where root keeps the lock when the directory above the data is one another user can write. */
export function fallbackLockPathFor(dataRoot: string, rootPlace = ROOT_PLACE): string {
  return posix.join(rootPlace, 'locks', posix.basename(lockPathFor(dataRoot)))
}

const lockPlace = (dataRoot: string): HostPlace => ({
  path: lockPathFor(dataRoot),
  name: 'the lock file',
  kind: 'file',
  fix: `run with sudo: true, so that root keeps the lock in ${ROOT_PLACE}; or let only root and the user that runs the backup write ${posix.dirname(dataRoot)} and the directories above it`
})

const LOCKED = 'selfhost-backup-locked'
const UNLOCKED = 'selfhost-backup-unlocked'
const HELD = 'selfhost-backup-held'
const MOVED = 'selfhost-backup-lock-moved'
/** A healthy holder answers in one round trip; this only bounds a connection that hangs without dropping. */
const ANSWER_TIMEOUT_MS = 30_000

/**
 * One backup or restore of a data directory at a time. A shell on the host holds flock(1) on the lock
 * file for as long as its stdin stays open; if the runner dies, the connection drops, the shell reads EOF
 * and the kernel releases the lock, so a crash never leaves a stale lock behind. The shell answers each
 * line it reads, so assertHeld can prove it is still there; `read` is a builtin, so the shell is the one
 * process holding the lock, and when it ends, the lock and the command end together.
 */
export async function acquireHostLock(host: Transport, dataRoot: string, timeoutSeconds: number, logger: Logger, options: { rootPlace?: string } = {}): Promise<HostLock> {
  const fallback = fallbackLockPathFor(dataRoot, options.rootPlace)
  let path = lockPathFor(dataRoot)
  const holdOpen = new PassThrough()
  let acquired: () => void = () => undefined
  const locked = new Promise<void>(resolve => (acquired = resolve))
  let answers = 0
  let answered: () => void = () => undefined
  let pending = ''
  const watcher = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        // includes, not equality: a login shell's rc files may print before the script does.
        if (line.includes(LOCKED)) acquired()
        const moved = line.indexOf(`${MOVED}\t`)
        if (moved >= 0) {
          path = fallback
          logger.info(`The lock of ${dataRoot} is kept in ${fallback}, not beside the data: ${line.slice(moved + MOVED.length + 1)}.`)
        }
        if (line.includes(UNLOCKED)) {
          logger.warning(`flock is missing on the host: this ${dataRoot} job runs without a lock, so two backups or restores of it could overlap. Install util-linux on the host.`)
          acquired()
        }
        if (line.includes(HELD)) {
          answers++
          answered()
        }
      }
      done()
    }
  })
  const answerLines = `while read -r _; do echo ${HELD}; done`
  const text = script(
    `command -v flock >/dev/null || { echo ${UNLOCKED}; ${answerLines}; exit 0; }`,
    ...chooseSafePlaceLines(lockPlace(dataRoot), fallback, MOVED),
    // Checked safe just now, so only a trusted user (root, this one, the one who ran sudo) could change it. Still opened so that
    // no link is followed into a write: created with O_EXCL (noclobber) when missing, else read-only,
    // which is all flock needs. 0600, so that no other user can open it and hold the lock.
    'if [ -e "$place" ]; then exec 9<"$place"; else (umask 077 && set -o noclobber && : >"$place"); exec 9<"$place"; fi',
    `if ! flock -n 9; then echo "waiting" >&2; flock -w ${Math.max(1, Math.floor(timeoutSeconds))} 9 || exit 75; fi`,
    `echo ${LOCKED}`,
    answerLines
  )
  const holding = host.run(text, { stdin: holdOpen, stdout: watcher, allowFailure: true, description: `Locking ${path}`, survivesInterruption: true })
  let released = false
  let ended: { result?: RunResult; error?: unknown } | undefined
  const holderEnded = holding.then(
    result => (ended = { result }),
    (error: unknown) => (ended = { error })
  )
  const waitingNotice = setTimeout(() => logger.info(`Waiting up to ${timeoutSeconds} s for another backup or restore of ${dataRoot} to finish (lock ${path})…`), 1000)
  const outcome = await Promise.race([locked.then(() => 'locked' as const), holding.then(result => result)])
  clearTimeout(waitingNotice)
  if (outcome !== 'locked') {
    const refused = unsafePlaceError(outcome)
    if (refused) throw refused
    if (outcome.exitCode === 75) {
      throw new SelfhostBackupError(
        `Another backup or restore of ${dataRoot} is still running on the host (lock ${path} held for more than ${timeoutSeconds} s).`,
        'wait for it to finish, or raise lock-timeout; if no such job runs, the lock is released automatically when its process ends.'
      )
    }
    throw new SelfhostBackupError(
      `Could not take the lock ${path} on the host (exit code ${outcome.exitCode}): ${outcome.stderr.trim()}`,
      'check that the directory above the data directory is writable (sudo: true).'
    )
  }

  const lost = (work: 'backup' | 'restore', why: string): SelfhostBackupError =>
    new SelfhostBackupError(
      `The lock on the host was lost while the ${work} ran: ${why} (lock ${path}). Another backup or restore of ${dataRoot} could have run at the same time.`,
      work === 'backup'
        ? 'nothing was stored; run the backup again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host (sshd and system logs).'
        : 'the data was restored, but possibly alongside another job: check the application, and run the restore again. If it keeps happening, look for what ends long-running processes or SSH sessions on the host.'
    )
  return {
    async assertHeld(work) {
      if (released) throw new Error('assertHeld called after release()')
      if (ended) throw lost(work, describeEnd(ended))
      const expected = answers + 1
      const answer = new Promise<void>(resolve => {
        answered = () => {
          if (answers >= expected) resolve()
        }
      })
      holdOpen.write('held?\n')
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>(resolve => (timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS)))
      const result = await Promise.race([answer.then(() => 'held' as const), holderEnded.then(() => 'ended' as const), timedOut])
      clearTimeout(timer)
      if (result === 'held') return
      if (result === 'timeout') throw lost(work, `the process holding it did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`)
      throw lost(work, describeEnd(ended))
    },
    async release() {
      released = true
      holdOpen.end()
      await holding.catch(error => logger.warning(`Releasing the lock ${path}: ${(error as Error).message}`))
    }
  }
}

function describeEnd(ended: { result?: RunResult; error?: unknown } | undefined): string {
  if (ended?.error !== undefined) return `the command holding it failed (${(ended.error as Error).message.split('\n')[0]})`
  const result = ended?.result
  const stderr = result?.stderr.trim().split('\n').pop()
  const code = result?.exitCode
  const how =
    // ssh says 255 both for a dropped connection and for a remote process killed by a signal.
    code === 255
      ? 'the SSH session holding it ended (exit code 255: the connection dropped, or the process on the host was killed)'
      : code !== undefined && code >= 128
        ? `the process holding it was killed (exit code ${code})`
        : `the process holding it ended (exit code ${code ?? 'unknown'})`
  return `${how}${stderr ? `: ${stderr}` : ''}`
}

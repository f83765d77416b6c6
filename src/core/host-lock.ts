import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import type { Transport } from '../transport/transport.js'
import { SelfhostBackupError } from './errors.js'
import type { Logger } from './log.js'
import { quote, script } from './shell.js'

export interface HostLock {
  release(): Promise<void>
}

/** Beside the data directory, so it is on the host that owns the data and writable by whoever writes the data. */
export function lockPathFor(dataRoot: string): string {
  const tag = createHash('sha256').update(dataRoot).digest('hex').slice(0, 12)
  return posix.join(posix.dirname(dataRoot), `.selfhost-backup-${tag}.lock`)
}

/**
 * One backup or restore of a data directory at a time. A shell on the host holds flock(1) on the lock
 * file for as long as its stdin stays open; if the runner dies, the connection drops, the shell reads EOF
 * and the kernel releases the lock, so a crash never leaves a stale lock behind.
 */
export async function acquireHostLock(host: Transport, dataRoot: string, timeoutSeconds: number, logger: Logger): Promise<HostLock> {
  const path = lockPathFor(dataRoot)
  const holdOpen = new PassThrough()
  let acquired: () => void = () => undefined
  const locked = new Promise<void>(resolve => (acquired = resolve))
  let seen = ''
  const watcher = new Writable({
    write(chunk: Buffer, _encoding, done) {
      seen += chunk.toString()
      if (seen.includes('selfhost-backup-locked')) acquired()
      done()
    }
  })
  const text = script(
    'command -v flock >/dev/null || { echo selfhost-backup-locked; echo "selfhost-backup: flock is missing on the host; running without a lock" >&2; cat >/dev/null; exit 0; }',
    `exec 9>>${quote(path)}`,
    `if ! flock -n 9; then echo "waiting" >&2; flock -w ${Math.max(1, Math.floor(timeoutSeconds))} 9 || exit 75; fi`,
    'echo selfhost-backup-locked',
    'cat >/dev/null'
  )
  const holding = host.run(text, { stdin: holdOpen, stdout: watcher, allowFailure: true, description: `Locking ${path}` })
  const waitingNotice = setTimeout(() => logger.info(`Waiting up to ${timeoutSeconds} s for another backup or restore of ${dataRoot} to finish (lock ${path})…`), 1000)
  const outcome = await Promise.race([locked.then(() => 'locked' as const), holding.then(result => result)])
  clearTimeout(waitingNotice)
  if (outcome !== 'locked') {
    if (outcome.exitCode === 75) {
      throw new SelfhostBackupError(
        `Another backup or restore of ${dataRoot} is still running on the host (lock ${path} held for more than ${timeoutSeconds} s).`,
        'wait for it to finish, or raise lock-timeout; if no such job runs, the lock is released automatically when its process ends.'
      )
    }
    throw new SelfhostBackupError(`Could not take the lock ${path} on the host (exit code ${outcome.exitCode}): ${outcome.stderr.trim()}`, 'check that the directory above the data directory is writable (sudo: true).')
  }
  return {
    async release() {
      holdOpen.end()
      await holding.catch(error => logger.warning(`Releasing the lock ${path}: ${(error as Error).message}`))
    }
  }
}

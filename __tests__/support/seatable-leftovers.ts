/**
 * "Nothing left behind on the host" after a SeaTable run (issue 3): the host lock free, no process the
 * run started still alive, no database session still open, no new file in the host's temp dir or beside
 * the data directory. Runner and host are this machine, so processes are told apart by what the bed
 * gave them: the shim's directory (PATH, MYSQL_HOME, command lines), the bed's paths, SUDO_USER=<the
 * login user> under sudo, the login user's uid, and for the runner side RUNNER_TEMP=<the run's temp>.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { lockPathFor } from '../../src/pipeline/lock.js'
import { hostLockIsFree, sleep } from './fault-checks.js'
import type { MariaDbServer } from './mariadb.js'
import type { SeaTableBed } from './seatable-bed.js'

export interface HostBaseline {
  /** Entries beside the data directory (where the lock, the incremental state and safety copies go). */
  beside: string[]
  /** Entries in the host's TMPDIR, when the bed has its own. */
  hostTemp: string[]
}

export function hostBaseline(bed: SeaTableBed): HostBaseline {
  return { beside: listing(dirname(bed.layout.root)), hostTemp: bed.hostTempDir ? listing(bed.hostTempDir) : [] }
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : []
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
}

/** What marks a process as the bed's: a path in its command line or environment, or an exact NAME=value variable. */
export interface ProcessMarkers {
  paths: string[]
  variables: string[]
  uid?: number
}

/** Live processes (zombies excluded) carrying one of the markers. */
export function markedProcesses(markers: ProcessMarkers): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    const pid = Number(entry)
    if (pid === process.pid) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
      const owner = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
      const marked =
        markers.paths.some(path => commandLine.includes(path) || environment.some(variable => variable.includes(path))) || markers.variables.some(variable => environment.includes(variable))
      if (marked || owner === markers.uid) found.push(`process ${pid} (uid ${owner}): ${commandLine.slice(0, 200)}`)
    } catch {
      // Ended while being read.
    }
  }
  return found
}

/** Everything the bed's host side runs; SUDO_USER is compared whole, so sbseatable does not match sbseatableold. */
export function hostMarkers(bed: SeaTableBed, runnerTemp?: string): ProcessMarkers {
  return { paths: [bed.shim.binDir, bed.layout.base], variables: [`SUDO_USER=${bed.host.user}`, ...(runnerTemp ? [`RUNNER_TEMP=${runnerTemp}`] : [])], uid: uidOf(bed.host.user) }
}

export async function leftoversOnHost(bed: SeaTableBed, server: MariaDbServer, baseline: HostBaseline, runnerTemp?: string): Promise<string[]> {
  const lockName = basename(lockPathFor(bed.layout.root))
  const left: string[] = []
  // Listed before the lock check, whose flock creates the lock file when no run has yet.
  for (const entry of listing(dirname(bed.layout.root))) if (!baseline.beside.includes(entry) && entry !== lockName) left.push(`new beside the data directory: ${entry}`)
  if (bed.hostTempDir) for (const entry of listing(bed.hostTempDir)) if (!baseline.hostTemp.includes(entry)) left.push(`new in the host temp dir: ${entry}`)
  if (!hostLockIsFree(bed.layout.root)) left.push(`the host lock ${lockPathFor(bed.layout.root)} is held`)
  for (const pid of await bed.host.childPids()) left.push(`an ssh connection is still open (sshd pid ${pid})`)
  left.push(...markedProcesses(hostMarkers(bed, runnerTemp)))
  const sessions = await server.query("SELECT id, user, command, LEFT(COALESCE(info, ''), 120) FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND command <> 'Daemon'")
  for (const line of sessions.split('\n').filter(Boolean)) left.push(`database session: ${line.replace(/\t/g, ' ')}`)
  return left
}

/**
 * Leftovers once the run's own teardown had `graceMs` to finish (a process that got EOF or SIGPIPE a moment
 * before the step ended may still be exiting); what is still there after that was left behind.
 */
export async function leftoversAfter(bed: SeaTableBed, server: MariaDbServer, baseline: HostBaseline, runnerTemp?: string, graceMs = 1000): Promise<string[]> {
  const deadline = Date.now() + graceMs
  for (;;) {
    const left = await leftoversOnHost(bed, server, baseline, runnerTemp)
    if (left.length === 0 || Date.now() >= deadline) return left
    await sleep(100)
  }
}

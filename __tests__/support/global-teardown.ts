/**
 * Jest globalTeardown: each test stops its own hosts, so normally there is nothing to do.
 * It only sweeps what a crashed or careless test left behind, and only things it can
 * prove are ours: sshd temp dirs and sudoers drop-ins whose names carry the pid of the
 * process that created them, when that process has ended or is this one (every test has
 * finished by now). Leftovers of another jest run still in progress are left alone.
 */
import { readdirSync, rmSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type * as FaultReport from './fault-report.js'

// Kept in step with sshd.ts by hand: jest loads global hooks without the test module
// mapper, so a '.js' import of a TypeScript sibling does not resolve here.
const SSHD_TEMP_DIR_PREFIX = 'selfhost-backup-sshd-'
const SUDOERS_FILE_PREFIX = 'selfhost-backup-test-'
// Kept in step with s3-server.ts by hand, for the same reason.
const RGW_TEMP_DIR_PREFIX = 'selfhost-backup-rgw-'

async function childPidsOf(parentPid: number): Promise<number[]> {
  const pids: number[] = []
  for (const entry of (await readdir('/proc')).filter(name => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parentPid) pids.push(Number(entry))
  }
  return pids
}

function creatorHasFinished(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Kills the sshd recorded in a leftover temp dir, but only if its command line names that dir's config. */
async function stopLeftoverSshd(tempDir: string): Promise<void> {
  const pid = Number((await readFile(path.join(tempDir, 'sshd.pid'), 'utf8').catch(() => '')).trim())
  if (!Number.isInteger(pid) || pid <= 0) return
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  // sshd retitles itself ("sshd: /usr/sbin/sshd -D -e -f <config> [listener] ..."), so match a substring.
  if (!commandLine.includes(path.join(tempDir, 'sshd_config'))) return
  for (const victim of [...(await childPidsOf(pid)), pid]) {
    try {
      process.kill(victim, 'SIGTERM')
    } catch {
      /* already gone */
    }
  }
}

/** Kills the Ceph daemons recorded in a leftover S3 server dir, but only those whose command line names that dir's config. */
async function stopLeftoverRgw(tempDir: string): Promise<void> {
  const pids = (await readFile(path.join(tempDir, 'daemons.pid'), 'utf8').catch(() => '')).split('\n').map(Number)
  for (const pid of pids.filter(candidate => Number.isInteger(candidate) && candidate > 0)) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (!commandLine.includes(path.join(tempDir, 'ceph.conf'))) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
}

export default async function globalTeardown(): Promise<void> {
  const swept: string[] = []
  const tempRoot = os.tmpdir()
  for (const name of await readdir(tempRoot)) {
    const match = new RegExp(`^${SSHD_TEMP_DIR_PREFIX}(\\d+)-`).exec(name)
    if (match === null || !creatorHasFinished(Number(match[1]))) continue
    const tempDir = path.join(tempRoot, name)
    await stopLeftoverSshd(tempDir)
    await rm(tempDir, { recursive: true, force: true })
    swept.push(tempDir)
  }
  for (const name of await readdir(tempRoot)) {
    const match = new RegExp(`^${RGW_TEMP_DIR_PREFIX}(\\d+)-`).exec(name)
    if (match === null || !creatorHasFinished(Number(match[1]))) continue
    const tempDir = path.join(tempRoot, name)
    await stopLeftoverRgw(tempDir)
    await rm(tempDir, { recursive: true, force: true })
    swept.push(tempDir)
  }
  for (const name of await readdir('/etc/sudoers.d').catch(() => [] as string[])) {
    const match = /-(\d+)-\d+(\.partial)?$/.exec(name)
    if (!name.startsWith(SUDOERS_FILE_PREFIX) || match === null || !creatorHasFinished(Number(match[1]))) continue
    await rm(path.join('/etc/sudoers.d', name), { force: true })
    swept.push(path.join('/etc/sudoers.d', name))
  }
  // Loud on purpose: a leftover means some test did not call stop().
  if (swept.length > 0) console.warn(`global-teardown removed leftovers of test hosts that were not stopped:\n  ${swept.join('\n  ')}`)
  printFaultReport()
}

/**
 * The closing table of faults, bad inputs and secret scans. Loaded through require: jest's
 * transform hook (active while this hook runs) compiles the .ts file, whereas a static import
 * would need the '.js' mapping that global hooks do not get (see above).
 */
function printFaultReport(): void {
  const reportPath = process.env.SELFHOST_FAULT_REPORT
  if (reportPath === undefined) return // global-setup did not run (a config without it): no figures to print
  const report = createRequire(import.meta.url)('./fault-report.ts') as typeof FaultReport
  const totals = report.printClosingTable(reportPath)
  // Per-run files global-setup picked are removed: this run's, and those of runs that were killed
  // before their teardown (their jest pid has ended). A path CI set is kept.
  for (const name of readdirSync(os.tmpdir())) {
    const match = /^selfhost-backup-fault-report-(\d+)\.jsonl$/.exec(name)
    if (match !== null && creatorHasFinished(Number(match[1]))) rmSync(path.join(os.tmpdir(), name), { force: true })
  }
  // A sentinel secret anywhere fails the whole run, whichever test leaked it (issue 6: must be 0).
  if (totals.leaksFound > 0) throw new Error(`${totals.leaksFound} secret leak(s) found; they are listed above under "Secret leaks"`)
}

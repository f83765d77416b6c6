/**
 * What a killed test or bench run leaves behind, swept before a run starts and after it ends: only
 * things it can prove are a test bed's, temp dirs and sudoers drop-ins whose names carry the pid of the
 * process that made them, when that process has ended (or is this one, at the end). A leftover is not
 * harmless: a killed bench left its sudoers drop-in, whose secure_path pointed the next run's `docker`
 * at the dead run's shim and MariaDB socket. Every process whose command line names a swept dir (its
 * sshd, MariaDB, Azurite or Ceph daemons) is stopped first.
 *
 * Self-contained on purpose: jest loads its global hooks without the test module mapper, so they
 * require this file; the prefixes are kept in step with the modules that make the dirs.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const TEMP_DIR_PREFIXES = [
  'selfhost-backup-sshd-', // sshd.ts
  'selfhost-backup-rgw-', // s3-server.ts
  'selfhost-backup-mariadb-', // mariadb.ts (MARIADB_TEMP_DIR_PREFIX)
  'selfhost-backup-docker-shim-', // docker-shim.ts (DOCKER_SHIM_TEMP_DIR_PREFIX)
  'results-service-' // results-service.ts (resultsServiceTempDirPrefix)
]
const SUDOERS_DIR = '/etc/sudoers.d'
const SUDOERS_FILE_PREFIX = 'selfhost-backup-test-'

/** `includeSelf`: at the end of a run this process's own leftovers count too (every test has finished). */
export function creatorHasFinished(pid: number, includeSelf: boolean): boolean {
  if (pid === process.pid) return includeSelf
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Every running process whose command line names `dir` (as an argument or inside one). */
async function processesNaming(dir: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of (await readdir('/proc')).filter(name => /^\d+$/.test(name))) {
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (Number(entry) !== process.pid && commandLine.split('\0').some(argument => argument.includes(`${dir}/`) || argument === dir)) pids.push(Number(entry))
  }
  return pids
}

/** Removes the leftovers of finished runs; answers what it removed. */
export async function sweepLeftovers(options: { includeSelf: boolean; tempRoot?: string; sudoersDir?: string }): Promise<string[]> {
  const tempRoot = options.tempRoot ?? os.tmpdir()
  const sudoersDir = options.sudoersDir ?? SUDOERS_DIR
  const swept: string[] = []
  for (const name of await readdir(tempRoot)) {
    const prefix = TEMP_DIR_PREFIXES.find(candidate => name.startsWith(candidate))
    const pid = prefix === undefined ? undefined : /^(\d+)-/.exec(name.slice(prefix.length))?.[1]
    if (pid === undefined || !creatorHasFinished(Number(pid), options.includeSelf)) continue
    const dir = path.join(tempRoot, name)
    for (const victim of await processesNaming(dir)) {
      try {
        process.kill(victim, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
    await rm(dir, { recursive: true, force: true })
    swept.push(dir)
  }
  for (const name of await readdir(sudoersDir).catch(() => [] as string[])) {
    const match = /-(\d+)-\d+(\.partial)?$/.exec(name)
    if (!name.startsWith(SUDOERS_FILE_PREFIX) || match === null || !creatorHasFinished(Number(match[1]), options.includeSelf)) continue
    await rm(path.join(sudoersDir, name), { force: true })
    swept.push(path.join(sudoersDir, name))
  }
  return swept
}

/** Before a test or bench run: what runs killed before their end left behind goes, said loudly; a live run's stays. */
export async function sweepEarlierRuns(): Promise<void> {
  const swept = await sweepLeftovers({ includeSelf: false })
  if (swept.length > 0) console.warn(`removed what runs stopped before their end left behind:\n  ${swept.join('\n  ')}`)
}

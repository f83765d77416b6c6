/**
 * The checks every fault case ends with (issue 6): nothing complete-looking stored for a failed
 * backup, temp files gone on the runner and on the host, and one closing-table line per case.
 * Also the fault itself for ssh cases: dropping the test host's connections.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { lockPathFor } from '../../src/pipeline/lock.js'
import type { ActionRun } from './action-runner.js'
import { recordCase } from './fault-report.js'
import { faultBypassHeader, type ResultsService, type RunContext } from './results-service/index.js'
import type { TestHost } from './sshd.js'

/** A host-side lock left held would block every later backup or restore until lock-timeout. */
export function hostLockIsFree(dataRoot: string): boolean {
  return execFileSync('bash', ['-c', `flock -n ${JSON.stringify(lockPathFor(dataRoot))} true && echo free || echo held`], { encoding: 'utf8' }).trim() === 'free'
}

export const sleep = (milliseconds: number): Promise<void> => new Promise(resolve => setTimeout(resolve, milliseconds))

/** Polls until `condition` holds; false after the timeout, so the caller's assertion says what never happened. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(intervalMs)) {
    if (await condition()) return true
  }
  return condition()
}

/**
 * Defines a test whose outcome also goes into the fault report: passed only when every assertion
 * (those that prove nothing was lost included) held.
 */
export function faultCase(suite: string, name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it(
    name,
    async () => {
      try {
        await body()
      } catch (error) {
        recordCase({ suite, case: name, kind: 'fault', outcome: 'failed', nothingLost: false })
        throw error
      }
      recordCase({ suite, case: name, kind: 'fault', outcome: 'passed', nothingLost: true })
    },
    timeoutMs
  )
}

/** Backups in a local store that a restore would accept: a directory holding its own manifest. */
export function completeBackups(store: string): string[] {
  if (!existsSync(store)) return []
  return readdirSync(store).filter(entry => existsSync(join(store, entry, `${entry}.manifest.json`)))
}

/** Everything in a local store, hidden ".partial" directories included: a failed save must leave none. */
export function storeEntries(store: string): string[] {
  return existsSync(store) ? readdirSync(store).sort() : []
}

/**
 * What a run left in RUNNER_TEMP: the product's staging/restore/plain dirs and the ssh work dir
 * (which holds the private key). Removes the runner temp afterwards (runAction kept it for us).
 */
export async function runnerLeftovers(run: ActionRun): Promise<string[]> {
  const left = leftoversIn(run.runnerTemp)
  await rm(run.runnerTemp, { recursive: true, force: true })
  return left
}

/** The same check for a RUNNER_TEMP the test chose itself (to watch the staging dir while the step runs). */
export function leftoversIn(runnerTemp: string): string[] {
  return readdirSync(runnerTemp).filter(entry => entry.startsWith('selfhost-backup-') || entry.startsWith('sb-ssh-'))
}

/**
 * Bytes of a part on its way right now: in a staging dir under `runnerTemp`, the file being written
 * (`….home.tar.zst.writing`) and its sealed chunks not yet stored; with a local `store`, which takes the
 * parts where they are written, the file being written in its unfinished (".partial") backup.
 * `suffix` names the part, e.g. '.home.tar.zst'.
 */
export function stagedBytes(runnerTemp: string, suffix: string, store?: string): number {
  const sizeOf = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0
  let bytes = 0
  for (const staging of readdirSync(runnerTemp).filter(entry => entry.startsWith('selfhost-backup-staging-'))) {
    for (const file of readdirSync(join(runnerTemp, staging)).filter(name => name.includes(suffix))) bytes += sizeOf(join(runnerTemp, staging, file))
  }
  if (store === undefined || !existsSync(store)) return bytes
  for (const partial of readdirSync(store).filter(entry => entry.endsWith('.partial'))) {
    const files = readdirSync(join(store, partial), { withFileTypes: true }).filter(entry => entry.isFile() && entry.name.includes(suffix) && entry.name.endsWith('.writing'))
    for (const file of files) bytes += sizeOf(join(store, partial, file.name))
  }
  return bytes
}

/**
 * The names of a run's artifacts (its first 100), read past the fault switches: a rest-list fault armed
 * for the case under test must neither blind this check nor be used up by it.
 */
export async function runArtifactNames(service: ResultsService, run: RunContext): Promise<string[]> {
  const response = await fetch(`${service.apiUrl}/repos/${service.repository}/actions/runs/${run.runId}/artifacts?per_page=100`, {
    headers: { authorization: `Bearer ${service.githubToken}`, [faultBypassHeader]: 'yes' }
  })
  if (!response.ok) throw new Error(`listing run ${run.runId} failed: HTTP ${response.status}`)
  return ((await response.json()) as { artifacts: { name: string }[] }).artifacts.map(artifact => artifact.name)
}

/** SQLite snapshot dirs left in a host temp dir (the host-temp-dir the case gave the action). */
export function hostSnapshotLeftovers(hostTempDir: string): string[] {
  return readdirSync(hostTempDir).filter(entry => entry.startsWith('selfhost-backup-sqlite.'))
}

/** The step's log with its ::error:: annotation decoded (the runner shows %0A as a line break). */
export function errorText(run: ActionRun): string {
  const decoded = run.stdout.split('\n').map(line => (line.startsWith('::error::') ? line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%') : line))
  return `${decoded.join('\n')}\n${run.stderr}`
}

async function processName(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
}

async function childrenOf(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  return children.split(' ').filter(Boolean).map(Number)
}

/**
 * Cuts every connection of the test host as a network failure would. OpenSSH 9.2 forks per
 * connection a privileged monitor (host.childPids()) and below it the unprivileged process that owns
 * the session; killing the monitor alone leaves the session running (tried: the client keeps
 * streaming), so both sshd processes go. The user's commands below them are left alone: they see
 * EOF or SIGPIPE, exactly as after a real drop. Returns how many processes were killed.
 */
export async function dropSshConnections(host: TestHost): Promise<number> {
  const victims: number[] = []
  for (const monitor of await host.childPids()) {
    victims.push(monitor)
    for (const child of await childrenOf(monitor)) if ((await processName(child)) === 'sshd') victims.push(child)
  }
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Ended on its own meanwhile.
    }
  }
  return victims.length
}

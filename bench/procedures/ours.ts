/**
 * "ours": the bundled actions (dist/) run as the runner runs them, through the byte-counting proxy,
 * to the local store and to the artifact-service emulator. The secret scan is off here: its /proc
 * sweeps would compete with the action for the same two cores.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { expectSuccess, runAction, type ActionRun } from '../../__tests__/support/action-runner.js'
import { manifestFileName, storedFilesOf, type Manifest } from '../../src/kernel/manifest.js'
import type { BenchBed } from './bench-bed.js'
import { proxyKnownHosts } from './ssh-client.js'
import type { Variant } from './variant.js'

const execFileAsync = promisify(execFile)

export interface OursApp {
  /** Backup inputs without connection and store inputs. */
  backupInputs(): Record<string, string>
  /** Restore inputs that put the data under `target` (a fresh directory). */
  restoreInputs(target: string): Record<string, string>
  /** Untimed, before each restore: e.g. drop the databases (an empty host, as after a loss). */
  beforeRestore?(): Promise<void>
  restoreTarget(): Promise<string>
  afterRestore?(target: string): Promise<void>
  /** The app's live data directory on the bed: copied (untimed) to make a restore over live data. */
  liveRoot(): string
}

export interface OursState {
  localBackupId?: string
  artifactBackup?: { backupId: string; runId: number }
  storePath: string
}

/** Connection inputs pointing at the proxy, with a known_hosts line for its port. */
export function proxiedConnection(bed: BenchBed): Record<string, string> {
  const host = bed.seatable.host
  return { host: '127.0.0.1', port: String(bed.proxy.port), user: host.user, 'ssh-key': host.clientPrivateKey, 'known-hosts': proxyKnownHosts(host, bed.proxy.port), sudo: 'true' }
}

export async function runOurs(
  bed: BenchBed,
  file: 'action.yml' | 'restore/action.yml',
  inputs: Record<string, string>,
  env: Record<string, string>,
  track: (pid: number) => void,
  githubToken?: string
): Promise<ActionRun> {
  const run = await runAction(
    file,
    { ...inputs, ...proxiedConnection(bed), 'host-temp-dir': bed.hostTempDir },
    { TMPDIR: join(bed.work, 'runner-tmp'), RUNNER_TEMP: join(bed.work, 'runner-temp'), ...env },
    { secretScan: false, onSpawn: pid => track(pid), githubToken }
  )
  expectSuccess(run)
  return run
}

/** A backup's parts in the local store, each with its stored files in order (its chunks, or the one file), from its manifest. */
export async function storedParts(storePath: string, backupId: string | undefined): Promise<{ name: string; file: string; paths: string[] }[]> {
  if (!backupId) throw new Error('the ours-local backup of this run is missing')
  const dir = join(storePath, backupId)
  const manifest = JSON.parse(await readFile(join(dir, manifestFileName(backupId)), 'utf8')) as Manifest
  return manifest.parts.map(part => ({ name: part.name, file: part.file, paths: storedFilesOf(part).map(file => join(dir, file)) }))
}

/**
 * The backup's own "Stages:" line, then the times its log gives inside them: each part, dtable-db's
 * backup-all, the uploads (summed; they overlap the parts), the drill's server start and each part's check.
 */
export function stagesOf(run: ActionRun): string {
  const stages = /^Stages: (.*)$/m.exec(run.stdout)?.[1] ?? 'no Stages line'
  const parts = [...run.stdout.matchAll(/^([a-z0-9_-]+): [\d.]+ [KMG]?i?B(?: in \d+ chunks)? in ([\d.]+ s), sha256/gm)].map(match => `${match[1]} ${match[2]}`)
  const backupAll = /^dtable-db: backup-all completed in ([\d.]+ s)/m.exec(run.stdout)?.[1]
  const uploads = /^Uploads: (\d+) artifacts in ([\d.]+ s)/m.exec(run.stdout)
  const drillStart = /^Throwaway MariaDB \(\S+\) started in ([\d.]+ s)/m.exec(run.stdout)?.[1]
  const drilled = [...run.stdout.matchAll(/^Drill (?:passed|FAILED) for ([a-z0-9_-]+) in ([\d.]+ s)/gm)].map(match => `${match[1]} ${match[2]}`)
  return [
    stages,
    `parts: ${parts.join(', ')}`,
    ...(backupAll ? [`backup-all ${backupAll}`] : []),
    ...(uploads ? [`uploads ${uploads[2]} (${uploads[1]} artifacts)`] : []),
    ...(drillStart ? [`drill server start ${drillStart}`] : []),
    ...(drilled.length > 0 ? [`drill per part (from its first byte): ${drilled.join(', ')}`] : [])
  ].join('; ')
}

/**
 * A restore's own "Stages:" line, then what its log gives per part: the download, verification and
 * staging on the host, and each part's own step (import, extraction, write) with its swap.
 */
export function restoreStagesOf(run: ActionRun): string {
  const stages = /^Stages: (.*)$/m.exec(run.stdout)?.[1] ?? 'no Stages line'
  const staged = [...run.stdout.matchAll(/^([a-z0-9_-]+): [\d.]+ [KMG]?i?B.*, (?:staged|extracted and checked) on the host in ([\d.]+ s)$/gm)].map(match => `${match[1]} ${match[2]}`)
  const beside = [...run.stdout.matchAll(/^([a-z0-9_-]+): (?:imported beside the live database into \S+|written beside the live data) and checked in ([\d.]+ s)$/gm)].map(
    match => `${match[1]} ${match[2]}`
  )
  const applied = [
    ...run.stdout.matchAll(
      /^([a-z0-9_-]+): ((?:imported|extracted and checked) in [\d.]+ s, [a-z ]+ in [\d.]+ s|moved beside the data and swapped in [\d.]+ s|swapped in by RENAME TABLE in [\d.]+ s|swapped in and counted in [\d.]+ s)/gm
    )
  ].map(match => `${match[1]} ${match[2]}`)
  return [stages, `staged: ${staged.join(', ')}`, ...(beside.length > 0 ? [`prepared beside the live data: ${beside.join(', ')}`] : []), `applied: ${applied.join('; ')}`].join('; ')
}

/** Keeps only the newest backup in the local store, so repeated runs do not fill the disk. */
async function pruneLocalStore(storePath: string, keep: string): Promise<void> {
  for (const entry of await readdir(storePath).catch(() => [] as string[])) {
    if (entry !== keep) await rm(join(storePath, entry), { recursive: true, force: true })
  }
}

/** A backup to the artifact emulator with these inputs, in a new run of the emulator; returns the step and that run's id. */
async function artifactBackup(bed: BenchBed, inputs: Record<string, string>, track: (pid: number) => void): Promise<{ run: ActionRun; runId: number }> {
  const context = bed.service.newRun()
  const run = await runOurs(bed, 'action.yml', inputs, context.env(), track)
  return { run, runId: context.runId }
}

/** ours-local and ours-artifact; with `drillRow`, also ours-artifact-drill: the same backup to artifacts with `verify: drill`. */
export function oursBackups(bed: BenchBed, app: OursApp, state: OursState, drillRow = false): Variant[] {
  const drill: Variant = {
    name: 'ours-artifact-drill',
    run: async track => stagesOf((await artifactBackup(bed, { ...app.backupInputs(), verify: 'drill' }, track)).run)
  }
  return [
    {
      name: 'ours-local',
      run: async track => {
        const run = await runOurs(bed, 'action.yml', { ...app.backupInputs(), store: 'local', 'store-path': state.storePath }, {}, track)
        state.localBackupId = run.outputs['backup-id']
        return stagesOf(run)
      },
      finish: () => pruneLocalStore(state.storePath, state.localBackupId ?? '')
    },
    {
      name: 'ours-artifact',
      run: async track => {
        const { run, runId } = await artifactBackup(bed, app.backupInputs(), track)
        state.artifactBackup = { backupId: run.outputs['backup-id'], runId }
        return stagesOf(run)
      }
    },
    ...(drillRow ? [drill] : [])
  ]
}

/**
 * A restore over live data (a copy of the source directory; the databases as the backups left them) with
 * the default safety copy: what the swaps (and dumps of databases imported in place) cost, next to a restore onto an empty host.
 */
export function oursRestoreOverLive(bed: BenchBed, app: OursApp, state: OursState): Variant {
  let target = ''
  return {
    name: 'ours-local-over-live',
    prepare: async () => {
      target = await app.restoreTarget()
      await execFileAsync('cp', ['-a', '--', app.liveRoot(), target])
    },
    run: async track => {
      const run = await runOurs(bed, 'restore/action.yml', { ...app.restoreInputs(target), store: 'local', 'store-path': state.storePath, 'backup-id': state.localBackupId ?? '' }, {}, track)
      const kept = JSON.parse(run.outputs['safety-copy'] || '[]') as string[]
      const keptDatabases = JSON.parse(run.outputs['safety-copy-databases'] || '[]') as string[]
      const databases = /^Safety copy of the databases: .* \(([\d.]+ s)\)$/m.exec(run.stdout)?.[1]
      const restored = /^Restored in ([\d.]+ s): (\d+) swaps/m.exec(run.stdout)
      return `${restoreStagesOf(run)}; databases' safety copy (dumps before the stop) ${databases ?? 'none'}; ${restored?.[2] ?? '?'} swaps by rename (${kept.length} kept), ${keptDatabases.length} databases kept by RENAME TABLE`
    },
    finish: async () => {
      await app.afterRestore?.(target)
      await rm(join(dirname(target), 'selfhost-backup-safety'), { recursive: true, force: true })
    }
  }
}

export function oursRestores(bed: BenchBed, app: OursApp, state: OursState): Variant[] {
  let target = ''
  const prepare = async () => {
    await app.beforeRestore?.()
    target = await app.restoreTarget()
  }
  const finish = async () => app.afterRestore?.(target)
  return [
    {
      name: 'ours-local',
      prepare,
      run: async track =>
        restoreStagesOf(await runOurs(bed, 'restore/action.yml', { ...app.restoreInputs(target), store: 'local', 'store-path': state.storePath, 'backup-id': state.localBackupId ?? '' }, {}, track)),
      finish
    },
    {
      name: 'ours-artifact',
      prepare,
      run: async track => {
        const backup = state.artifactBackup
        if (!backup) throw new Error('no artifact backup to restore')
        const inputs = { ...app.restoreInputs(target), 'backup-id': backup.backupId, 'run-id': String(backup.runId), 'github-token': bed.service.githubToken }
        return restoreStagesOf(await runOurs(bed, 'restore/action.yml', inputs, bed.service.newRun().env(), track, bed.service.githubToken))
      },
      finish
    }
  ]
}

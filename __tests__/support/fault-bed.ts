import { rm } from 'node:fs/promises'
import { expectSuccess, runAction, type ActionRun } from './action-runner.js'
import { runArtifactNames } from './fault-checks.js'
import { startResultsService, type ResultsService, type RunContext } from './results-service/index.js'
import { makeRootOwnedTabbyHome } from './tabby-bed.js'

/** A manifest artifact, also under the name a retried upload gives it (`<file>.retry-<n>`, see store/artifact.ts). */
const MANIFEST_NAME = /\.manifest\.json(\.retry-\d+)?$/

export interface TimedRun extends ActionRun {
  seconds: number
}

/**
 * One emulator, one small Tabby home and one clean backup made before any
 * fault is armed. A case holds a bed to itself (see BedPool) because faults
 * are service-wide: cases that wait out a client's backoff can then run side
 * by side without one case's fault hitting another's requests, and without two
 * actions contending for the same data directory's host lock.
 */
export interface FaultBed {
  service: ResultsService
  root: string
  /** The backup every restore case reads. */
  goodBackupId: string
  goodRun: RunContext
  /** The newest complete backup so far: what a restore without backup-id must pick after a failed backup. */
  newestBackupId: string
  backup(run: RunContext): Promise<TimedRun>
  /** A dry run downloads and verifies every part but leaves the host alone, which is all the download path needs. */
  restore(run: RunContext, backupId?: string): Promise<TimedRun>
  /** Artifact names of one run, straight from the emulator's REST API (never through a fault). */
  artifactNames(run: RunContext): Promise<string[]>
  stop(): Promise<void>
}

async function timed(action: Promise<ActionRun>): Promise<TimedRun> {
  const started = Date.now()
  const run = await action
  return { ...run, seconds: (Date.now() - started) / 1000 }
}

export async function startFaultBed(): Promise<FaultBed> {
  const { base, home } = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  const service = await startResultsService().catch(async (error: unknown) => {
    await rm(base, { recursive: true, force: true })
    throw error
  })
  // verify: checksum skips the restore drill, which would only add minutes and no artifact traffic.
  const backupInputs = { app: 'tabby', transport: 'local', 'tabby-root': home.root, verify: 'checksum' }
  const restoreInputs = { app: 'tabby', transport: 'local', 'tabby-root': home.root, 'dry-run': 'true' }
  const bed: Omit<FaultBed, 'goodBackupId' | 'goodRun' | 'newestBackupId'> = {
    service,
    root: home.root,
    backup: run => timed(runAction('action.yml', backupInputs, run.env(), { githubToken: service.githubToken })),
    restore: (run, backupId) => timed(runAction('restore/action.yml', { ...restoreInputs, ...(backupId ? { 'backup-id': backupId } : {}) }, run.env(), { githubToken: service.githubToken })),
    artifactNames: run => runArtifactNames(service, run),
    async stop() {
      await service.stop()
      await rm(base, { recursive: true, force: true })
    }
  }
  try {
    const goodRun = service.newRun()
    const good = await bed.backup(goodRun)
    expectSuccess(good)
    const goodBackupId = good.outputs['backup-id']
    return { ...bed, goodRun, goodBackupId, newestBackupId: goodBackupId }
  } catch (error) {
    await bed.stop()
    throw error
  }
}

export const hasManifest = (names: string[]): boolean => names.some(name => MANIFEST_NAME.test(name))

export interface BedPool {
  /** Waits for a free bed, runs `use` with no fault armed, and hands the bed back however `use` ends. */
  withBed<T>(use: (bed: FaultBed) => Promise<T>): Promise<T>
  stop(): Promise<void>
}

/**
 * A few beds shared by many cases: a bed per case would spend most of the
 * run starting Azurite and making the first backup, and the machine's CPUs,
 * not the clients' backoff timers, would set the pace.
 */
export async function startBedPool(size: number): Promise<BedPool> {
  const started = await Promise.allSettled(Array.from({ length: size }, () => startFaultBed()))
  const beds = started.flatMap(result => (result.status === 'fulfilled' ? [result.value] : []))
  const failure = started.find(result => result.status === 'rejected')
  if (failure) {
    await Promise.all(beds.map(bed => bed.stop()))
    throw failure.reason
  }
  const free = [...beds]
  const waiting: ((bed: FaultBed) => void)[] = []
  const release = (bed: FaultBed): void => {
    bed.service.faults.clear()
    const next = waiting.shift()
    if (next) next(bed)
    else free.push(bed)
  }
  return {
    async withBed(use) {
      const bed = free.pop() ?? (await new Promise<FaultBed>(resolve => waiting.push(resolve)))
      bed.service.faults.clear()
      try {
        return await use(bed)
      } finally {
        release(bed)
      }
    },
    async stop() {
      await Promise.all(beds.map(bed => bed.stop()))
    }
  }
}

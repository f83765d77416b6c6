/**
 * Issue 10, item 2: a listing offers only backups this repository's own workflows made, aged by the
 * store's clock. Forged uploads (an id stamped 9999-12-31, a fork's or a pull request's run) go up
 * through the real @actions/artifact client to the results-service emulator, as an attacker's run
 * would, and the real stores must leave them out; the local store must age backups by its own mtime.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StoreError } from '../../src/kernel/errors.js'
import { manifestFileName, newBackupId, partFileName } from '../../src/kernel/manifest.js'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import type * as StoreSettingsModule from '../../src/store/settings.js'
import type { SaveRequest, Store, StoredBackup } from '../../src/store/store.js'
import { recordCase } from '../support/fault-report.js'
import { setEnvironment } from '../support/store-fixtures.js'
import { startResultsService, type ResultsService, type RunContext, type RunOrigin } from '../support/results-service/index.js'
import { recordingLogger, type RecordingLogger } from '../support/transport-probes.js'

const FORK = 'mallory/homelab'
const ids = (backups: StoredBackup[]): string[] => backups.map(backup => backup.backupId)
const minutesFromNow = (minutes: number): Date => new Date(Date.now() + minutes * 60_000)
const linesStarting = (logger: RecordingLogger, start: string): string[] => logger.lines.filter(line => line.startsWith(start))

let scratch: string
let sharedService: ResultsService
let settingsModule: typeof StoreSettingsModule
let restoreApiUrl: () => void

async function inRun<T>(run: RunContext, work: () => Promise<T>): Promise<T> {
  const leave = setEnvironment({ ...run.env(), RUNNER_TEMP: join(scratch, 'runner-temp'), GITHUB_WORKSPACE: scratch })
  try {
    return await work()
  } finally {
    leave()
  }
}

/** A backup's files as the backup leaves them for Store.save; no store reads them, so a part and a manifest-named file do. */
async function stage(hostId: string, stampedAt: Date): Promise<SaveRequest> {
  const backupId = newBackupId('tabby', hostId, stampedAt)
  const dir = await mkdtemp(join(scratch, 'staging-'))
  const part = partFileName(backupId, 'db', '.sqlite.zst')
  await writeFile(join(dir, part), randomBytes(4096))
  await writeFile(join(dir, manifestFileName(backupId)), `${JSON.stringify({ backupId })}\n`)
  return { backupId, dir, partFiles: [part], manifestFile: manifestFileName(backupId) }
}

/** Counts the case in the closing table's "forged backups" row, whichever way it went. */
async function forgedCase(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body()
    recordCase({ suite: 'security', case: name, kind: 'forged', outcome: 'passed' })
  } catch (error) {
    recordCase({ suite: 'security', case: name, kind: 'forged', outcome: 'failed' })
    throw error
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'listing-provenance-'))
  await mkdir(join(scratch, 'runner-temp'))
  sharedService = await startResultsService()
  // @actions/github reads GITHUB_API_URL once, when it is loaded: reading another run (run-id) goes to this service only.
  restoreApiUrl = setEnvironment({ GITHUB_API_URL: sharedService.apiUrl })
  settingsModule = await import('../../src/store/settings.js')
})
afterAll(async () => {
  restoreApiUrl?.()
  await sharedService?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

interface Bed {
  service(): ResultsService
  /** Uploads a backup from a new run of the given origin, through the store, as that run's job would. */
  save(origin: RunOrigin, request: SaveRequest): Promise<RunContext>
  /** A GitHub store as a step of the current run (see inRun) builds it, reading with the service's token. */
  store(logger: RecordingLogger, settings?: { runId?: number; token?: string }): Store
}

/** The store's real retry loop, with millisecond pauses: the behaviour under test is who is trusted, not how long it waits. */
const FAST_RETRY = { operation: { attempts: 3, baseMs: 5 }, request: { attempts: 4, baseMs: 5 } }

function bedOn(service: () => ResultsService): Bed {
  const store: Bed['store'] = (logger, settings = {}) =>
    settingsModule.createStore({ kind: 'github', retentionDays: 1, token: service().githubToken, ...settings }, process.env, logger, { retry: FAST_RETRY })
  return {
    service,
    store,
    async save(origin, request) {
      const run = service().newRun(origin)
      await inRun(run, () => store(recordingLogger()).save(request))
      return run
    }
  }
}

/** A bed on an emulator started for the describe block it is called in, and stopped after it. */
function bedOnItsOwnService(): Bed {
  let service: ResultsService
  beforeAll(async () => {
    service = await startResultsService()
  })
  afterAll(async () => {
    await service?.stop()
  })
  return bedOn(() => service)
}

describe('GitHub artifacts: the repository-wide listing', () => {
  const bed = bedOn(() => sharedService)
  /** Lists from a fresh run of the repository's own workflow, twice, to see that each warning comes once. */
  async function listTwice(hostId: string, logger: RecordingLogger): Promise<string[]> {
    return inRun(bed.service().newRun(), async () => {
      const store = bed.store(logger)
      const first = ids(await store.list({ hostId }))
      expect(ids(await store.list({ hostId }))).toEqual(first)
      return first
    })
  }
  async function manifestIsListedByTheApi(request: SaveRequest): Promise<boolean> {
    const response = await fetch(`${bed.service().apiUrl}/repos/${bed.service().repository}/actions/artifacts?per_page=100&name=${request.manifestFile}`, {
      headers: { authorization: `Bearer ${bed.service().githubToken}` }
    })
    return ((await response.json()) as { total_count: number }).total_count === 1
  }

  test('orders backups newest first by when the artifact was created, not by the stamp in their id', async () => {
    const stampedLater = await stage('creation-order', minutesFromNow(-60))
    const stampedEarlier = await stage('creation-order', minutesFromNow(-120))
    // A runner whose clock is five minutes fast: inside the allowance.
    const runnerClockFast = await stage('creation-order', minutesFromNow(5))
    for (const request of [stampedLater, stampedEarlier, runnerClockFast]) await bed.save({ event: 'schedule' }, request)
    const logger = recordingLogger()
    expect(await listTwice('creation-order', logger)).toEqual([runnerClockFast, stampedEarlier, stampedLater].map(request => request.backupId))
    expect(linesStarting(logger, 'warning:')).toEqual([])
  })

  test('pages through every artifact of the repository: a backup behind 1,500 newer artifacts of other jobs is found', async () => {
    const older = await stage('many-artifacts', minutesFromNow(-60))
    await bed.save({ event: 'schedule' }, older)
    bed.service().addArtifacts(bed.service().newRun({ event: 'schedule' }), 'other-job-output', 1500)
    const logger = recordingLogger()
    expect(await listTwice('many-artifacts', logger)).toEqual([older.backupId])
    expect(logger.lines.some(line => /repository listing: \d{4} artifacts/.test(line))).toBe(true)
  })

  test('reads every page of one run: a backup behind 1,050 newer artifacts of its run is found with run-id', async () => {
    const request = await stage('many-in-run', minutesFromNow(-30))
    const run = await bed.save({ event: 'schedule' }, request)
    // The artifact client's own run listing stops at 1,000: what a backup of more chunks than that would hit.
    bed.service().addArtifacts(run, 'chunk-like', 1050)
    const listed = await inRun(bed.service().newRun(), () => bed.store(recordingLogger(), { runId: run.runId }).list({ hostId: 'many-in-run' }))
    expect(ids(listed)).toEqual([request.backupId])
  })

  test("reads its own run's listing whole: a backup behind 1,050 newer artifacts of the same run is found at once, fetched, and nothing is retried", async () => {
    const request = await stage('many-in-own-run', minutesFromNow(-30))
    const run = await bed.save({ event: 'schedule' }, request)
    // The service answers one run's listing in one reply, here about 400 KB: a size only a 500-artifact job or several jobs reach.
    bed.service().addArtifacts(run, 'chunk-like', 1050)
    const logger = recordingLogger()
    const listed = await inRun(run, async () => {
      const store = bed.store(logger)
      const backups = await store.list({ hostId: 'many-in-own-run' })
      const workRoot = await mkdtemp(join(tmpdir(), 'own-run-listing-'))
      try {
        await store.fetch(backups[0], request.manifestFile, workRoot)
      } finally {
        await rm(workRoot, { recursive: true, force: true })
      }
      return backups
    })
    expect(ids(listed)).toEqual([request.backupId])
    expect(linesStarting(logger, 'warning:')).toEqual([])
  })

  test('refuses a later upload whose id is stamped 9999-12-31, warning once by name; the genuine backup stays the newest', () =>
    forgedCase('future-stamped backup id (GitHub artifacts)', async () => {
      const genuine = await stage('future-stamp', minutesFromNow(-60))
      await bed.save({ event: 'schedule' }, genuine)
      const forged = await stage('future-stamp', new Date('9999-12-31T00:00:00Z'))
      await bed.save({ event: 'push' }, forged)
      const logger = recordingLogger()
      expect(await listTwice('future-stamp', logger)).toEqual([genuine.backupId])
      const warnings = linesStarting(logger, 'warning:')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`Left the backup ${forged.backupId} out of the listing: its id is stamped 9999-12-31T00:00:00.000Z, later than the store created it`)
      expect(warnings[0]).toContain('it is not restored, checked or used as an incremental base')
      expect(await manifestIsListedByTheApi(forged)).toBe(true)
    }))

  // A fork shows in the artifact object itself (head_repository_id); only a same-repository run needs looking up.
  test.each<[string, RunOrigin, string, string, number]>([
    ['a pull request from a fork', { event: 'pull_request', headRepository: FORK }, 'from forks', 'fork-upload', 0],
    ['a same-repository pull_request run', { event: 'pull_request' }, 'from pull request runs', 'pull-request-upload', 1]
  ])('ignores a newer backup uploaded by %s, and says once why', (what, origin, label, hostId, lookUps) =>
    forgedCase(`backup uploaded by ${what}`, async () => {
      const genuine = await stage(hostId, minutesFromNow(-30))
      await bed.save({ event: 'schedule' }, genuine)
      const forged = await stage(hostId, minutesFromNow(0))
      const forgedRun = await bed.save(origin, forged)
      expect(await manifestIsListedByTheApi(forged)).toBe(true)
      const requestsBefore = bed.service().requests.length
      const logger = recordingLogger()
      expect(await listTwice(hostId, logger)).toEqual([genuine.backupId])
      const runPath = `/api/repos/${bed.service().repository}/actions/runs/${forgedRun.runId}`
      expect(
        bed
          .service()
          .requests.slice(requestsBefore)
          .filter(request => request.path === runPath)
      ).toHaveLength(lookUps)
      const ignored = linesStarting(logger, 'info: Ignored ')
      expect(ignored).toHaveLength(1)
      expect(ignored[0]).toMatch(new RegExp(`that its own workflows did not upload: .*${label} \\(run [^)]*\\b${forgedRun.runId}\\b`))
      expect(linesStarting(logger, 'warning:')).toEqual([])
    })
  )

  test.each<[string, RunOrigin, string]>([
    ['a fork', { event: 'pull_request', headRepository: FORK }, "did not run this repository's own code (a fork): its code came from mallory/homelab, not octo/homelab."],
    ['a pull_request run', { event: 'pull_request' }, "did not run this repository's own code (a pull request): it was started by a pull_request event."]
  ])('refuses a run-id that names %s before reading any of its artifacts', (what, origin, why) =>
    forgedCase(`run-id of ${what}`, async () => {
      const forgedRun = await bed.save(origin, await stage('chosen-run', minutesFromNow(0)))
      const requestsBefore = bed.service().requests.length
      const refusal = await inRun(bed.service().newRun(), () => bed.store(recordingLogger(), { runId: forgedRun.runId }).list()).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(refusal).toBeInstanceOf(StoreError)
      expect((refusal as StoreError).message).toContain(`Workflow run ${forgedRun.runId} (run-id) ${why}`)
      expect((refusal as StoreError).hint).toContain('set run-id to a run of your backup workflow (push, schedule or workflow_dispatch)')
      const touched = bed
        .service()
        .requests.slice(requestsBefore)
        .map(request => request.path)
      expect(touched.filter(path => path.includes('artifact') || path.includes('Artifact'))).toEqual([])
    })
  )

  test('reads a run-id that names a scheduled run of the repository', async () => {
    const genuine = await stage('chosen-run-genuine', minutesFromNow(-10))
    const run = await bed.save({ event: 'schedule' }, genuine)
    const listed = await inRun(bed.service().newRun(), () => bed.store(recordingLogger(), { runId: run.runId }).list())
    expect(ids(listed)).toEqual([genuine.backupId])
  })

  test('refuses a run-id it cannot check (a token the API rejects), naming the token as the fix', async () => {
    const run = await bed.save({ event: 'schedule' }, await stage('chosen-run-unchecked', minutesFromNow(-10)))
    const refusal = await inRun(bed.service().newRun(), () => bed.store(recordingLogger(), { runId: run.runId, token: 'ghs_wrong' }).list()).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(refusal).toBeInstanceOf(StoreError)
    expect((refusal as StoreError).message).toContain(`Workflow run ${run.runId} (run-id) could not be checked: the GitHub API answered HTTP 401.`)
    expect((refusal as StoreError).hint).toContain('check that github-token has `actions: read` on this repository')
  })
})

describe('GitHub artifacts: a run listing too large to read', () => {
  // A service of its own: 60,000 artifacts in the shared one would slow every repository-wide listing after.
  const bed = bedOnItsOwnService()

  test('fails at once past 16 MiB, saying so, instead of being retried as if the service had failed', async () => {
    const run = bed.service().newRun({ event: 'schedule' })
    bed.service().addArtifacts(run, `flood-${'x'.repeat(100)}`, 60_000) // about 19 MB of listing
    const logger = recordingLogger()
    await expect(inRun(run, () => bed.store(logger).list({ hostId: 'flooded-run' }))).rejects.toThrow(
      /ListArtifacts: the artifact service's answer is larger than 16 MiB \(.*a larger chunk-size makes fewer\)/
    )
    expect(linesStarting(logger, 'warning:')).toEqual([])
  })
})

/** Its own emulator, so the failing look-up hits only the one run that holds a backup there (the listing path only: no run-id). */
describe('GitHub artifacts: a run the API cannot describe', () => {
  const bed = bedOnItsOwnService()

  test('is not trusted: its backup is left out while the run look-up fails, and listed once it works', () =>
    forgedCase('backup from a run that cannot be checked', async () => {
      const backup = await stage('unchecked-run', minutesFromNow(-10))
      const run = await bed.save({ event: 'schedule' }, backup)
      bed.service().faults.add({ target: 'rest-run', kind: 'http-500', times: 'always' })
      const logger = recordingLogger()
      try {
        expect(await inRun(bed.service().newRun(), () => bed.store(logger).list())).toEqual([])
      } finally {
        bed.service().faults.clear()
      }
      expect(linesStarting(logger, 'info: Ignored ')).toEqual([
        `info: Ignored 1 backup manifest among the repository's artifacts that its own workflows did not upload: from runs that could not be checked (run ${run.runId}).`
      ])
      expect(linesStarting(logger, `warning: Checking workflow run ${run.runId} failed (GET `).filter(line => line.includes(`/actions/runs/${run.runId}: HTTP 500); retrying`))).toHaveLength(3)
      expect(ids(await inRun(bed.service().newRun(), () => bed.store(recordingLogger()).list()))).toEqual([backup.backupId])
    }))
})

describe('local directory store', () => {
  let root: string
  let logger: RecordingLogger
  let store: LocalDirectoryStore
  beforeEach(async () => {
    root = await mkdtemp(join(scratch, 'local-store-'))
    logger = recordingLogger()
    store = new LocalDirectoryStore(root, logger)
  })
  const setManifestTime = (request: SaveRequest, at: Date): Promise<void> => utimes(join(root, request.backupId, request.manifestFile), at, at)

  test('orders backups newest first by the manifest mtime, ties by backup id, not by the stamp', async () => {
    const [stampedLatest, stampedEarliest, stampedBetween] = [await stage('mtime', minutesFromNow(-60)), await stage('mtime', minutesFromNow(-120)), await stage('mtime', minutesFromNow(-90))]
    for (const request of [stampedLatest, stampedEarliest, stampedBetween]) await store.save(request)
    await setManifestTime(stampedLatest, minutesFromNow(-50))
    await setManifestTime(stampedEarliest, minutesFromNow(-10))
    await setManifestTime(stampedBetween, minutesFromNow(-10))
    expect(ids(await store.list())).toEqual([stampedBetween, stampedEarliest, stampedLatest].map(request => request.backupId))
    expect(linesStarting(logger, 'warning:')).toEqual([])
  })

  test('refuses a backup stamped later than its manifest mtime (beyond ten minutes), warning once by name, and deletes nothing', () =>
    forgedCase('future-stamped backup id (local directory)', async () => {
      const genuine = await stage('local-future', minutesFromNow(-60))
      const runnerClockFast = await stage('local-future', minutesFromNow(5))
      const aheadOfNow = await stage('local-future', minutesFromNow(60))
      const aheadOfItsFile = await stage('local-future', minutesFromNow(-60))
      for (const request of [genuine, runnerClockFast, aheadOfNow, aheadOfItsFile]) await store.save(request)
      await setManifestTime(genuine, minutesFromNow(-55))
      await setManifestTime(aheadOfItsFile, minutesFromNow(-180))
      expect(ids(await store.list())).toEqual([runnerClockFast.backupId, genuine.backupId])
      expect(ids(await store.list({ app: 'tabby' }))).toEqual([runnerClockFast.backupId, genuine.backupId])
      const warnings = linesStarting(logger, 'warning:')
      expect(warnings).toHaveLength(2)
      expect(warnings.find(line => line.includes(aheadOfNow.backupId))).toContain('later than the store created it')
      expect(warnings.find(line => line.includes(aheadOfItsFile.backupId))).toContain('later than the store created it')
      expect((await readdir(root)).sort()).toEqual([genuine, runnerClockFast, aheadOfNow, aheadOfItsFile].map(request => request.backupId).sort())
    }))
})

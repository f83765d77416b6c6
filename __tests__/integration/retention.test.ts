/**
 * Retention through each real store: 130 nightly backups (one tiny part each, signed manifests) stored
 * with the store's own code, then keep-daily 7 keep-weekly 4 keep-monthly 12. Exactly the policy's picks
 * stay, plus what the pipeline protects whatever the policy says: the backups an incremental chain of a
 * kept backup builds on, and the newest drill-verified backup. A forged backup is never touched.
 *
 * 130 nights reach back into July, so every rule of the policy picks something (monthly: July to
 * October); the policy over a whole 400-night year and its 12-month limit is the unit test's
 * (unit/pipeline/retention.test.ts). What is each store's own here is listing, reading and deleting many
 * backups: 260 artifacts span three pages of the REST listing. Each backup stored costs real uploads
 * and a signature check per listing, so 400 of them took minutes of a 2-core test run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { StagedBackup } from '../support/store-fixtures.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { newBackupId, type Manifest } from '../../src/kernel/manifest.js'
import { runPrune, type PruneResult } from '../../src/pipeline/prune.js'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import { S3ObjectStore } from '../../src/store/s3.js'
import type * as StoreSettingsModule from '../../src/store/settings.js'
import type { Store } from '../../src/store/store.js'
import { startResultsService, type ResultsService, type RunContext } from '../support/results-service/index.js'
import { startS3Bed, type S3Bed } from '../support/s3-bed.js'
import { testTrust } from '../support/signing-key.js'
import { setEnvironment, stageBackup } from '../support/store-fixtures.js'
import { recordingLogger } from '../support/transport-probes.js'
import { LAST_NIGHT, NIGHTLY_POLICY, NIGHTLY_POLICY_KEEPS } from '../support/retention-nights.js'

const DAY_MS = 86_400_000
/** Nights stored, the last on LAST_NIGHT. */
const NIGHTS = 130
const LAST = Date.parse(LAST_NIGHT)
const POLICY = NIGHTLY_POLICY
const dayOf = (offset: number): Date => new Date(LAST - offset * DAY_MS)
/** Ids carry a random suffix: made once per date, so chains can name the backups they build on. */
const IDS = new Map(Array.from({ length: NIGHTS }, (_, index) => dayOf(index)).map(date => [date.toISOString().slice(0, 10), newBackupId('tabby', 'nightly', date)]))
const idOf = (date: string): string => IDS.get(date)!

/** The chain: a full backup on 11-27, then increments up to the newest (each lists all it builds on). */
const CHAIN_START = '2026-11-27'
const DRILLED = '2026-10-15'

/** Not kept by the policy, kept by the pipeline: 11-28 and 11-27 are links of the chains of 11-29…12-05. */
const PROTECTED = { '2026-11-28': 'needed by', '2026-11-27': 'needed by', [DRILLED]: 'the newest drill-verified backup' }

function manifestFields(date: Date): Partial<Manifest> {
  const iso = date.toISOString().slice(0, 10)
  const fields: Partial<Manifest> = { verification: { method: iso === DRILLED ? 'drill' : 'checksum', ok: true } }
  const start = Date.parse(`${CHAIN_START}T02:00:00Z`)
  const level = Math.round((date.getTime() - start) / DAY_MS)
  if (level > 0) {
    const chain = Array.from({ length: level }, (_, index) => idOf(new Date(start + index * DAY_MS).toISOString().slice(0, 10)))
    fields.incremental = { level, chain, baseStartedAt: new Date(start).toISOString(), fullEveryDays: 30 }
  }
  return fields
}

let scratch: string
let s3: S3Bed
let service: ResultsService
let settingsModule: typeof StoreSettingsModule
/** The backups, oldest first, staged (and signed) once; each store saves the same files. */
let nights: StagedBackup[]

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'retention-'))
  ;[s3, service] = await Promise.all([startS3Bed(), startResultsService()])
  setEnvironment({ GITHUB_API_URL: service.apiUrl })
  settingsModule = await import('../../src/store/settings.js')
  const dir = join(scratch, 'staging')
  await mkdir(dir)
  nights = []
  for (let start = 0; start < NIGHTS; start += 16) {
    const batch = Array.from({ length: Math.min(16, NIGHTS - start) }, (_, offset) => {
      const date = dayOf(NIGHTS - 1 - start - offset)
      return stageBackup(dir, 'tabby', 'nightly', date, { tiny: true, manifest: manifestFields(date), backupId: idOf(date.toISOString().slice(0, 10)) })
    })
    nights.push(...(await Promise.all(batch)))
  }
}, 180_000)

afterAll(async () => {
  await s3?.stop()
  await service?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

/** Stores backups `from` to `to` (exclusive), `parallel` at a time, each with `save` (what a backup run ends with). */
async function fill(store: Store, parallel: number, from = 0, to = NIGHTS): Promise<void> {
  for (let start = from; start < to; start += parallel) await Promise.all(nights.slice(start, Math.min(start + parallel, to)).map(staged => store.save(staged.request)))
}

async function prune(store: Store, dryRun: boolean): Promise<PruneResult> {
  return runPrune({ store, target: { app: 'tabby', hostId: 'nightly' }, policy: POLICY, dryRun, reading: { workRoot: scratch, trust: testTrust() }, logger: recordingLogger() })
}

/** The policy's picks over 400 nights (NIGHTLY_POLICY_KEEPS) are its picks over the newest NIGHTS, minus the older days. */
async function expectRetention(store: Store): Promise<void> {
  const oldest = dayOf(NIGHTS - 1)
    .toISOString()
    .slice(0, 10)
  const expected = [...NIGHTLY_POLICY_KEEPS.filter(date => date >= oldest), ...Object.keys(PROTECTED)].map(idOf).sort().reverse()
  expect((await store.list({ app: 'tabby', hostId: 'nightly' })).length).toBe(NIGHTS)
  const done = await prune(store, false)
  expect(done.kept.map(kept => kept.backupId)).toEqual(expected)
  for (const [date, reason] of Object.entries(PROTECTED)) expect(done.kept.find(kept => kept.backupId === idOf(date))?.reasons.join(', ')).toContain(reason)
  expect(done.kept.find(kept => kept.backupId === idOf('2026-12-05'))?.reasons).toEqual(['daily 2026-12-05', 'weekly 2026-W49', 'monthly 2026-12', 'the newest backup'])
  expect(done.deleted).toHaveLength(NIGHTS - expected.length)
  expect(done.refused).toEqual([])
  expect(
    (await store.list({ app: 'tabby', hostId: 'nightly' }))
      .map(backup => backup.backupId)
      .sort()
      .reverse()
  ).toEqual(expected)
  // Applying the same policy again deletes nothing more.
  expect((await prune(store, false)).deleted).toEqual([])
}

test('local directory store', async () => {
  const store = new LocalDirectoryStore(join(scratch, 'local-store'), recordingLogger())
  await fill(store, 20)
  await expectRetention(store)
}, 300_000)

test('S3 store', async () => {
  const bucket = await s3.createBucket('retention')
  const store = new S3ObjectStore(s3.settings(bucket, 'tabby/'), recordingLogger())
  await fill(store, 16)
  await expectRetention(store)
}, 300_000)

/** The variables a step of `run` sees, on process.env (the in-process artifact client reads them there), while `work` runs. */
async function inRun<T>(run: RunContext, work: () => Promise<T>): Promise<T> {
  const leave = setEnvironment({ ...run.env(), RUNNER_TEMP: scratch })
  try {
    return await work()
  } finally {
    leave()
  }
}

const githubStore = (): Store => settingsModule.createStore({ kind: 'github', retentionDays: 90, token: service.githubToken }, process.env, recordingLogger())

test('GitHub artifacts store: backups of three workflow runs, pruned from a later run through the REST API', async () => {
  // A job may upload 500 artifacts; 50 backups of two files each per run stays well below.
  for (let from = 0; from < NIGHTS; from += 50) await inRun(service.newRun(), () => fill(githubStore(), 25, from, Math.min(from + 50, NIGHTS)))
  await inRun(service.newRun(), () => expectRetention(githubStore()))
}, 600_000)

/**
 * storage-budget against the artifact emulator: the repository's artifacts as the REST API lists them
 * (backups and other artifacts alike), what retention would free once the next backup exists, and the
 * next backup at the size of the last one.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BudgetError, checkBudget, usageLine } from '../../src/pipeline/budget.js'
import type * as StoreSettingsModule from '../../src/store/settings.js'
import type { Store } from '../../src/store/store.js'
import { startResultsService, type ResultsService, type RunContext } from '../support/results-service/index.js'
import { testTrust } from '../support/signing-key.js'
import { setEnvironment, stageBackup } from '../support/store-fixtures.js'
import { recordingLogger } from '../support/transport-probes.js'

const MIB = 1024 * 1024
/** stageBackup's two parts (96 KiB and 640 KiB + 17 B) and a manifest of a few hundred bytes. */
const BACKUP_BYTES = { min: 736 * 1024, max: 740 * 1024 }
const NONE = { last: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 }

let scratch: string
let service: ResultsService
let settingsModule: typeof StoreSettingsModule
let later: RunContext

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'budget-'))
  service = await startResultsService()
  setEnvironment({ GITHUB_API_URL: service.apiUrl })
  settingsModule = await import('../../src/store/settings.js')
  // Two nightly backups of one host in one run, one of another host, and an artifact of some other tool.
  const run = service.newRun()
  const leave = setEnvironment({ ...run.env(), RUNNER_TEMP: scratch })
  try {
    for (const [hostId, day] of [
      ['alpha', '2026-12-03'],
      ['alpha', '2026-12-04'],
      ['beta', '2026-12-04']
    ])
      await store().save((await stageBackup(scratch, 'tabby', hostId, new Date(`${day}T02:00:00Z`))).request)
  } finally {
    leave()
  }
  service.addArtifacts(run, 'coverage-report', 1)
  later = service.newRun()
}, 120_000)

afterAll(async () => {
  await service?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

function store(token = service.githubToken): Store {
  return settingsModule.createStore({ kind: 'github', token }, process.env, recordingLogger())
}

async function inLaterRun<T>(work: () => Promise<T>): Promise<T> {
  const leave = setEnvironment({ ...later.env(), RUNNER_TEMP: scratch })
  try {
    return await work()
  } finally {
    leave()
  }
}

const check = (budgetBytes: number, options: { onExceed?: 'fail' | 'warn'; keepLast?: number; logger?: ReturnType<typeof recordingLogger> } = {}) =>
  inLaterRun(() =>
    checkBudget({
      store: store(),
      target: { app: 'tabby', hostId: 'alpha' },
      budget: { bytes: budgetBytes, onExceed: options.onExceed ?? 'fail' },
      policy: { ...NONE, last: options.keepLast ?? 0 },
      reading: { workRoot: scratch, trust: testTrust() },
      logger: options.logger ?? recordingLogger()
    })
  )

test('adds up every artifact of the repository, and the next backup at the size of the last one of this app and host', async () => {
  const projection = await check(100 * MIB)
  expect(projection.storedBytes).toBeGreaterThanOrEqual(3 * BACKUP_BYTES.min + 1)
  expect(projection.storedBytes).toBeLessThanOrEqual(3 * BACKUP_BYTES.max + 1)
  expect(projection.expectedBytes).toBeGreaterThanOrEqual(BACKUP_BYTES.min)
  expect(projection.freedBytes).toBe(0)
  expect(projection.projectedBytes).toBe(projection.storedBytes + projection.expectedBytes)
})

test('a backup that would exceed the budget fails before anything is uploaded, saying what counts and how to fix it', async () => {
  const error = (await check(2 * MIB).catch((caught: unknown) => caught)) as BudgetError
  expect(error).toBeInstanceOf(BudgetError)
  expect(error.message).toMatch(
    /^Storage budget: 2\.\d+ MiB stored, and this backup \(about 73\d\.\d KiB, the size of the last one\) make 2\.\d+ MiB, more than the storage budget of 2\.0 MiB\. Nothing was uploaded\.$/
  )
  expect(error.hint).toContain('on-budget: warn')
})

test('with on-budget: warn it only warns', async () => {
  const logger = recordingLogger()
  const projection = await check(2 * MIB, { onExceed: 'warn', logger })
  expect(projection.projectedBytes).toBeGreaterThan(2 * MIB)
  expect(logger.lines.join('\n')).toMatch(/warning: Storage budget: .* more than the storage budget of 2\.0 MiB; going on \(on-budget: warn\)\./)
})

test('counts what retention deletes once this backup exists: keep-last 1 frees both earlier backups of the host', async () => {
  const projection = await check(2 * MIB, { keepLast: 1 })
  expect(projection.freedBytes).toBeGreaterThanOrEqual(2 * BACKUP_BYTES.min)
  expect(projection.projectedBytes).toBeLessThan(2 * MIB)
})

test('the summary line: what backups keep, the other artifacts apart, and when the oldest expires', async () => {
  const usage = await inLaterRun(() => store().usage!())
  expect(usage?.backups.map(backup => backup.hostId).sort()).toEqual(['alpha', 'alpha', 'beta'])
  expect(usage?.otherBytes).toBe(1)
  expect(usageLine(usage!)).toMatch(/^2\.\d+ MiB kept in 3 backups \(and 1 B of other artifacts\); the oldest kept backup expires \d{4}-\d{2}-\d{2}$/)
})

import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planIncremental, stateDirFor, type IncrementalPlan } from '../../src/pipeline/incremental.js'
import { chainRetentionDays } from '../../src/store/artifact-retention.js'
import type { Logger } from '../../src/kernel/log.js'
import { MANIFEST_FORMAT, manifestFileName, newBackupId, partFileName, type Manifest } from '../../src/kernel/manifest.js'
import { writeManifest } from '../../src/kernel/manifest-file.js'
import { testSigner, testTrust } from '../support/signing-key.js'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import { LocalTransport } from '../../src/transport/local.js'

let work: string
let dataRoot: string
let store: LocalDirectoryStore
const host = new LocalTransport({ sudo: false })
const lines: string[] = []
const logger: Logger = {
  info: line => lines.push(line),
  warning: line => lines.push(line),
  debug: () => undefined,
  group: async (_title, work) => work(),
  mask: () => undefined
}
const DAY = 86_400_000
const options = { root: '/data', exclude: ['models'] }

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'sb-incremental-plan-'))
  dataRoot = join(work, 'data')
  await mkdir(dataRoot)
  store = new LocalDirectoryStore(join(work, 'store'))
  lines.length = 0
})

afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

/** Stores a backup as core/backup.ts would, and leaves the host state files tar would have written. */
async function storeBackup(at: Date, incremental: Manifest['incremental'], backupOptions: Record<string, unknown> = options): Promise<string> {
  const backupId = newBackupId('tabby', host.hostId, at)
  const dir = await mkdtemp(join(work, 'staging-'))
  const file = partFileName(backupId, 'home', '.tar.zst')
  writeFileSync(join(dir, file), 'tar bytes')
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    backupId,
    app: 'tabby',
    host: host.label,
    hostId: host.hostId,
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    tool: { name: 'selfhost-backup', version: 'test' },
    options: backupOptions,
    parts: [{ name: 'home', file, kind: 'tar', compression: 'zstd', bytes: 9, sha256: 'a'.repeat(64), durationMs: 1, incremental: { level: incremental?.level ?? 0 } }],
    ...(incremental ? { incremental } : {})
  }
  await writeManifest(join(dir, manifestFileName(backupId)), manifest, await testSigner())
  await store.save({ backupId, dir, partFiles: [file], manifestFile: manifestFileName(backupId) })
  await mkdir(stateDirFor(dataRoot), { recursive: true })
  writeFileSync(join(stateDirFor(dataRoot), `home.${backupId}.snar`), 'GNU tar-1.34-2\n')
  return backupId
}

const plan = (now: Date, fullEveryDays = 7, planOptions: Record<string, unknown> = options): Promise<IncrementalPlan> =>
  planIncremental(
    host,
    store,
    { app: 'tabby', hostId: host.hostId, backupId: newBackupId('tabby', host.hostId, now), dataRoot, options: planOptions, startedAt: now },
    { enabled: true, fullEveryDays },
    { workRoot: work, trust: testTrust() },
    logger
  )

it('builds on the newest backup of the chain, and keeps only its snapshot files on the host', async () => {
  const start = new Date('2026-11-01T03:00:00Z')
  const base = await storeBackup(start, { level: 0, chain: [], baseStartedAt: start.toISOString(), fullEveryDays: 7 })
  const second = await storeBackup(new Date(start.getTime() + DAY), { level: 1, chain: [base], baseStartedAt: start.toISOString(), fullEveryDays: 7 })
  const next = await plan(new Date(start.getTime() + 2 * DAY))
  expect(next.level).toBe(2)
  expect(next.chain).toEqual([base, second])
  expect(next.snapshotFor('home').previous).toBe(join(stateDirFor(dataRoot), `home.${second}.snar`))
  expect(readdirSync(stateDirFor(dataRoot))).toEqual([`home.${second}.snar`])
})

it.each([
  ['the full backup is older than full-every', 7 * DAY, {}, /the chain's full backup is 7\.0 days old \(full-every: 7\)/],
  ['the options changed', DAY, { root: '/elsewhere' }, /the recipe options changed/]
])('starts a new chain when %s', async (_name, elapsed, changed, reason) => {
  const start = new Date('2026-11-01T03:00:00Z')
  await storeBackup(start, { level: 0, chain: [], baseStartedAt: start.toISOString(), fullEveryDays: 7 })
  const next = await plan(new Date(start.getTime() + elapsed), 7, { ...options, ...changed })
  expect(next.level).toBe(0)
  expect(next.reason).toMatch(reason)
  expect(next.snapshotFor('home').previous).toBeUndefined()
  expect(readdirSync(stateDirFor(dataRoot))).toEqual([])
})

it('starts a new chain after a backup taken without incremental', async () => {
  const start = new Date('2026-11-01T03:00:00Z')
  await storeBackup(start, undefined)
  const next = await plan(new Date(start.getTime() + DAY))
  expect(next.level).toBe(0)
  expect(next.reason).toMatch(/was not taken with incremental: true/)
  expect(existsSync(stateDirFor(dataRoot))).toBe(true)
})

it('gives every link of a chain the same expiry, never later than the full backup', () => {
  const base = { fullEveryDays: 7, baseStartedAt: '2026-11-01T03:00:00.000Z' } as IncrementalPlan
  const expiry = (now: Date, days: number): number => now.getTime() + days * DAY
  const baseTime = new Date(base.baseStartedAt)
  const baseExpiry = expiry(baseTime, chainRetentionDays(base, 30, baseTime))
  expect(chainRetentionDays(base, 30, baseTime)).toBe(37)
  for (const hours of [1, 23, 24, 50, 6 * 24 + 23]) {
    const now = new Date(baseTime.getTime() + hours * 3_600_000)
    const days = chainRetentionDays(base, 30, now)
    expect(days).toBeGreaterThanOrEqual(30)
    expect(expiry(now, days)).toBeLessThanOrEqual(baseExpiry)
  }
  expect(chainRetentionDays(base, undefined, baseTime)).toBe(90)
})

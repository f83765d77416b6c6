import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest, type TableDigest, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction, sshActionInputs, type ActionRun } from '../support/action-runner.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'
import type { Manifest } from '../../src/kernel/manifest.js'

let host: TestHost
let service: ResultsService
let base: string
let root: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby-incremental')
  base = made.base
  root = made.home.root
  host = await startTestHost()
  service = await startResultsService()
}, 180_000)

afterAll(async () => {
  await service?.stop()
  await host?.stop()
  if (base) await rm(base, { recursive: true, force: true })
})

const tabbyInputs = (extra: Record<string, string> = {}): Record<string, string> => ({ app: 'tabby', ...sshActionInputs(host), sudo: 'true', 'tabby-root': root, ...extra })

interface Taken {
  backupId: string
  manifest: Manifest
  tree: TreeFingerprint
  db: TableDigest
}

async function backupNow(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<Taken & { run: ActionRun }> {
  const tree = await treeOf(root)
  const db = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const run = await runAction('action.yml', { ...inputs, incremental: 'true' }, env, { githubToken: service.githubToken, keepRunnerTemp: true })
  expectSuccess(run)
  const manifest = JSON.parse(readFileSync(run.outputs.manifest, 'utf8')) as Manifest
  await rm(run.runnerTemp, { recursive: true, force: true })
  return { backupId: run.outputs['backup-id'], manifest, tree, db, run }
}

const partBytes = (taken: Taken, name: string): number => taken.manifest.parts.find(part => part.name === name)?.bytes ?? -1
const events = (): string[] => readdirSync(join(root, 'events')).sort()
const jobs = (): string[] => readdirSync(join(root, 'ee/jobs')).sort()

/** Additions, changes and deletions in every incremental part (events, jobs, home), a different mix each round. */
const CHANGES: (() => void)[] = [
  () => {
    writeFileSync(join(root, 'events/2025-01-01.json'), '{"event":"added"}\n')
    appendFileSync(join(root, 'events', events()[0]), '{"event":"appended"}\n')
    rmSync(join(root, 'events', events()[1]))
    mkdirSync(join(root, 'ee/jobs/NEWJOB'))
    writeFileSync(join(root, 'ee/jobs/NEWJOB/stdout.log'), 'new job\n')
    mkdirSync(join(root, 'extra'))
    writeFileSync(join(root, 'extra/notes.txt'), 'notes\n')
  },
  () => {
    rmSync(join(root, 'ee/jobs', jobs()[0]), { recursive: true })
    renameSync(join(root, 'events', events()[2]), join(root, 'events/renamed.json'))
    appendFileSync(join(root, 'config.toml'), '\n# changed\n')
    writeFileSync(join(root, 'extra/odd name\nwith newline'), 'odd\n')
  },
  () => {
    rmSync(join(root, 'extra'), { recursive: true })
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(200_000, 7))
    chmodSync(join(root, 'events/renamed.json'), 0o600)
    writeFileSync(join(root, 'ee/jobs/NEWJOB/stdout.log'), 'rewritten\n')
  }
]

it('full backup and three incrementals over ssh into artifacts; restoring any link gives that moment back, deletions included', async () => {
  const backupRun = service.newRun()
  const full = await backupNow(tabbyInputs(), backupRun.env())
  expect(full.manifest.incremental).toEqual({ level: 0, chain: [], baseStartedAt: full.manifest.startedAt, fullEveryDays: 7 })
  expect(full.run.stdout).toContain('Full backup (start of an incremental chain)')
  const taken: Taken[] = [full]
  const runIds = [backupRun.runId]
  for (const [index, change] of CHANGES.entries()) {
    change()
    // Each nightly backup is its own workflow run: the chain is found through the repository's artifacts.
    const run = service.newRun()
    runIds.push(run.runId)
    const next = await backupNow(tabbyInputs(), run.env())
    expect(next.manifest.incremental).toMatchObject({ level: index + 1, chain: taken.map(link => link.backupId), baseStartedAt: full.manifest.startedAt })
    for (const part of ['events', 'jobs', 'home']) expect(next.manifest.parts.find(record => record.name === part)?.incremental).toEqual({ level: index + 1 })
    // Only what changed travels: a fraction of the full tarball.
    expect(partBytes(next, 'events')).toBeLessThan(partBytes(full, 'events') / 3)
    taken.push(next)
  }

  // The newest backup of this host, restored over a root that was changed since: the whole chain is applied.
  writeFileSync(join(root, 'events/stray-after-backup.json'), '{}\n')
  rmSync(join(root, 'ee/jobs/NEWJOB'), { recursive: true })
  const restoreRun = service.newRun()
  const newest = await runAction('restore/action.yml', { ...tabbyInputs(), 'safety-copy': 'false' }, restoreRun.env(), { githubToken: service.githubToken })
  expectSuccess(newest)
  expect(newest.outputs['backup-id']).toBe(taken[3].backupId)
  expect(newest.stdout).toContain('is incremental: fetching the 3 backups it builds on')
  expect(diffFingerprints(taken[3].tree, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(taken[3].db)

  // A link in the middle, by id and the run that made it: the chain before it comes from earlier runs.
  const middle = await runAction('restore/action.yml', { ...tabbyInputs(), 'backup-id': taken[1].backupId, 'run-id': String(runIds[1]), 'safety-copy': 'false' }, restoreRun.env(), {
    githubToken: service.githubToken
  })
  expectSuccess(middle)
  expect(diffFingerprints(taken[1].tree, await treeOf(root))).toEqual([])
})

it('takes a full backup again when the chain is broken, and refuses to restore an increment whose base is gone', async () => {
  const store = join(base, 'store')
  const inputs = tabbyInputs({ store: 'local', 'store-path': store })
  const full = await backupNow({ ...inputs, verify: 'checksum' })
  writeFileSync(join(root, 'events/2026-02-02.json'), '{"round":1}\n')
  const first = await backupNow(inputs)
  expect(first.manifest.incremental?.level).toBe(1)

  // The host lost its snapshot state (a reinstall): the next backup cannot build on it and starts over.
  const stateDirs = readdirSync(base).filter(name => name.startsWith('.selfhost-backup-state-'))
  expect(stateDirs).toHaveLength(1)
  rmSync(join(base, stateDirs[0]), { recursive: true })
  const restarted = await backupNow(inputs)
  expect(restarted.manifest.incremental?.level).toBe(0)
  expect(restarted.run.stdout).toMatch(/Full backup \(start of an incremental chain\): the host has no snapshot files of /)
  const onTop = await backupNow(inputs)
  expect(onTop.manifest.incremental?.chain).toEqual([restarted.backupId])

  // The full backup disappears from the store: its increment cannot be restored, and the host is untouched.
  rmSync(join(store, restarted.backupId), { recursive: true })
  writeFileSync(join(root, 'events/after.json'), '{}\n')
  const treeBefore = await treeOf(root)
  const refused = await runAction('restore/action.yml', { ...inputs, 'backup-id': onTop.backupId })
  expect(refused.exitCode).toBe(1)
  expect(refused.stdout).toMatch(new RegExp(`::error::.*${onTop.backupId} is incremental and builds on ${restarted.backupId}, which is not in the local store`))
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  // …and the next backup does not build on a chain with a hole in it.
  const afterHole = await backupNow(inputs)
  expect(afterHole.manifest.incremental?.level).toBe(0)
  expect(afterHole.run.stdout).toMatch(/of the chain is no longer in the store/)
  expect(full.backupId).not.toBe(afterHole.backupId)
})

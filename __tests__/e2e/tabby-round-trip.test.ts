import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { startTabbyWriter } from '../../scripts/fixtures/tabby-writer.mjs'
import { expectSuccess, runAction, sshActionInputs } from '../support/action-runner.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { compareRestoredDatabase, makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

let host: TestHost
let service: ResultsService
let base: string
let root: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome()
  base = made.base
  root = made.home.root
  // The login user finds Tabby through $TABBY_ROOT, as `tabby-root` is left empty below.
  host = await startTestHost({ setEnv: { TABBY_ROOT: root } })
  service = await startResultsService()
}, 180_000)

afterAll(async () => {
  await service?.stop()
  await host?.stop()
  if (base) await rm(base, { recursive: true, force: true })
})

const sshInputs = (): Record<string, string> => ({
  app: 'tabby',
  ...sshActionInputs(host)
})

it('backs up a busy live Tabby over ssh into artifacts, and restores it from another run after a wipe', async () => {
  const before = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const writer = startTabbyWriter(join(root, 'ee/db.sqlite'))
  await writer.ready
  await new Promise(resolve => setTimeout(resolve, 300))
  const commitsBeforeBackup = Number(execFileSync('sqlite3', [join(root, 'ee/db.sqlite'), 'SELECT commits FROM fixture_writer_progress'], { encoding: 'utf8' }).trim())
  const backupRun = service.newRun()
  const backup = await runAction('action.yml', sshInputs(), backupRun.env(), { keepRunnerTemp: true })
  const written = await writer.stop()
  expect(backup.stderr).toBe('')
  expectSuccess(backup)
  expect(written.commits).toBeGreaterThan(100)
  const backupId = backup.outputs['backup-id']
  expect(backupId).toMatch(/^tabby--127\.0\.0\.1-\d+--/)
  const artifacts = JSON.parse(backup.outputs.artifacts) as { name: string; id: string; url: string }[]
  expect(artifacts.map(artifact => artifact.name)).toEqual(['db.sqlite.zst', 'events.tar.zst', 'jobs.tar.zst', 'home.tar.zst', 'manifest.json'].map(suffix => `${backupId}.${suffix}`))
  const runUrl = `https://github.com/${service.repository}/actions/runs/${backupRun.runId}`
  expect(artifacts.map(artifact => artifact.url)).toEqual(artifacts.map(artifact => `${runUrl}/artifacts/${artifact.id}`))
  expect(Number(backup.outputs.bytes)).toBeGreaterThan(1000)
  expect(backup.outputs.encrypted).toBe('false')
  expect(backup.summary).toContain(`Backup ${backupId}`)
  // The summary's restore step names this backup and run; the runner named no action repository, so the placeholder.
  expect(backup.summary).toContain(`- uses: your-org/selfhost-backup/restore@v1\n  with:\n    app: tabby\n    backup-id: ${backupId}\n    run-id: ${backupRun.runId} `)
  expect(backup.summary).toContain(`[the artifacts of run ${backupRun.runId}](${runUrl})`)
  // The post step removed the key, known_hosts and control socket.
  expect(readdirSync(backup.runnerTemp).filter(entry => entry.startsWith('sb-ssh-'))).toEqual([])
  await rm(backup.runnerTemp, { recursive: true, force: true })

  const treeBefore = await treeOf(root)
  await rm(root, { recursive: true, force: true })

  const restoreRun = service.newRun()
  const restore = await runAction('restore/action.yml', { ...sshInputs(), 'run-id': String(backupRun.runId), 'github-token': service.githubToken }, restoreRun.env())
  expect(restore.stdout).toContain(`Restoring ${backupId}`)
  expectSuccess(restore)
  expect(restore.outputs['backup-id']).toBe(backupId)
  expect(restore.outputs.restored).toBe('true')
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  const restored = compareRestoredDatabase(join(root, 'ee/db.sqlite'), before, commitsBeforeBackup)
  expect(restored.problems).toEqual([])
  expect(restored.commits).toBeLessThanOrEqual(written.total)
  expect(existsSync(join(root, 'ee/db.sqlite-wal'))).toBe(false)
})

it('restores over live data after the stop-command by swap, keeps what it replaced beside it, runs the start-command last, and makes directories equal to the backup', async () => {
  const backupRun = service.newRun()
  const backup = await runAction('action.yml', sshInputs(), backupRun.env())
  expectSuccess(backup)
  const treeAtBackup = await treeOf(root)
  const digestAtBackup = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  const stray = join(root, 'events/stray.json')
  execFileSync('bash', ['-c', `echo stray > ${JSON.stringify(stray)}; sqlite3 ${JSON.stringify(join(root, 'ee/db.sqlite'))} "DELETE FROM user_events"`])

  // Each command appends a line to a log on the host: the stop line names every complete safety copy
  // (its manifest is written last) and both say whether the data has been replaced yet (the stray file is gone).
  const safetyParent = join(base, 'selfhost-backup-safety')
  const orderLog = join(base, 'restore-order.log')
  await rm(safetyParent, { recursive: true, force: true })
  await rm(orderLog, { force: true })
  const strayState = `if [ -e '${stray}' ]; then printf ' stray=present'; else printf ' stray=gone'; fi`
  const stopCommand = `{ printf stop; for manifest in '${safetyParent}'/*/*.manifest.json; do if [ -e "$manifest" ]; then printf ' safety-copy=%s' "$(basename -- "$(dirname -- "$manifest")")"; fi; done; ${strayState}; echo; } >> '${orderLog}'`
  const startCommand = `{ printf start; ${strayState}; echo; } >> '${orderLog}'`

  // Same run: found through the current run's artifacts, newest first.
  const restore = await runAction('restore/action.yml', { ...sshInputs(), 'stop-command': stopCommand, 'start-command': startCommand }, backupRun.env(), { githubToken: service.githubToken })
  expectSuccess(restore)
  expect(restore.outputs['backup-id']).toBe(backup.outputs['backup-id'])
  expect(diffFingerprints(treeAtBackup, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestAtBackup)
  // The safety copy is what the swaps replaced, renamed beside it: the stray event file among it, and the
  // database as it was when the stop-command ran. Nothing was copied into a safety directory first.
  const kept = JSON.parse(restore.outputs['safety-copy']) as string[]
  const stamp = restore.outputs['safety-copy-id']
  expect(kept).toEqual([
    join(root, `.selfhost-backup-replaced-${stamp}-1`),
    join(root, `.selfhost-backup-replaced-${stamp}-2`),
    join(root, 'ee', `.selfhost-backup-replaced-${stamp}-3`),
    join(root, 'ee', `.selfhost-backup-replaced-${stamp}-4`)
  ])
  expect(await readFile(join(kept[1], 'old', 'events', 'stray.json'), 'utf8')).toBe('stray\n')
  expect(sqliteTableDigest(join(kept[3], 'old', 'db.sqlite'))).not.toEqual(digestAtBackup)
  for (const dir of kept) expect(restore.stdout).toContain(dir)
  expect(existsSync(safetyParent)).toBe(false)
  expect(await readFile(orderLog, 'utf8')).toBe('stop stray=present\nstart stray=gone\n')
})

interface RestArtifact {
  name: string
  created_at: string
  expires_at: string
}

/** The earliest expiry among a run's artifacts, in epoch milliseconds: when the backup they hold is gone. */
const earliestExpiry = (artifacts: RestArtifact[]): number => Math.min(...artifacts.map(artifact => Date.parse(artifact.expires_at)))

async function artifactsOfRun(runId: number): Promise<RestArtifact[]> {
  const response = await fetch(`${service.apiUrl}/repos/${service.repository}/actions/runs/${runId}/artifacts?per_page=100`, { headers: { authorization: `Bearer ${service.githubToken}` } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { artifacts: RestArtifact[] }).artifacts
}

/** Days from an artifact's creation to its expiry, as the service recorded them. */
const keptDays = (artifact: RestArtifact): number => (Date.parse(artifact.expires_at) - Date.parse(artifact.created_at)) / 86_400_000

it('asks the artifact service to keep every artifact retention-days days, and leaves the repository default without it', async () => {
  const shortRun = service.newRun()
  const short = await runAction('action.yml', { ...sshInputs(), 'retention-days': '3' }, shortRun.env())
  expectSuccess(short)
  const defaultRun = service.newRun()
  const plain = await runAction('action.yml', sshInputs(), defaultRun.env())
  expectSuccess(plain)

  for (const [run, backup, days] of [
    [shortRun, short, 3],
    [defaultRun, plain, 90]
  ] as const) {
    // The REST listing is newest first; compared by name.
    const artifacts = (await artifactsOfRun(run.runId)).sort((left, right) => left.name.localeCompare(right.name))
    const stored = (JSON.parse(backup.outputs.artifacts) as { name: string }[]).map(artifact => artifact.name).sort((left, right) => left.localeCompare(right))
    expect(stored).toHaveLength(5)
    // closeTo(days, 2): within 0.005 days (about 7 minutes) of the requested retention.
    expect(artifacts.map(artifact => [artifact.name, keptDays(artifact)])).toEqual(stored.map(name => [name, expect.closeTo(days, 2)]))
    // expires-at is computed (no token here to read it back) from just before the first upload: at most seconds early.
    const early = earliestExpiry(artifacts) - Date.parse(backup.outputs['expires-at'])
    expect(early).toBeGreaterThanOrEqual(0)
    expect(early).toBeLessThan(60_000)
  }
})

it('prints the plan and changes nothing with dry-run', async () => {
  const run = service.newRun()
  expectSuccess(await runAction('action.yml', sshInputs(), run.env()))
  execFileSync('bash', ['-c', `echo changed > ${JSON.stringify(join(root, 'config.toml'))}`])
  const treeBefore = await treeOf(root)
  const restore = await runAction('restore/action.yml', { ...sshInputs(), 'dry-run': 'true' }, run.env(), { githubToken: service.githubToken })
  expectSuccess(restore)
  expect(restore.outputs.restored).toBe('false')
  expect(restore.stdout).toMatch(/Plan:[\s\S]*db: replace/)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
})

it('storage-budget: a backup that would not fit stops before connecting or uploading; one that fits says what the backups take', async () => {
  expectSuccess(await runAction('action.yml', sshInputs(), service.newRun().env()))
  const blobsBefore = (await service.listStoredBlobs()).length
  const tight = await runAction('action.yml', { ...sshInputs(), 'storage-budget': '4K' }, service.newRun().env(), { githubToken: service.githubToken })
  expect(tight.exitCode).toBe(1)
  expect(tight.stdout).toMatch(
    /Storage budget: [\d.]+ [KM]iB stored, and this backup \(about [\d.]+ KiB, the size of the last one\) make [\d.]+ [KM]iB, more than the storage budget of 4\.0 KiB\. Nothing was uploaded\./
  )
  expect(tight.stdout).not.toContain('Backing up')
  expect((await service.listStoredBlobs()).length).toBe(blobsBefore)

  const roomyRun = service.newRun()
  const roomy = await runAction('action.yml', { ...sshInputs(), 'storage-budget': '1G' }, roomyRun.env(), { githubToken: service.githubToken })
  expectSuccess(roomy)
  // With a token and no retention-days, expires-at is what the service recorded for the backup's first artifact.
  expect(roomy.outputs['expires-at']).toBe(new Date(earliestExpiry(await artifactsOfRun(roomyRun.runId))).toISOString())
  expect(roomy.summary).toMatch(/\*\*Storage:\*\* [\d.]+ [KM]iB kept in \d+ backups; the oldest kept backup expires \d{4}-\d{2}-\d{2}/)
})

/**
 * A disaster recovery from a laptop while Actions itself is unavailable: the command-line tool reads the
 * backups a workflow stored as artifacts through the GitHub API alone (a token and --repository), lists
 * them, passes the gate and restores one; it refuses to write there.
 */
import { rm, writeFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, REPO_ROOT, runAction, runNode } from '../support/action-runner.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { testSigningKey } from '../support/signing-key.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

const cli = join(REPO_ROOT, 'dist/cli/index.js')
let service: ResultsService
let base: string
let root: string
let laptop: string

beforeAll(async () => {
  service = await startResultsService()
  const made = await makeRootOwnedTabbyHome('tabby-laptop', { eventDays: 2 })
  base = made.base
  root = made.home.root
  laptop = await mkdtemp(join(tmpdir(), 'sb-laptop-'))
  await writeFile(join(laptop, 'token'), service.githubToken, { mode: 0o600 })
}, 120_000)

afterAll(async () => {
  await service?.stop()
  for (const dir of [base, laptop]) if (dir) await rm(dir, { recursive: true, force: true })
})

/** Only what a laptop has: no runner, no runtime token; the API address stands in for api.github.com. */
const laptopEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: laptop, TMPDIR: laptop, GITHUB_API_URL: service.apiUrl })
const fromLaptop = (): string[] => ['--store', 'github', '--repository', service.repository, '--github-token-file', join(laptop, 'token'), '--signing-key-file', testSigningKey().file]

it('lists, checks and restores backups stored as artifacts, from outside any workflow run', async () => {
  const run = service.newRun()
  const backup = await runAction('action.yml', { app: 'tabby', transport: 'local', 'tabby-root': root, verify: 'drill' }, run.env())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']

  const list = await runNode(cli, laptopEnv(), ['list', ...fromLaptop(), '--json'])
  expect(list.exitCode).toBe(0)
  expect(JSON.parse(list.stdout).map((listed: { backupId: string }) => listed.backupId)).toEqual([backupId])

  const gate = await runNode(cli, laptopEnv(), ['check', '--app', 'tabby', '--max-age', '1h', ...fromLaptop(), '--json'])
  expect([gate.exitCode, gate.stderr]).toEqual([0, expect.any(String)])
  expect(JSON.parse(gate.stdout)).toMatchObject({ backupId, verified: true })

  const before = await treeOf(root)
  await rm(join(root, 'events'), { recursive: true, force: true })
  const restore = await runNode(cli, laptopEnv(), ['restore', '--app', 'tabby', '--tabby-root', root, '--backup-id', backupId, ...fromLaptop()])
  expect([restore.exitCode, restore.stderr]).toEqual([0, expect.any(String)])
  expect(diffFingerprints(before, await treeOf(root))).toEqual([])
})

it('says what is missing outside a workflow run: the token, the repository; and refuses to write artifacts', async () => {
  const noToken = await runNode(cli, laptopEnv(), ['list', '--store', 'github', '--repository', service.repository, '--signing-key-file', testSigningKey().file])
  expect([noToken.exitCode, noToken.stderr]).toEqual([2, expect.stringContaining('--github-token-file PATH')])
  const noRepository = await runNode(cli, laptopEnv(), ['list', '--store', 'github', '--github-token-file', join(laptop, 'token'), '--signing-key-file', testSigningKey().file])
  expect([noRepository.exitCode, noRepository.stderr]).toEqual([2, expect.stringContaining("Input 'repository'")])
  const write = await runNode(cli, laptopEnv(), ['backup', '--app', 'tabby', '--tabby-root', root, ...fromLaptop()])
  expect([write.exitCode, write.stderr]).toEqual([2, expect.stringContaining('can be written only by a step of a workflow run')])
})

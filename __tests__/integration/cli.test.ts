import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT, runNode } from '../support/action-runner.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

const cli = join(REPO_ROOT, 'dist/cli/index.js')
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' }
let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-cli-store-'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

it('prints every option of both commands with --help', async () => {
  const help = await runNode(cli, env, ['--help'])
  expect(help.exitCode).toBe(0)
  for (const option of ['--tabby-root', '--backup-id', '--safety-copy', '--ssh-key-file', '--store-path']) expect(help.stdout).toContain(option)
})

it('backs up, lists only complete backups, and restores with the local store', async () => {
  const backup = await runNode(cli, env, ['backup', '--app', 'tabby', '--tabby-root', root, '--store-path', store])
  expect(backup.exitCode).toBe(0)
  const backupId = /Backup (tabby--\S+) complete/.exec(backup.stdout)?.[1]
  expect(backupId).toBeDefined()
  const list = await runNode(cli, env, ['list', '--store-path', store])
  expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^${backupId}\\t`))
  const restore = await runNode(cli, env, ['restore', '--app', 'tabby', '--tabby-root', root, '--store-path', store, '--dry-run', 'true'])
  expect(restore.exitCode).toBe(0)
  expect(restore.stdout).toContain('dry-run: nothing on the host was changed')
})

it('rejects an unknown flag and a secret passed as a plain flag value stays out of errors', async () => {
  const unknown = await runNode(cli, env, ['backup', '--colour', 'blue'])
  expect(unknown.exitCode).toBe(1)
  expect(unknown.stderr).toMatch(/Input 'colour': is not an option of backup/)
  const missingFile = await runNode(cli, env, ['backup', '--transport', 'ssh', '--ssh-key-file', '/nonexistent/key'])
  expect(missingFile.exitCode).toBe(1)
  expect(missingFile.stderr).toMatch(/cannot read the file/)
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectSuccess, runAction, sshActionInputs } from '../support/action-runner.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

let host: TestHost
let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-store-'))
  host = await startTestHost()
}, 120_000)

afterAll(async () => {
  await host?.stop()
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

const inputs = (): Record<string, string> => ({
  app: 'tabby',
  ...sshActionInputs(host),
  'tabby-root': root,
  store: 'local',
  'store-path': store
})

it('reaches the host through a jump host with the same key and strict host key checking', async () => {
  const run = await runAction('action.yml', { ...inputs(), 'jump-host': `${host.user}@127.0.0.1:${host.port}` })
  expectSuccess(run)
  expect(run.outputs['backup-id']).toMatch(/^tabby--/)
})

it('refuses a jump host whose key is not in known-hosts', async () => {
  const run = await runAction('action.yml', { ...inputs(), 'known-hosts': host.otherKnownHosts, 'jump-host': `${host.user}@127.0.0.1:${host.port}` })
  expect(run.exitCode).toBe(1)
  expect(run.stdout).toMatch(/Input 'known-hosts'/)
})

it('skips host key verification only when asked, and warns loudly', async () => {
  const run = await runAction('action.yml', { ...inputs(), 'known-hosts': '', 'insecure-skip-host-key-check': 'true' })
  expectSuccess(run)
  expect(run.stdout).toMatch(/::warning::insecure-skip-host-key-check is on: the identity of .* is NOT verified/)
})

it('fails with a clear error when the login user has no passwordless sudo', async () => {
  const noSudo = await startTestHost({ user: 'sbtest-nosudo', sudo: false })
  try {
    const run = await runAction('action.yml', { ...inputs(), port: String(noSudo.port), user: noSudo.user, 'ssh-key': noSudo.clientPrivateKey, 'known-hosts': noSudo.knownHosts })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/passwordless sudo/)
  } finally {
    await noSudo.stop()
  }
})

it('finds Tabby with app: auto, and names the app input when it finds nothing', async () => {
  const found = await runAction('action.yml', { ...inputs(), app: 'auto' })
  expectSuccess(found)
  expect(found.stdout).toMatch(/app: auto found Tabby \(found .*ee\/db\.sqlite\)/)
  const nothing = await runAction('action.yml', { ...inputs(), app: 'auto', 'tabby-root': '' })
  expect(nothing.exitCode).toBe(1)
  expect(nothing.stdout).toMatch(/Input 'app': no supported application was found .*How to fix: set `app`/)
})

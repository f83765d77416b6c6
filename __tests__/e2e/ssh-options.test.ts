import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectSuccess, runAction, sshActionInputs, type ActionRun, sweepProcessesForSecrets } from '../support/action-runner.js'
import { findFreePort } from '../support/free-port.js'
import { canConnect, startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

// Secrets travel in this file's runs: watch every process's command line and environment too.
sweepProcessesForSecrets()

let host: TestHost
/**
 * A second, separate sshd as the bastion, with its own host key and its own login user. The action
 * uses one key and one known-hosts for both hops, so the bastion authorizes the target's client key
 * and known-hosts carries both host keys. DEBUG1 makes it log every forwarding it is asked for.
 */
let jump: TestHost
let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-store-'))
  host = await startTestHost()
  jump = await startTestHost({ user: 'sbjump', sudo: false, logLevel: 'DEBUG1' })
  await writeFile(join(jump.tempDir, 'authorized_keys'), `${host.clientPublicKey}\n`, { mode: 0o644 })
}, 120_000)

afterAll(async () => {
  await jump?.stop()
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

/** What the bastion's sshd logged while `work` ran (its log only grows). */
async function jumpLogDuring(work: () => Promise<ActionRun>): Promise<{ run: ActionRun; log: string }> {
  const before = (await readFile(jump.logFile, 'utf8')).length
  const run = await work()
  return { run, log: (await readFile(jump.logFile, 'utf8')).slice(before) }
}

const jumpInputs = (jumpHost: string, knownHosts = `${host.knownHosts}\n${jump.knownHosts}`): Record<string, string> => ({ ...inputs(), 'known-hosts': knownHosts, 'jump-host': jumpHost })

const errorLine = (run: ActionRun): string => run.stdout.split('\n').find(line => line.startsWith('::error::')) ?? ''

it('reaches the target through a separate jump host, logging in there as the jump user with the same key', async () => {
  // sshd logs a key as ssh-keygen -l shows it: SHA256 of the key blob, base64 without padding.
  const fingerprint = `SHA256:${createHash('sha256')
    .update(Buffer.from(host.clientPublicKey.split(' ')[1], 'base64'))
    .digest('base64')
    .replace(/=+$/, '')}`
  const { run, log } = await jumpLogDuring(() => runAction('action.yml', jumpInputs(`${jump.user}@127.0.0.1:${jump.port}`)))
  expectSuccess(run)
  expect(run.outputs['backup-id']).toMatch(/^tabby--/)
  // The bastion authenticated the action's key as the jump-host's user (not the target's user)...
  expect(log).toContain(`Accepted publickey for ${jump.user} from 127.0.0.1 port `)
  expect(log).toMatch(new RegExp(`Accepted publickey for ${jump.user} .*ED25519 ${fingerprint.replace(/[+/]/g, '\\$&')}`))
  // ...and was asked to open the TCP connection to the target's sshd: the run went through it.
  expect(log).toMatch(new RegExp(`server_request_direct_tcpip: originator [^\n]*, target 127\\.0\\.0\\.1 port ${host.port}\\r?$`, 'm'))
})

it('fails when nothing answers at the jump host, though the target itself is reachable directly', async () => {
  const direct = await runAction('action.yml', inputs())
  expectSuccess(direct)
  const deadPort = await findFreePort()
  expect(await canConnect(deadPort)).toBe(false)
  const run = await runAction('action.yml', jumpInputs(`127.0.0.1:${deadPort}`))
  expect(run.exitCode).toBe(1)
  expect(run.outputs['backup-id']).toBeUndefined()
  expect(run.stdout).toMatch(/::error::Input 'jump-host': cannot reach the jump host /)
})

it("names jump-host and the bastion's address when nothing answers there", async () => {
  const deadPort = await findFreePort()
  const run = await runAction('action.yml', jumpInputs(`127.0.0.1:${deadPort}`))
  expect(run.exitCode).toBe(1)
  expect(run.stdout).toMatch(/::error::Input 'jump-host'/)
  expect(errorLine(run)).toContain(`127.0.0.1:${deadPort}`)
})

it("refuses a jump host whose key is not in known-hosts, even though the target's key is", async () => {
  const { run, log } = await jumpLogDuring(() => runAction('action.yml', jumpInputs(`${jump.user}@127.0.0.1:${jump.port}`, host.knownHosts)))
  expect(run.exitCode).toBe(1)
  expect(run.stdout).toMatch(/::error::Input 'known-hosts'/)
  // The client stopped at the bastion's host key: it never logged in there, let alone forwarded.
  expect(log).toContain(`Connection from 127.0.0.1 port `)
  expect(log).not.toContain('Accepted publickey')
  expect(log).not.toContain('server_request_direct_tcpip')
})

it("names the jump host, not the target, when the jump host's key is missing from known-hosts", async () => {
  const run = await runAction('action.yml', jumpInputs(`${jump.user}@127.0.0.1:${jump.port}`, host.knownHosts))
  expect(run.exitCode).toBe(1)
  expect(errorLine(run)).toMatch(new RegExp(`127\\.0\\.0\\.1:${jump.port}|-p ${jump.port} `))
  expect(errorLine(run)).not.toContain(`ssh-keyscan -p ${host.port} `)
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

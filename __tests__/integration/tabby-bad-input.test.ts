import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort } from '../support/free-port.js'
import { expectSuccess, runAction, type ActionRun, sshActionInputs, visibleLog } from '../support/action-runner.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'

let host: TestHost
let service: ResultsService
let base: string
let root: string
let otherKey: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome()
  base = made.base
  root = made.home.root
  host = await startTestHost()
  service = await startResultsService()
  const keyDir = await mkdtemp(join(tmpdir(), 'sb-otherkey-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'key')])
  otherKey = await readFile(join(keyDir, 'key'), 'utf8')
  await rm(keyDir, { recursive: true, force: true })
}, 180_000)

afterAll(async () => {
  await service?.stop()
  await host?.stop()
  if (base) await rm(base, { recursive: true, force: true })
})

const sshInputs = (): Record<string, string> => ({
  app: 'tabby',
  ...sshActionInputs(host),
  'tabby-root': root
})

const createdArtifacts = (): number => service.requests.filter(request => request.path.endsWith('/CreateArtifact')).length

/** One clear error line naming the input, no artifact created, and the key nowhere in the visible log. */
function expectCleanFailure(run: ActionRun, pattern: RegExp, artifactsBefore: number): void {
  expect(run.exitCode).toBe(1)
  const errors = run.stdout.split('\n').filter(line => line.startsWith('::error::'))
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(pattern)
  expect(errors[0]).toMatch(/How to fix: /)
  expect(createdArtifacts()).toBe(artifactsBefore)
  expect(run.outputs['backup-id']).toBeUndefined()
  const visible = visibleLog(run)
  for (const line of host.clientPrivateKey.split('\n').filter(text => text.length > 20)) expect(visible).not.toContain(line)
  expect(run.summary).toMatch(/Backup failed|Restore failed/)
}

describe('backup refuses bad input before anything is uploaded', () => {
  it.each([
    ['an unknown app', () => ({ app: 'nextcloud' }), /Input 'app': "nextcloud" is not one of auto, tabby/],
    ['a missing key', () => ({ 'ssh-key': '' }), /Input 'ssh-key': is required/],
    ['a wrong key', () => ({ 'ssh-key': otherKey }), /Input 'ssh-key': .*refused the key/],
    ['a host key mismatch', () => ({ 'known-hosts': host.otherKnownHosts }), /Input 'known-hosts': the host key of .* is not the one in known-hosts/],
    ['a root without ee/db.sqlite', () => ({ 'tabby-root': base }), /has no ee\/db\.sqlite/]
  ])('%s', async (_case, change, pattern) => {
    const before = createdArtifacts()
    const run = await runAction('action.yml', { ...sshInputs(), ...change() }, service.newRun().env())
    expectCleanFailure(run, pattern, before)
  })

  it('an unreachable host', async () => {
    const before = createdArtifacts()
    const closedPort = await findFreePort()
    const run = await runAction('action.yml', { ...sshInputs(), port: String(closedPort) }, service.newRun().env())
    expectCleanFailure(run, /Input 'host': cannot reach .*Connection refused/, before)
  })
})

describe('restore refuses bad input before the host is touched', () => {
  it('a backup id that does not exist', async () => {
    const treeBefore = await treeOf(root)
    const run = await runAction('restore/action.yml', { ...sshInputs(), 'backup-id': 'tabby--127.0.0.1--20200101T000000Z-zzzz' }, service.newRun().env(), { githubToken: service.githubToken })
    expectCleanFailure(run, /Input 'backup-id': no complete backup tabby--127\.0\.0\.1--20200101T000000Z-zzzz was found/, createdArtifacts())
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  })

  it('a backup id of another app', async () => {
    const run = await runAction('restore/action.yml', { ...sshInputs(), 'backup-id': 'seatable--127.0.0.1--20200101T000000Z-zzzz' }, service.newRun().env(), { githubToken: service.githubToken })
    expectCleanFailure(run, /Input 'backup-id': .* is a seatable backup, but app is tabby/, createdArtifacts())
  })
})

describe('hostile strings reach no shell unquoted', () => {
  const marker = 'sb-pwned-marker'
  const hostileName = `it's "a" $(touch ${marker}) \`touch ${marker}\`; touch ${marker} & $HOME\nline`
  const hostileExclude = 'models,index,repositories,"odd"$(touch$' + `{IFS}${marker}),\`touch$` + `{IFS}${marker}\``
  const markerPlaces = (): string[] => [host.userHome, '/root', process.cwd(), '/', tmpdir()].map(dir => join(dir, marker))

  it('backs up and restores a Tabby root whose path is hostile, over ssh with sudo', async () => {
    const hostileBase = await mkdtemp(join(tmpdir(), 'sb-hostile-'))
    const hostileRoot = join(hostileBase, hostileName)
    execFileSync('cp', ['-a', root, hostileRoot])
    const store = join(hostileBase, `store $(touch ${marker}) 'q'`)
    try {
      const inputs = { ...sshInputs(), 'tabby-root': hostileRoot, exclude: hostileExclude, store: 'local', 'store-path': store }
      const backup = await runAction('action.yml', inputs)
      expectSuccess(backup)
      const treeBefore = await treeOf(hostileRoot)
      await rm(hostileRoot, { recursive: true, force: true })
      const { exclude: _unused, ...restoreInputs } = inputs
      const restore = await runAction('restore/action.yml', { ...restoreInputs, 'backup-id': backup.outputs['backup-id'] })
      expectSuccess(restore)
      expect(diffFingerprints(treeBefore, await treeOf(hostileRoot))).toEqual([])
      for (const place of markerPlaces()) expect(existsSync(place)).toBe(false)
    } finally {
      await rm(hostileBase, { recursive: true, force: true })
    }
  })
})

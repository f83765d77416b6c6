import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
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

  it('a safety-copy-dir that spans several lines', async () => {
    const treeBefore = await treeOf(root)
    const safetyDir = join(base, 'safety\n$(touch sb-pwned-marker)')
    const run = await runAction('restore/action.yml', { ...sshInputs(), 'safety-copy-dir': safetyDir }, service.newRun().env(), { githubToken: service.githubToken })
    expectCleanFailure(run, /Input 'safety-copy-dir': the value spans several lines; one line is expected/, createdArtifacts())
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    expect(readdirSync(base).filter(entry => entry.startsWith('safety'))).toEqual([])
  })

  it('a backup id of another app', async () => {
    const run = await runAction('restore/action.yml', { ...sshInputs(), 'backup-id': 'seatable--127.0.0.1--20200101T000000Z-zzzz' }, service.newRun().env(), { githubToken: service.githubToken })
    expectCleanFailure(run, /Input 'backup-id': .* is a seatable backup, but app is tabby/, createdArtifacts())
  })
})

describe('hostile strings reach no shell unquoted', () => {
  const marker = 'sb-pwned-marker'
  const hostileLine = `it's "a" $(touch ${marker}) \`touch ${marker}\`; touch ${marker} & $HOME`
  const hostileName = `${hostileLine}\nline`
  const hostileExclude = 'models,index,repositories,"odd"$(touch$' + `{IFS}${marker}),\`touch$` + `{IFS}${marker}\``
  const markerPlaces = (): string[] => [host.userHome, '/root', process.cwd(), '/', tmpdir()].map(dir => join(dir, marker))
  /** Files named like the marker anywhere under `dir` (the hostile names only contain it, inside longer names). */
  const markersUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(entry => basename(entry) === marker)
  const expectNoInjectedCommandRan = (hostileBase: string): void => {
    for (const place of markerPlaces()) expect(existsSync(place)).toBe(false)
    expect(markersUnder(hostileBase)).toEqual([])
  }

  it('backs up and restores a Tabby root whose path is hostile, with a hostile safety-copy-dir, over ssh with sudo', async () => {
    const hostileBase = await mkdtemp(join(tmpdir(), 'sb-hostile-'))
    const hostileRoot = join(hostileBase, hostileName)
    execFileSync('cp', ['-a', root, hostileRoot])
    const store = join(hostileBase, `store $(touch ${marker}) 'q'`)
    // One line: safety-copy-dir refuses line breaks up front (see 'restore refuses bad input').
    const safetyDir = join(hostileBase, `safety ${hostileLine}`)
    try {
      const inputs = { ...sshInputs(), 'tabby-root': hostileRoot, exclude: hostileExclude, store: 'local', 'store-path': store }
      const backup = await runAction('action.yml', inputs)
      expectSuccess(backup)
      const treeBefore = await treeOf(hostileRoot)
      const { exclude: _unused, ...restoreInputs } = inputs

      // Over live data: the safety copy of the changed root lands in the literal safety-copy-dir.
      await writeFile(join(hostileRoot, 'config.toml'), 'changed after the backup\n')
      const overLive = await runAction('restore/action.yml', { ...restoreInputs, 'backup-id': backup.outputs['backup-id'], 'safety-copy-dir': safetyDir })
      expectSuccess(overLive)
      expect(diffFingerprints(treeBefore, await treeOf(hostileRoot))).toEqual([])
      // What the swap replaced stays beside it under the hostile root; Tabby copies nothing into safety-copy-dir.
      // The root's name holds a line break itself: the output is a JSON list, so the path comes back whole.
      const [keptHome] = JSON.parse(overLive.outputs['safety-copy']) as string[]
      expect(keptHome).toBe(join(hostileRoot, `.selfhost-backup-replaced-${overLive.outputs['safety-copy-id']}-1`))
      expect(readFileSync(join(keptHome, 'old', 'config.toml'), 'utf8')).toBe('changed after the backup\n')
      expect(existsSync(safetyDir)).toBe(false)

      // Onto a wiped root: the hostile root is created again from nothing.
      await rm(hostileRoot, { recursive: true, force: true })
      const restore = await runAction('restore/action.yml', { ...restoreInputs, 'backup-id': backup.outputs['backup-id'] })
      expectSuccess(restore)
      expect(diffFingerprints(treeBefore, await treeOf(hostileRoot))).toEqual([])
      expectNoInjectedCommandRan(hostileBase)
    } finally {
      await rm(hostileBase, { recursive: true, force: true })
    }
  })

  it('backs up with the SQLite snapshot in a hostile host-temp-dir at its literal path, leaves it empty, and runs no injected command', async () => {
    const hostileBase = await mkdtemp(join(tmpdir(), 'sb-hostile-'))
    // One line: host-temp-dir refuses line breaks up front (see the next test).
    const tempDir = join(hostileBase, `tmp ${hostileLine}`)
    await mkdir(tempDir)
    const created: string[] = []
    const watcher = watch(tempDir, (_event, name) => {
      if (name) created.push(name)
    })
    try {
      const backup = await runAction('action.yml', { ...sshInputs(), 'host-temp-dir': tempDir, store: 'local', 'store-path': join(hostileBase, 'store') })
      watcher.close()
      expectSuccess(backup)
      expect(backup.outputs.verified).toBe('true')
      expect(created.some(name => name.startsWith('selfhost-backup-sqlite.'))).toBe(true)
      expect(readdirSync(tempDir)).toEqual([])
      expectNoInjectedCommandRan(hostileBase)
    } finally {
      watcher.close()
      await rm(hostileBase, { recursive: true, force: true })
    }
  })

  it('refuses a host-temp-dir that spans several lines before connecting', async () => {
    const hostileBase = await mkdtemp(join(tmpdir(), 'sb-hostile-'))
    try {
      const backup = await runAction('action.yml', { ...sshInputs(), 'host-temp-dir': join(hostileBase, hostileName), store: 'local', 'store-path': join(hostileBase, 'store') })
      expect(backup.exitCode).toBe(1)
      expect(backup.stdout).toMatch(/Input 'host-temp-dir': the value spans several lines; one line is expected/)
      expect(readdirSync(hostileBase)).toEqual([])
      expectNoInjectedCommandRan(hostileBase)
    } finally {
      await rm(hostileBase, { recursive: true, force: true })
    }
  })
})

/**
 * Issue 6, "Secrets": first proves the scanner finds a planted sentinel in every place it looks
 * (a scan that cannot find anything proves nothing), then runs a real Tabby backup and restore
 * over ssh with sudo into the emulated artifact store with every sentinel present, and finds none.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, runAction, sshActionInputs, type ActionRun, sweepProcessesForSecrets } from '../support/action-runner.js'
import { recordCase } from '../support/fault-report.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import {
  expectNoLeaks,
  registerDatabaseSecrets,
  registerHostSecrets,
  registerSecret,
  scanBlobs,
  scanShellHistory,
  secretScanner,
  secretScanTotals,
  SecretScanner,
  shellHistoryPaths,
  type Leak
} from '../support/secret-scan.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

// Secrets travel in this file's runs: watch every process's command line and environment too.
sweepProcessesForSecrets()

let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sb-secret-scan-'))
})

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

/** A private scanner: planted leaks must not reach the suite's closing table. */
function planted(): { scanner: SecretScanner; secret: string } {
  const scanner = new SecretScanner()
  const secret = `SBPW-planted-${randomBytes(12).toString('hex')}`
  scanner.register(secret, 'planted password')
  return { scanner, secret }
}

/** Starts `sleep` (killed by its pid in finally) and samples while it lives. */
async function sampleWhileSleeping(scanner: SecretScanner, options: { argv0?: string; env?: Record<string, string> }, runnerScript?: string) {
  const child: ChildProcess = spawn('sleep', ['600'], { argv0: options.argv0, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: 'ignore' })
  try {
    // 'spawn' fires once the exec succeeded, so the first sweep sees sleep's own command line. A
    // count of sweeps, not a time window: one sweep of /proc took over 150 ms on a loaded CI machine.
    await once(child, 'spawn')
    return await scanner.sampleCommandLines(Promise.resolve(), { runnerScript, minimumSweeps: 4 })
  } finally {
    child.kill('SIGKILL')
  }
}

describe('the secret scanner finds a planted sentinel', () => {
  it('in a log, by whole value and by any single line of a key, but not in an ::add-mask:: command', async () => {
    const { scanner, secret } = planted()
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'key')])
    const key = await readFile(join(scratch, 'key'), 'utf8')
    scanner.register(key, 'ssh key')
    const keyLines = key.trim().split('\n')
    expect(scanner.scanLog(`::add-mask::${secret}\nall fine\n`, 'masked log')).toEqual([])
    const leaks = scanner.scanLog(`starting\nerror: bad password ${secret}\n`, 'main step stdout')
    expect(leaks).toEqual([expect.objectContaining({ label: 'planted password', channel: 'log', where: 'main step stdout, line 2' })])
    // The third line holds key material; the first is the header every OpenSSH key shares, the armour is public.
    expect(scanner.scanText(`ssh said: ${keyLines[3]}`, 'stderr')).toEqual([expect.objectContaining({ label: 'ssh key (line 4)' })])
    expect(scanner.scanText(`${keyLines[0]}\n${keyLines[1]}\n${keyLines.at(-1)}`, 'armour only')).toEqual([])
    // The whole key is one leak, not one per line.
    expect(scanner.scanText(`dump:\n${key}`, 'summary')).toHaveLength(1)
    expect(JSON.stringify(scanner.leaks)).not.toContain(secret)
    expect(JSON.stringify(scanner.leaks)).not.toContain(keyLines[3])
  })

  it('in every runner file runAction scans, where only stdout drops ::add-mask:: commands', () => {
    const { scanner, secret } = planted()
    const leaks = scanner.scanRunnerFiles([
      { text: `::add-mask::${secret}\ndone`, where: 'main step stdout', channel: 'log', stdout: true },
      { text: `::add-mask::${secret}`, where: 'main step stderr', channel: 'log' },
      { text: `backup-id<<EOF\n${secret}\nEOF\n`, where: 'GITHUB_OUTPUT', channel: 'output' },
      { text: `Backup of ${secret}`, where: 'job summary', channel: 'summary' },
      { text: `key=${secret}\n`, where: 'GITHUB_STATE', channel: 'state' }
    ])
    expect(leaks.map(leak => `${leak.channel}: ${leak.where}`)).toEqual(['log: main step stderr', 'output: GITHUB_OUTPUT, line 2', 'summary: job summary', 'state: GITHUB_STATE, line 1'])
    expect(scanner.scans).toBe(1)
  })

  it('in the command line of a running process, sampled from /proc', async () => {
    const { scanner, secret } = planted()
    const report = await sampleWhileSleeping(scanner, { argv0: `sleep-with-${secret}` })
    expect(report.sweeps).toBeGreaterThan(3)
    expect(report.leaks).toEqual([expect.objectContaining({ channel: 'command line', where: expect.stringMatching(/^command line of pid \d+: sleep-with-\[planted password\] 600/) })])
  })

  it('in a process environment, unless it is a runner input inherited by the action itself', async () => {
    const { scanner, secret } = planted()
    const elsewhere = await sampleWhileSleeping(scanner, { env: { SB_PLANTED: secret } })
    expect(elsewhere.leaks).toEqual([expect.objectContaining({ channel: 'environment', where: expect.stringMatching(/SB_PLANTED$/) })])
    const runnerScript = join(scratch, 'fake-action', 'index.js')
    const inherited = await sampleWhileSleeping(scanner, { argv0: runnerScript, env: { 'INPUT_DB-PASSWORD': secret } }, runnerScript)
    expect(inherited.leaks).toEqual([])
    expect(inherited.inheritedInputs).toEqual([expect.stringMatching(/INPUT_DB-PASSWORD$/)])
    // The same input variable in a process outside the action's tree (a host-side session) is a leak.
    expect((await sampleWhileSleeping(scanner, { env: { 'INPUT_DB-PASSWORD': secret } }, runnerScript)).leaks).toHaveLength(1)
  })

  it('in compressed blobs, while real age ciphertext is skipped and a plaintext blob named .age is not', () => {
    const { scanner, secret } = planted()
    const text = Buffer.from(`INSERT INTO users VALUES ('admin', '${secret}');\n`.repeat(50))
    const identity = join(scratch, 'identity.txt')
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
    const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
    const report = scanner.scanBlobs([
      { name: 'run/b.db.sqlite.zst', bytes: execFileSync('zstd', ['-c', '-q'], { input: text }) },
      { name: 'run/b.events.tar.gz', bytes: execFileSync('gzip', ['-c'], { input: text }) },
      { name: 'run/b.home.tar.zst.age', bytes: execFileSync('age', ['-r', recipient], { input: text }) },
      { name: 'run/b.jobs.tar.zst.age', bytes: text },
      { name: 'run/b.manifest.json', bytes: Buffer.from('{"parts":[]}') }
    ])
    expect(report.skippedEncrypted).toEqual(['run/b.home.tar.zst.age'])
    expect(report.leaks.map(leak => leak.where)).toEqual(['run/b.db.sqlite.zst', 'run/b.events.tar.gz', 'run/b.jobs.tar.zst.age'].map(name => expect.stringContaining(`stored blob ${name}`)))
  })

  it('in a shell history file, and a missing history file is no leak', async () => {
    const { scanner, secret } = planted()
    await writeFile(join(scratch, '.bash_history'), `ls\nmysql -uroot -p${secret} seafile_db\n`)
    const leaks = await scanner.scanShellHistory([join(scratch, '.bash_history'), join(scratch, 'nobody', '.bash_history')])
    expect(leaks).toEqual([expect.objectContaining({ channel: 'shell history', where: `shell history ${join(scratch, '.bash_history')}, line 2` })])
  })
})

describe('a real backup and restore with every sentinel present', () => {
  let host: TestHost
  let database: MariaDbServer
  let service: ResultsService
  let base: string
  let root: string
  let identity: string
  let recipient: string

  beforeAll(async () => {
    const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
    base = made.base
    root = made.home.root
    host = await startTestHost()
    database = await startMariaDb()
    service = await startResultsService()
    execFileSync('age-keygen', ['-o', join(base, 'identity.txt')], { stdio: 'ignore' })
    identity = await readFile(join(base, 'identity.txt'), 'utf8')
    recipient = execFileSync('age-keygen', ['-y', join(base, 'identity.txt')], { encoding: 'utf8' }).trim()
    registerHostSecrets(host)
    registerDatabaseSecrets(database)
    registerSecret(identity, 'age identity')
    registerSecret(service.githubToken, 'GitHub token')
  }, 180_000)

  afterAll(async () => {
    await service?.stop()
    await database?.stop()
    await host?.stop()
    if (base) await rm(base, { recursive: true, force: true })
  })

  /** Tabby ignores db-password; it is passed anyway, so the run holds every kind of sentinel. */
  const inputs = (): Record<string, string> => ({ app: 'tabby', ...sshActionInputs(host), 'tabby-root': root, 'db-password': database.rootPassword })
  const leaksOf = (run: ActionRun): Leak[] => run.secretScan?.leaks ?? []

  it('leaks no secret into logs, outputs, summary, state, command lines, stored blobs or shell history', async () => {
    const treeBefore = await treeOf(root)
    const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
    const plainRun = service.newRun()
    const plain = await runAction('action.yml', { ...inputs(), compression: 'zstd' }, plainRun.env(), { githubToken: service.githubToken })
    expectSuccess(plain)
    const encryptedRun = service.newRun()
    const encrypted = await runAction('action.yml', { ...inputs(), 'encrypt-to': recipient }, encryptedRun.env(), { githubToken: service.githubToken })
    expectSuccess(encrypted)

    await rm(root, { recursive: true, force: true })
    const restorePlain = await runAction('restore/action.yml', { ...inputs(), 'run-id': String(plainRun.runId), 'github-token': service.githubToken }, service.newRun().env())
    expectSuccess(restorePlain)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    const restoreEncrypted = await runAction(
      'restore/action.yml',
      { ...inputs(), 'age-identity': identity, 'backup-id': encrypted.outputs['backup-id'], 'run-id': String(encryptedRun.runId), 'github-token': service.githubToken },
      service.newRun().env()
    )
    expectSuccess(restoreEncrypted)
    expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)

    const runs = [plain, encrypted, restorePlain, restoreEncrypted]
    // Each step was watched while it ran (a scan that never sampled would prove nothing).
    for (const run of runs) expect(run.secretScan?.sweeps).toBeGreaterThan(5)
    expect(runs.flatMap(leaksOf)).toEqual([])

    const blobs = scanBlobs(await service.listStoredBlobs())
    expect(blobs.scanned.filter(name => name.endsWith('.zst'))).toHaveLength(4) // the plain backup's parts, decompressed
    expect(blobs.skippedEncrypted).toHaveLength(4) // the encrypted backup's parts
    const history = await scanShellHistory(shellHistoryPaths([host.userHome]))
    recordCase({
      suite: '__tests__/faults/secrets.test.ts',
      case: 'stored blobs and shell history',
      kind: 'secret-scan',
      outcome: [...blobs.leaks, ...history].length === 0 ? 'passed' : 'failed',
      leaks: [...blobs.leaks, ...history].map(leak => secretScanner.describe(leak))
    })

    expect(secretScanTotals().scans).toBeGreaterThanOrEqual(6)
    expectNoLeaks()
  })
})

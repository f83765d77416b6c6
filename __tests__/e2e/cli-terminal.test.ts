/**
 * The command-line tool as a terminal program: --json for scripts (and the log on stderr), exit codes that
 * say what happened, and Ctrl-C that stops the run and leaves nothing behind on the runner or the host.
 */
import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import { NODE24, REPO_ROOT, runNode } from '../support/action-runner.js'
import { testSigningKey } from '../support/signing-key.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'
import { startTestHost, type TestHost } from '../support/sshd.js'

const cli = join(REPO_ROOT, 'dist/cli/index.js')
let base: string
let root: string
let store: string
let runnerTemp: string
let shimDir: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby-terminal', { eventDays: 2 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-cli-terminal-store-'))
  runnerTemp = await mkdtemp(join(tmpdir(), 'sb-cli-terminal-tmp-'))
  shimDir = await mkdtemp(join(tmpdir(), 'sb-cli-terminal-bin-'))
})

afterAll(async () => {
  for (const dir of [base, store, runnerTemp, shimDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

const env = (path = process.env.PATH ?? ''): Record<string, string> => ({ PATH: path, HOME: process.env.HOME ?? '/root', TMPDIR: runnerTemp })
const common = (): string[] => ['--app', 'tabby', '--tabby-root', root, '--store-path', store, '--signing-key-file', testSigningKey().file, '--host-temp-dir', runnerTemp]
const leftovers = async (): Promise<string[]> => [
  ...(await readdir(runnerTemp)).map(entry => `runner tmp: ${entry}`),
  ...(await readdir(store)).filter(entry => entry.startsWith('.')).map(entry => `store: ${entry}`),
  ...(await readdir(root)).filter(entry => entry.startsWith('.selfhost')).map(entry => `host: ${entry}`),
  ...(await readdir(dirname(root))).filter(entry => entry.startsWith('.selfhost-backup-incoming')).map(entry => `host: ${entry}`)
]

it('answers --json on stdout for backup, list, check and restore, with the log on stderr', async () => {
  const backup = await runNode(cli, env(), ['backup', ...common(), '--verify', 'drill', '--json'])
  expect(backup.exitCode).toBe(0)
  const made = JSON.parse(backup.stdout)
  expect(made).toMatchObject({ mode: 'backup', backupId: expect.stringMatching(/^tabby--/), verified: true, encrypted: false, notCovered: [] })
  expect(made.parts.map((part: { name: string }) => part.name)).toEqual(['db', 'events', 'jobs', 'home'])
  expect(backup.stderr).toContain(`Backup ${made.backupId} complete`)

  const list = await runNode(cli, env(), ['list', '--store-path', store, '--signing-key-file', testSigningKey().file, '--json'])
  expect(list.exitCode).toBe(0)
  expect(JSON.parse(list.stdout)).toEqual([{ backupId: made.backupId, app: 'tabby', hostId: expect.any(String), createdAt: expect.any(String) }])

  const gate = await runNode(cli, env(), ['check', '--app', 'tabby', '--store-path', store, '--signing-key-file', testSigningKey().file, '--max-age', '1h', '--json'])
  expect(gate.exitCode).toBe(0)
  expect(JSON.parse(gate.stdout)).toMatchObject({ mode: 'check', backupId: made.backupId, verified: true })

  const restore = await runNode(cli, env(), ['restore', ...common(), '--backup-id', made.backupId, '--dry-run', '--json'])
  expect(restore.exitCode).toBe(0)
  expect(JSON.parse(restore.stdout)).toMatchObject({ backupId: made.backupId, restored: false, safetyCopy: [] })

  const plain = await runNode(cli, env(), ['restore', ...common(), '--backup-id', made.backupId, '--dry-run'])
  expect(plain.stdout).toMatch(/^Restore plan for tabby--\S+ \(dry-run: nothing changed\)\n-+$/m)
  expect(plain.stdout).not.toMatch(/^#|\| --- \|/m)
})

it('exits 4 when there is no backup to restore or to pass the gate, 3 when a stored part does not verify, 2 for bad input', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'sb-cli-terminal-empty-'))
  try {
    const none = await runNode(cli, env(), ['restore', '--app', 'tabby', '--tabby-root', root, '--store-path', empty, '--signing-key-file', testSigningKey().file])
    expect([none.exitCode, none.stderr]).toEqual([4, expect.stringContaining("Input 'backup-id': no complete tabby backup of this host")])
    const gate = await runNode(cli, env(), ['check', '--app', 'tabby', '--store-path', empty, '--signing-key-file', testSigningKey().file, '--max-age', '1h'])
    expect([gate.exitCode, gate.stderr]).toEqual([4, expect.stringContaining('No drill-verified tabby backup')])
  } finally {
    await rm(empty, { recursive: true, force: true })
  }
  const backup = await runNode(cli, env(), ['backup', ...common(), '--verify', 'checksum', '--json'])
  const { backupId } = JSON.parse(backup.stdout)
  await writeFile(join(store, backupId, `${backupId}.events.tar.zst`), 'not what was stored', { flag: 'a' })
  const damaged = await runNode(cli, env(), ['restore', ...common(), '--backup-id', backupId])
  expect([damaged.exitCode, damaged.stderr]).toEqual([3, expect.stringContaining(`The backup ${backupId} is damaged`)])
  expect((await runNode(cli, env(), ['restore', '--bogus'])).exitCode).toBe(2)
})

/** Runs the CLI and sends `signal` to it (the tool alone, as a terminal's Ctrl-C reaches only it) once `ready` says so. */
function interrupted(args: string[], path: string, ready: () => boolean, signal: NodeJS.Signals): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(existsSync(NODE24) ? NODE24 : process.execPath, [cli, ...args], { env: env(path), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll)
        child.kill(signal)
      }
    }, 50)
    child.once('error', reject)
    child.once('close', code => {
      clearInterval(poll)
      resolve({ exitCode: code, stdout, stderr })
    })
  })
}

it('on Ctrl-C mid-backup, stops, removes its staging, the host snapshot and the partial store entry, releases the lock and exits 130', async () => {
  // The host's sqlite3 takes its time: the run is interrupted while the snapshot is being taken.
  const marker = join(shimDir, 'snapshot-started')
  const real = (await import('node:child_process')).execFileSync('sh', ['-c', 'command -v sqlite3'], { encoding: 'utf8' }).trim()
  await mkdir(join(shimDir, 'bin'), { recursive: true })
  await writeFile(join(shimDir, 'bin', 'sqlite3'), `#!/bin/sh\ncase "$*" in *VACUUM*) touch '${marker}'; sleep 30;; esac\nexec '${real}' "$@"\n`)
  await chmod(join(shimDir, 'bin', 'sqlite3'), 0o755)
  const before = (await readdir(store)).sort()
  const run = await interrupted(['backup', ...common(), '--verify', 'checksum'], `${join(shimDir, 'bin')}:${process.env.PATH}`, () => existsSync(marker), 'SIGINT')
  expect(run.exitCode).toBe(130)
  expect(run.stderr).toContain('SIGINT: stopping, and removing what this run created on both machines')
  expect(run.stderr).toContain('error: Interrupted (SIGINT); what this run had created on the runner and the host was removed')
  expect(await leftovers()).toEqual([])
  expect((await readdir(store)).sort()).toEqual(before)
  // The lock was released: the next backup does not wait for it.
  const next = await runNode(cli, env(), ['backup', ...common(), '--verify', 'checksum', '--lock-timeout', '1'])
  expect(next.exitCode).toBe(0)
})

it('on SIGTERM mid-restore, leaves the live data as it was, removes the staging on both machines and exits 143', async () => {
  const backup = await runNode(cli, env(), ['backup', ...common(), '--verify', 'checksum', '--json'])
  const { backupId } = JSON.parse(backup.stdout)
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const live = await treeOf(root)
  const marker = join(shimDir, 'stop-started')
  const run = await interrupted(['restore', ...common(), '--backup-id', backupId, '--stop-command', `touch '${marker}'; sleep 30`], process.env.PATH ?? '', () => existsSync(marker), 'SIGTERM')
  expect(run.exitCode).toBe(143)
  expect(diffFingerprints(live, await treeOf(root))).toEqual([])
  expect(await leftovers()).toEqual([])
  const next = await runNode(cli, env(), ['backup', ...common(), '--verify', 'checksum', '--lock-timeout', '1'])
  expect(next.exitCode).toBe(0)
})

describe('over ssh', () => {
  let host: TestHost
  let machine: string
  beforeAll(async () => {
    host = await startTestHost()
    machine = await mkdtemp(join(tmpdir(), 'sb-cli-terminal-machine-'))
    await writeFile(join(machine, 'id'), host.clientPrivateKey, { mode: 0o600 })
    await writeFile(join(machine, 'known_hosts'), host.knownHosts)
  }, 60_000)
  afterAll(async () => {
    await host?.stop()
    if (machine) await rm(machine, { recursive: true, force: true })
  })

  it('on Ctrl-C mid-restore, cleans up on the host through the connection it kept, and the host lock is free again', async () => {
    const connection = [
      '--transport',
      'ssh',
      '--host',
      host.host,
      '--port',
      String(host.port),
      '--user',
      host.user,
      '--sudo',
      '--ssh-key-file',
      join(machine, 'id'),
      '--known-hosts-file',
      join(machine, 'known_hosts')
    ]
    const remote = [...common().filter(flag => flag !== '--host-temp-dir' && flag !== runnerTemp), ...connection]
    const backup = await runNode(cli, env(), ['backup', ...remote, '--verify', 'checksum', '--json'])
    expect(backup.exitCode).toBe(0)
    const { backupId } = JSON.parse(backup.stdout)
    await writeFile(join(root, 'config.toml'), 'changed after the backup, over ssh\n')
    const live = await treeOf(root)
    const marker = join(shimDir, 'ssh-stop-started')
    const began = Date.now()
    const run = await interrupted(['restore', ...remote, '--backup-id', backupId, '--stop-command', `touch '${marker}'; sleep 30`], process.env.PATH ?? '', () => existsSync(marker), 'SIGINT')
    expect([run.exitCode, run.stderr]).toEqual([130, expect.stringContaining('Interrupted (SIGINT)')])
    // It did not wait for the remote command, whose ssh session the connection's master still held.
    expect(Date.now() - began).toBeLessThan(20_000)
    expect(diffFingerprints(live, await treeOf(root))).toEqual([])
    expect(await leftovers()).toEqual([])
    const next = await runNode(cli, env(), ['backup', ...remote, '--verify', 'checksum', '--lock-timeout', '1'])
    expect([next.exitCode, next.stderr]).toEqual([0, expect.any(String)])
  })
})

/**
 * Both applications through the s3 store of a real S3 server (Ceph's RADOS Gateway): backed up by the
 * bundled action, brought back by the restore action of another run and by the CLI on "another machine"
 * (its own process, home and temp directory, with nothing but the bucket's inputs and the keys).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import { expectSuccess, REPO_ROOT, runAction, runNode, sshActionInputs, sweepProcessesForSecrets, visibleLog } from '../support/action-runner.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { startS3Bed, type S3Bed } from '../support/s3-bed.js'
import { databaseFingerprint, seatableActionInputs, seatableBackupInputs, SEATABLE_DATABASES, seatableFiles, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'
import { startTestHost, type TestHost } from '../support/sshd.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

// The S3 secret travels in these runs: every process's command line and environment is watched too.
sweepProcessesForSecrets()

const cli = join(REPO_ROOT, 'dist/cli/index.js')
let s3: S3Bed

beforeAll(async () => {
  s3 = await startS3Bed()
}, 120_000)

afterAll(async () => {
  await s3?.stop()
})

/** The s3 inputs without the secret; `secret` puts it in the way each entry point takes secrets. */
function s3Inputs(bucket: string, prefix: string): { inputs: Record<string, string>; secret: string } {
  const { 's3-secret-access-key': secret, ...inputs } = s3.inputs(bucket, prefix)
  return { inputs, secret }
}

/** CLI flags for the same store: the secret from a file, never on the command line. */
async function s3Flags(bucket: string, prefix: string, dir: string): Promise<string[]> {
  const { inputs, secret } = s3Inputs(bucket, prefix)
  return cliFlags({ ...inputs, 's3-secret-access-key': secret }, dir)
}

/** Action inputs as CLI flags on another machine: secrets and known_hosts go into files in `dir`, as a user would keep them. */
async function cliFlags(inputs: Record<string, string>, dir: string): Promise<string[]> {
  const flags: string[] = []
  for (const [name, value] of Object.entries(inputs)) {
    if (['ssh-key', 'db-password', 's3-secret-access-key', 'known-hosts'].includes(name)) {
      const file = join(dir, name)
      await writeFile(file, value, { mode: 0o600 })
      flags.push(`--${name}-file`, file)
    } else flags.push(`--${name}`, value)
  }
  return flags
}

describe('Tabby', () => {
  let host: TestHost
  let base: string
  let root: string
  let machine: string

  beforeAll(async () => {
    const made = await makeRootOwnedTabbyHome()
    base = made.base
    root = made.home.root
    host = await startTestHost()
    machine = await mkdtemp(join(tmpdir(), 'sb-s3-cli-machine-'))
  }, 120_000)

  afterAll(async () => {
    await host?.stop()
    if (base) await rm(base, { recursive: true, force: true })
    if (machine) await rm(machine, { recursive: true, force: true })
  })

  it('backs up into a bucket with the action, and the CLI on another machine lists and restores it after a wipe', async () => {
    const bucket = await s3.createBucket('tabby')
    const { inputs, secret } = s3Inputs(bucket, 'hosts/tabby/')
    const ssh = { app: 'tabby', 'tabby-root': root, ...sshActionInputs(host) }
    const backup = await runAction('action.yml', { ...ssh, ...inputs, 's3-secret-access-key': secret })
    expectSuccess(backup)
    const backupId = backup.outputs['backup-id']
    const stored = JSON.parse(backup.outputs.artifacts) as { name: string; id: string }[]
    expect(stored.map(item => item.id)).toEqual(stored.map(item => `hosts/tabby/${backupId}/${item.name}`))
    expect(stored.at(-1)?.name).toBe(`${backupId}.manifest.json`)
    // A bucket keeps a backup until retention deletes it (an Object Lock is no expiry), and has no artifact page.
    expect([backup.outputs['expires-at'], stored.filter(item => 'url' in item)]).toEqual(['', []])
    expect(backup.stdout).toContain(`Storing in the s3 store`)

    const treeBefore = await treeOf(root)
    await rm(root, { recursive: true, force: true })

    // Another machine: its own HOME and temp directory, the host's key and known_hosts as files.
    const keyFile = join(machine, 'id')
    const knownHosts = join(machine, 'known_hosts')
    await writeFile(keyFile, host.clientPrivateKey, { mode: 0o600 })
    await writeFile(knownHosts, host.knownHosts)
    const env = { PATH: process.env.PATH ?? '', HOME: machine, TMPDIR: machine }
    const flags = [...(await s3Flags(bucket, 'hosts/tabby/', machine)), '--app', 'tabby']
    const connection = ['--transport', 'ssh', '--host', host.host, '--port', String(host.port), '--user', host.user, '--sudo', 'true', '--ssh-key-file', keyFile, '--known-hosts-file', knownHosts]
    const list = await runNode(cli, env, ['list', ...flags, '--ssh-key-file', keyFile])
    expect(list.stderr).toBe('')
    expect(list.stdout.trim().split('\t')[0]).toBe(backupId)
    const restore = await runNode(cli, env, ['restore', ...flags, ...connection, '--tabby-root', root, '--backup-id', backupId])
    expect(restore.exitCode).toBe(0)
    expect(restore.stdout).toContain(`Restoring ${backupId}`)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    for (const text of [list.stdout, list.stderr, restore.stdout, restore.stderr]) expect(text).not.toContain(secret)
  })

  it('incremental backups into a bucket: the chain is found there, restores whole, and mode: check finds the drill-verified backup', async () => {
    const bucket = await s3.createBucket('chain')
    const { inputs, secret } = s3Inputs(bucket, 'inc/')
    const ssh = { app: 'tabby', 'tabby-root': root, ...sshActionInputs(host), ...inputs, 's3-secret-access-key': secret, incremental: 'true' }
    const full = await runAction('action.yml', ssh)
    expectSuccess(full)
    await writeFile(join(root, 'events', 'added-after-the-full-backup.json'), '{"event":"new"}\n')
    const increment = await runAction('action.yml', { ...ssh, verify: 'drill' })
    expectSuccess(increment)
    expect(increment.stdout).toMatch(/incremental|level 1/)
    const treeBefore = await treeOf(root)
    await rm(root, { recursive: true, force: true })
    const restore = await runAction('restore/action.yml', { app: 'tabby', 'tabby-root': root, ...sshActionInputs(host), ...inputs, 's3-secret-access-key': secret })
    expectSuccess(restore)
    expect(restore.outputs['backup-id']).toBe(increment.outputs['backup-id'])
    expect(restore.stdout).toContain(`${increment.outputs['backup-id']} is incremental`)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    const gate = await runAction('action.yml', { app: 'tabby', ...sshActionInputs(host), ...inputs, 's3-secret-access-key': secret, mode: 'check', 'max-age': '1h' })
    expectSuccess(gate)
    expect(gate.outputs['backup-id']).toBe(increment.outputs['backup-id'])
  })
})

describe('SeaTable', () => {
  let server: MariaDbServer
  let bed: SeaTableBed

  beforeAll(async () => {
    server = await startMariaDb()
    bed = await startSeaTableBed(server, 'current')
  }, 120_000)

  afterAll(async () => {
    await bed?.stop()
    await server?.stop()
  })

  it('backs up into a bucket with the drill; the restore action of another run and the CLI on another machine each bring it back after a wipe', async () => {
    const bucket = await s3.createBucket('seatable')
    const { inputs, secret } = s3Inputs(bucket, '')
    const tablesBefore = await databaseFingerprint(server)
    const backup = await runAction('action.yml', { ...seatableBackupInputs(bed, server, 'docker', 'drill'), ...inputs, 's3-secret-access-key': secret })
    expectSuccess(backup)
    expect(backup.outputs.verified).toBe('true')
    const filesBefore = await seatableFiles(bed.layout)

    await server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE ${name};`).join(' '))
    for (const dir of [bed.layout.root, bed.layout.composeDir, bed.layout.caddyDir]) if (dir) await rm(dir, { recursive: true, force: true })
    const restore = await runAction('restore/action.yml', { ...seatableActionInputs(bed, server, 'docker'), ...inputs, 's3-secret-access-key': secret })
    expectSuccess(restore)
    expect(restore.outputs['backup-id']).toBe(backup.outputs['backup-id'])
    expect(await databaseFingerprint(server)).toEqual(tablesBefore)
    const filesAfter = await seatableFiles(bed.layout)
    for (const [name, tree] of Object.entries(filesBefore)) expect([name, diffFingerprints(tree, filesAfter[name])]).toEqual([name, []])
    expect(visibleLog(restore)).not.toContain(secret)

    // Once more, from the CLI on another machine (its own home and temp directory).
    await server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE ${name};`).join(' '))
    for (const dir of [bed.layout.root, bed.layout.composeDir, bed.layout.caddyDir]) if (dir) await rm(dir, { recursive: true, force: true })
    const machine = await mkdtemp(join(tmpdir(), 'sb-s3-seatable-machine-'))
    try {
      const flags = await cliFlags({ ...seatableActionInputs(bed, server, 'docker'), transport: 'ssh', ...inputs, 's3-secret-access-key': secret }, machine)
      const cliRestore = await runNode(cli, { PATH: process.env.PATH ?? '', HOME: machine, TMPDIR: machine }, ['restore', ...flags, '--backup-id', backup.outputs['backup-id']])
      // The one thing it warns about: no stop-command was given (the bed has no app to stop).
      expect(cliRestore.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: No stop-command/)])
      expect(cliRestore.exitCode).toBe(0)
      expect(await databaseFingerprint(server)).toEqual(tablesBefore)
      const filesByCli = await seatableFiles(bed.layout)
      for (const [name, tree] of Object.entries(filesBefore)) expect([name, diffFingerprints(tree, filesByCli[name])]).toEqual([name, []])
      for (const text of [cliRestore.stdout, cliRestore.stderr]) expect(text).not.toContain(secret)
    } finally {
      await rm(machine, { recursive: true, force: true })
    }
  })
})

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import type { Manifest } from '../../src/kernel/manifest.js'
import { expectSuccess, REPO_ROOT, runAction, runNode } from '../support/action-runner.js'
import type { ShimContainer } from '../support/docker-shim.js'
import { errorText } from '../support/fault-checks.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { databaseFingerprint, ownProcessList, resetDatabases, seatableActionInputs, seatableFiles, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'
import { hostBaseline, leftoversAfter } from '../support/seatable-leftovers.js'
import { editSignedManifest, storedFileRecord } from '../support/signing-key.js'

let server: MariaDbServer
let bed: SeaTableBed
let store: string

beforeAll(async () => {
  server = await startMariaDb()
  bed = await startSeaTableBed(server, 'current', { withScheduler: true })
  store = await mkdtemp(join(tmpdir(), 'sb-seatable-store-'))
}, 120_000)

afterAll(async () => {
  await bed?.stop()
  await server?.stop()
  if (store) await rm(store, { recursive: true, force: true })
})

const inputs = (): Record<string, string> => ({ ...seatableActionInputs(bed, server, 'docker'), store: 'local', 'store-path': store })
const backupInputs = (): Record<string, string> => ({ ...inputs(), verify: 'checksum' })

/** A complete backup of this bed that a test may only read: the first test's, or a new one when a test runs alone. */
let backupToRead: string | undefined
async function aBackupToRead(): Promise<string> {
  if (backupToRead === undefined) {
    const backup = await runAction('action.yml', backupInputs())
    expectSuccess(backup)
    backupToRead = backup.outputs['backup-id']
  }
  return backupToRead
}

it('includes the scheduler database when it exists, and restores one database alone over live data, keeping its replaced tables', async () => {
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  backupToRead = backup.outputs['backup-id']
  const parts = (JSON.parse(backup.outputs.artifacts) as { name: string }[]).map(item => item.name)
  expect(parts.some(name => name.includes('.db-scheduler.sql'))).toBe(true)
  const databasesAtBackup = await databaseFingerprint(server, ['ccnet_db', 'dtable_db', 'scheduler'])
  const filesAtBackup = await seatableFiles(bed.layout)

  await server.query('DELETE FROM operation_log WHERE id % 2 = 0', 'dtable_db')
  await writeFile(join(bed.layout.root, 'conf', 'after-backup.txt'), 'new file\n')
  const ccnetNow = await databaseFingerprint(server, ['ccnet_db'])

  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'db-dtable_db' })
  expectSuccess(restore)
  const after = await databaseFingerprint(server, ['ccnet_db', 'dtable_db'])
  for (const [key, value] of Object.entries(after)) {
    if (key.startsWith('dtable_db')) expect([key, value]).toEqual([key, databasesAtBackup[key]])
    else expect([key, value]).toEqual([key, ccnetNow[key]])
  }
  // Only the database was restored: the data directory keeps the file written after the backup.
  expect(readdirSync(join(bed.layout.root, 'conf'))).toContain('after-backup.txt')
  // The safety copy is the one database the restore swapped: its tables as they were, all of their rows, in a
  // database of their own; no file was swapped and nothing was dumped.
  expect(JSON.parse(restore.outputs['safety-copy'])).toEqual([])
  const kept = `dtable_db__kept_${restore.outputs['safety-copy-id'].replace('-', '_')}`
  expect(JSON.parse(restore.outputs['safety-copy-databases'])).toEqual([kept])
  expect(await server.query('SELECT COUNT(*) FROM operation_log', kept)).toBe(`${Number(await server.query('SELECT COUNT(*) FROM operation_log', 'dtable_db')) / 2}\n`)

  const full = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'] })
  expectSuccess(full)
  const filesNow = await seatableFiles(bed.layout)
  for (const [name, tree] of Object.entries(filesAtBackup)) expect([name, diffFingerprints(tree, filesNow[name])]).toEqual([name, []])
})

it('keeps every database it swaps, also when the databases input lists only others, and put-back finds it there too', async () => {
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  await server.query("UPDATE operation_log SET author = 'after the backup' ORDER BY id LIMIT 1", 'dtable_db')
  const beforeRestore = await databaseFingerprint(server, ['dtable_db'])
  const restore = await runAction('restore/action.yml', { ...inputs(), databases: 'scheduler', 'backup-id': backup.outputs['backup-id'], parts: 'db-dtable_db' })
  expectSuccess(restore)
  const stamp = restore.outputs['safety-copy-id']
  expect(JSON.parse(restore.outputs['safety-copy-databases'])).toEqual([`dtable_db__kept_${stamp.replace('-', '_')}`])
  expect(await databaseFingerprint(server, ['dtable_db'])).not.toEqual(beforeRestore)
  // put-back, with the same inputs: the kept tables (and the view, triggers, routines and event) are back.
  const putBack = await runNode(
    join(REPO_ROOT, 'dist/cli/index.js'),
    { PATH: `${bed.shim.binDir}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/root', SELFHOST_BACKUP_DB_PASSWORD: server.rootPassword },
    ['put-back', '--app', 'seatable', '--transport', 'local', '--sudo', 'false', '--seatable-root', bed.layout.root, '--seatable-layout', 'current'].concat([
      '--compose-dir',
      bed.layout.composeDir ?? '',
      '--db-mode',
      'docker',
      '--databases',
      'scheduler',
      '--replaced',
      stamp
    ])
  )
  expect(putBack.stderr + putBack.stdout).not.toMatch(/error:/i)
  expect(putBack.exitCode).toBe(0)
  expect(putBack.stdout + putBack.stderr).toContain(`database dtable_db is as it was before the restore ${stamp}`)
  expect(await databaseFingerprint(server, ['dtable_db'])).toEqual(beforeRestore)
})

it('rejects an unknown part name before touching the host', async () => {
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': await aBackupToRead(), parts: 'db-nope' })
  expect(restore.exitCode).toBe(1)
  expect(restore.stdout).toMatch(/Input 'parts': .* has no part db-nope[\s\S]*choose from: db-ccnet_db/)
})

it('finds SeaTable with app: auto from its running containers', async () => {
  const run = await runAction('action.yml', { ...backupInputs(), app: 'auto', 'seatable-layout': 'auto' })
  expectSuccess(run)
  expect(run.stdout).toMatch(/app: auto found SeaTable/)
  expect(run.stdout).toMatch(/SeaTable: current layout \(container mariadb, container seatable-server\)/)
})

it('fails clearly when the dump is killed mid-way, and stores nothing', async () => {
  await resetDatabases(server, { withScheduler: true })
  // Enough rows that the dump runs for a while, so it can be caught and killed.
  const columns = (
    await server.query(
      "SELECT GROUP_CONCAT(CONCAT('`', column_name, '`')) FROM information_schema.columns WHERE table_schema = 'dtable_db' AND table_name = 'operation_log' AND extra NOT LIKE '%auto_increment%'"
    )
  ).trim()
  for (let doubling = 0; doubling < 7; doubling++) await server.query(`INSERT INTO operation_log (${columns}) SELECT ${columns} FROM operation_log`, 'dtable_db')
  const before = readdirSync(store)
  const host = hostBaseline(bed)
  const backup = runAction('action.yml', { ...backupInputs(), databases: 'dtable_db', 'dtable-db-backup': 'false' })
  let killed = false
  for (let attempt = 0; attempt < 2000 && !killed; attempt++) {
    const dumper = ownProcessList().find(({ commandLine }) => /mariadb-dump .*--single-transaction/.test(commandLine) && !commandLine.includes('bash -c'))
    if (dumper) {
      process.kill(dumper.pid, 'SIGKILL')
      killed = true
    }
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  const result = await backup
  expect(killed).toBe(true)
  expect(result.exitCode).toBe(1)
  expect(result.stdout).toMatch(/Dump of dtable_db failed/)
  expect(readdirSync(store)).toEqual(before)
  // Nothing left behind on the host: lock free, no process or database session of the run, no new file beside the data.
  expect(await leftoversAfter(bed, server, host, result.runnerTemp)).toEqual([])
  // Back to the fixture's size, so the tests after this one restore 3000 log rows, not 384000.
  await resetDatabases(server, { withScheduler: true })
})

it('backs up the data directory incrementally, and restores the chain with deletions while the excluded directories stay', async () => {
  const incrementalInputs = { ...backupInputs(), incremental: 'true' }
  const full = await runAction('action.yml', incrementalInputs, {}, { keepRunnerTemp: true })
  expectSuccess(full)
  const fullManifest = JSON.parse(readFileSync(full.outputs.manifest, 'utf8')) as Manifest
  await rm(full.runnerTemp, { recursive: true, force: true })
  const root = bed.layout.root
  const seahub = readdirSync(join(root, 'seahub-data'), { recursive: true, withFileTypes: true }).filter(entry => entry.isFile())
  rmSync(join(seahub[0].parentPath, seahub[0].name))
  writeFileSync(join(root, 'seafile-data', 'new-block'), 'block written after the full backup\n')
  writeFileSync(join(root, 'conf', 'seatable_extra.conf'), '[extra]\n')
  writeFileSync(join(root, 'logs', 'after.log'), 'log line\n')
  const next = await runAction('action.yml', incrementalInputs, {}, { keepRunnerTemp: true })
  expectSuccess(next)
  const nextManifest = JSON.parse(readFileSync(next.outputs.manifest, 'utf8')) as Manifest
  await rm(next.runnerTemp, { recursive: true, force: true })
  expect(nextManifest.incremental).toMatchObject({ level: 1, chain: [fullManifest.backupId] })
  const dataBytes = (manifest: Manifest): number => manifest.parts.find(part => part.name === 'data')?.bytes ?? 0
  expect(dataBytes(nextManifest)).toBeLessThan(dataBytes(fullManifest) / 2)
  expect(nextManifest.parts.find(part => part.name === 'compose')?.incremental).toBeUndefined()
  const filesAtBackup = await seatableFiles(bed.layout)

  rmSync(join(root, 'seafile-data'), { recursive: true })
  writeFileSync(join(root, 'conf', 'stray.conf'), 'written after the backup\n')
  const logsBefore = await fingerprintTree(join(root, 'logs'))
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': next.outputs['backup-id'], 'safety-copy': 'false' })
  expectSuccess(restore)
  expect(restore.summary).toContain('(full backup and 1 incremental)')
  const filesNow = await seatableFiles(bed.layout)
  for (const [name, tree] of Object.entries(filesAtBackup)) expect([name, diffFingerprints(tree, filesNow[name])]).toEqual([name, []])
  expect(diffFingerprints(logsBefore, await fingerprintTree(join(root, 'logs')))).toEqual([])
})

/** The docker shim's calls from `from` on, each as one line. */
async function shimCallsSince(from: number): Promise<string[]> {
  return (await bed.shim.invocations()).slice(from).map(call => call.argv.join(' '))
}

it('stops with an error naming seatable-layout when the host has both layouts, and backs up once it is set', async () => {
  // The old layout's containers beside the current ones (the documented paths are the real /opt, which the bed leaves alone).
  const oldContainers: Record<string, ShimContainer> = {
    'seatable-mysql': { kind: 'database', mariadb: { socket: server.socket, port: server.port } },
    seatable: { kind: 'seatable', dataRoot: bed.layout.root }
  }
  await bed.shim.setContainers({ ...bed.containers, ...oldContainers })
  try {
    const storeBefore = readdirSync(store)
    const callsBefore = (await bed.shim.invocations()).length
    const run = await runAction('action.yml', { ...backupInputs(), app: 'auto', 'seatable-layout': 'auto' })
    expect(run.exitCode).toBe(1)
    expect(errorText(run)).toMatch(/Input 'seatable-layout': both layouts were found \(old: container seatable-mysql, container seatable; current: container mariadb, container seatable-server\)/)
    expect(errorText(run)).toMatch(/How to fix: set seatable-layout to old or current/)
    expect((await shimCallsSince(callsBefore)).filter(call => /^exec /.test(call))).toEqual([])
    expect(readdirSync(store)).toEqual(storeBefore)

    const chosen = await runAction('action.yml', { ...backupInputs(), app: 'auto', 'seatable-layout': 'current' })
    expectSuccess(chosen)
    expect(chosen.stdout).toMatch(/SeaTable: current layout \(set by seatable-layout\)/)
  } finally {
    await bed.shim.setContainers(bed.containers)
  }
})

it('with dtable-db-backup: false runs neither backup-all nor restore-all', async () => {
  const callsBefore = (await bed.shim.invocations()).length
  const backup = await runAction('action.yml', { ...backupInputs(), 'dtable-db-backup': 'false' })
  expectSuccess(backup)
  const backupCalls = await shimCallsSince(callsBefore)
  // The run's docker calls are in the log (the dumps), so a backup-all would be too.
  expect(backupCalls.some(call => call.includes('mariadb-dump'))).toBe(true)
  expect(backupCalls.filter(call => call.includes('seatable.sh'))).toEqual([])

  // restore-all follows the data part (and nothing else), so restoring the data alone shows it.
  const restoreFrom = (await bed.shim.invocations()).length
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'data', 'dtable-db-backup': 'false' })
  expectSuccess(restore)
  expect(restore.stdout).toMatch(/then no restore-all \(dtable-db-backup: false\)/)
  // Neither the safety copy (a backup of the current state) nor the restore went into the SeaTable container.
  expect((await shimCallsSince(restoreFrom)).filter(call => call.includes('seatable.sh'))).toEqual([])

  // The same restore with the default does call it: the check above could have seen one.
  const controlFrom = (await bed.shim.invocations()).length
  expectSuccess(await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'data', 'safety-copy': 'false' }))
  expect((await shimCallsSince(controlFrom)).filter(call => call.includes('seatable.sh'))).toEqual([`exec ${bed.layout.containers.seatable} /opt/seatable/scripts/seatable.sh restore-all`])
})

it('restores only the data directory with parts: data: the databases and the compose directory keep what changed after the backup', async () => {
  // The fixture's databases, whatever an earlier test left: this one changes rows in them.
  await resetDatabases(server, { withScheduler: true })
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  const filesAtBackup = await seatableFiles(bed.layout)
  const databasesAtBackup = await databaseFingerprint(server)
  const { root, composeDir } = bed.layout
  if (!composeDir) throw new Error('the current layout has a compose directory')

  await server.query("UPDATE operation_log SET author = 'changed after the backup' ORDER BY id LIMIT 1", 'dtable_db')
  await server.query('UPDATE EmailUser SET is_active = 1 - is_active ORDER BY id LIMIT 1', 'ccnet_db')
  const databasesChanged = await databaseFingerprint(server)
  expect(databasesChanged).not.toEqual(databasesAtBackup)
  writeFileSync(join(root, 'conf', 'added-after-backup.conf'), '[added]\n')
  writeFileSync(join(root, 'conf', 'seafile.conf'), 'changed after the backup\n')
  const avatar = readdirSync(join(root, 'seahub-data'), { recursive: true, withFileTypes: true }).find(entry => entry.isFile())
  if (!avatar) throw new Error('the bed has files in seahub-data')
  rmSync(join(avatar.parentPath, avatar.name))
  const composeFile = join(composeDir, 'caddy.yml')
  const composeOriginal = await readFile(composeFile)
  await writeFile(composeFile, '# changed after the backup\n')
  try {
    const composeChanged = await fingerprintTree(composeDir)
    expect(diffFingerprints(filesAtBackup.data, (await seatableFiles(bed.layout)).data)).not.toEqual([])

    const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'data' })
    expectSuccess(restore)
    expect(restore.stdout).not.toMatch(/Import(ing| of)/)
    expect(await databaseFingerprint(server)).toEqual(databasesChanged)
    expect(diffFingerprints(filesAtBackup.data, (await seatableFiles(bed.layout)).data)).toEqual([])
    expect(diffFingerprints(composeChanged, await fingerprintTree(composeDir))).toEqual([])
  } finally {
    await writeFile(composeFile, composeOriginal)
  }
})

it('runs backup-all and restore-all in the container that seatable-container names', async () => {
  const { [bed.layout.containers.seatable]: seatable, ...others } = bed.containers
  await bed.shim.setContainers({ ...others, 'seatable-renamed': seatable })
  try {
    const refused = await runAction('action.yml', backupInputs())
    expect(refused.exitCode).toBe(1)
    expect(errorText(refused)).toMatch(/the SeaTable container seatable-server is not running \(set seatable-container, or dtable-db-backup: false\)/)

    const callsBefore = (await bed.shim.invocations()).length
    const backup = await runAction('action.yml', { ...backupInputs(), 'seatable-container': 'seatable-renamed' })
    expectSuccess(backup)
    const restore = await runAction('restore/action.yml', { ...inputs(), 'seatable-container': 'seatable-renamed', 'backup-id': backup.outputs['backup-id'], parts: 'data', 'safety-copy': 'false' })
    expectSuccess(restore)
    expect((await shimCallsSince(callsBefore)).filter(call => call.includes('seatable.sh'))).toEqual([
      'exec seatable-renamed /opt/seatable/scripts/seatable.sh backup-all',
      'exec seatable-renamed /opt/seatable/scripts/seatable.sh restore-all'
    ])
  } finally {
    await bed.shim.setContainers(bed.containers)
  }
})

it('fails a restore whose imported database does not match the manifest, naming the table: beside the live database before anything changed, or after an import in place, whose safety copy puts the data back', async () => {
  await resetDatabases(server, { withScheduler: true })
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  const backupId = backup.outputs['backup-id']
  const dir = join(store, backupId)
  const part = join(dir, `${backupId}.db-dtable_db.sql.zst`)
  // The dump plus two statements at its end, and the unsigned manifest edited to match its checksum: verification
  // passes, the import runs, and only the comparison after it can tell.
  const sql = execFileSync('zstd', ['-dc', part], { maxBuffer: 1 << 30 })
  const edited = Buffer.concat([sql, Buffer.from('\nDELETE FROM operation_log WHERE id % 2 = 0;\nDROP VIEW dtable_overview;\n')])
  await writeFile(part, execFileSync('zstd', ['-q', '-c'], { input: edited, maxBuffer: 1 << 30 }))
  // Signed again with the backup's own key (the SSH key): the edited dump stands for one a compromised host produced.
  const stored = storedFileRecord(part)
  await editSignedManifest(
    join(dir, `${backupId}.manifest.json`),
    manifest => {
      if (!manifest.parts.some(candidate => candidate.name === 'db-dtable_db')) throw new Error('the backup has a db-dtable_db part')
      manifest.parts = manifest.parts.map(record => (record.name === 'db-dtable_db' ? { ...record, ...stored } : record))
    },
    bed.host.clientPrivateKey
  )
  await server.query("UPDATE operation_log SET author = 'the state before the restore' ORDER BY id LIMIT 1", 'dtable_db')
  const beforeRestore = await databaseFingerprint(server, ['dtable_db'])

  // Imported beside the live database while SeaTable runs: the comparison fails there, before anything live changed.
  const databasesBefore = await server.query('SHOW DATABASES')
  const beside = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId, parts: 'db-dtable_db' })
  expect(beside.exitCode).toBe(1)
  expect(errorText(beside)).toMatch(
    /The dump of dtable_db, imported beside the live database, does not match the manifest: table operation_log has \d+ rows, the backup had \d+; 1 views expected, 0 found\. The live database was not changed\. Nothing on the host was changed\./
  )
  expect(await databaseFingerprint(server, ['dtable_db'])).toEqual(beforeRestore)
  // Nothing of it stays on the server: the databases are those there were (earlier tests' kept databases among them).
  expect(await server.query('SHOW DATABASES')).toBe(databasesBefore)

  // A live procedure whose definition holds the swap's statement delimiter: a swap could not re-create it, so
  // the database is dumped and imported in place after the stop, and the comparison fails after the import.
  await server.query("CREATE PROCEDURE odd_comment() COMMENT 'ends with $$sb-replay$$' SELECT 1", 'dtable_db')
  const beforeInPlace = await databaseFingerprint(server, ['dtable_db'])
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId, parts: 'db-dtable_db' })
  expect(restore.stdout).toContain(
    'db-dtable_db: imported in place after the stop, with a dump of it kept first: in the live database, the definition of procedure odd_comment holds text that cannot be replayed through the client'
  )
  expect(restore.exitCode).toBe(1)
  const text = errorText(restore)
  expect(text).toMatch(/sha256 verified/)
  expect(text).toMatch(/The restored database dtable_db does not match the manifest: table operation_log has \d+ rows, the backup had \d+; 1 views expected, 0 found\./)
  const hint =
    /How to fix: the databases from before the restore are in (\S+); put them back with: selfhost-backup restore .*--store-path (\S+) --backup-id (\S+) --safety-copy false --trusted-signers '([^']+)'/.exec(
      text
    )
  expect(hint).not.toBeNull()
  const [, safetyDir, storePath, safetyId, trustedSigner] = hint ?? []
  expect(join(storePath.replace(/^'|'$/g, ''), safetyId)).toBe(safetyDir)

  // The command the hint gives, run on the host (transport local), brings back the database as it was before.
  const recovered = await runAction(
    'restore/action.yml',
    {
      app: 'seatable',
      transport: 'local',
      sudo: 'false',
      'seatable-root': bed.layout.root,
      'seatable-layout': 'current',
      'compose-dir': bed.layout.composeDir ?? '',
      'db-mode': 'docker',
      'db-password': server.rootPassword,
      store: 'local',
      'store-path': storePath.replace(/^'|'$/g, ''),
      'backup-id': safetyId,
      'safety-copy': 'false',
      parts: 'db-dtable_db',
      'trusted-signers': trustedSigner
    },
    { PATH: `${bed.shim.binDir}:${process.env.PATH ?? ''}` }
  )
  expectSuccess(recovered)
  expect(await databaseFingerprint(server, ['dtable_db'])).toEqual(beforeInPlace)
  await server.query('DROP PROCEDURE odd_comment', 'dtable_db')
})

it('puts the databases it swapped back, with the files, when the restore fails after the swaps and before the start', async () => {
  await resetDatabases(server, { withScheduler: true })
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  await server.query("UPDATE operation_log SET author = 'after the backup' ORDER BY id LIMIT 3", 'dtable_db')
  await server.query('CREATE TABLE made_later (id INT); CREATE VIEW later_view AS SELECT id FROM made_later;', 'ccnet_db')
  const databasesBefore = await databaseFingerprint(server)
  const serverBefore = await server.query('SHOW DATABASES')
  const filesBefore = await seatableFiles(bed.layout)
  // The stop-command removes the data directory's checked tree from the staging directory: its swap fails,
  // after the compose directory and, beside it, every database were swapped.
  const parent = join(bed.layout.root, '..')
  const sabotage = [parent, '/var/lib/selfhost-backup/incoming'].map(dir => `rm -rf -- ${dir}/.selfhost-backup-incoming-*/restore-*/tree-data`).join('; ')
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], 'stop-command': sabotage, 'start-command': 'echo started' })
  expect(restore.exitCode).toBe(1)
  const text = errorText(restore)
  expect(text).toMatch(/The restore failed; the files and databases it had replaced were put back: /)
  expect(restore.stdout).toMatch(/db-dtable_db: database dtable_db is as it was/)
  expect(restore.stdout).not.toMatch(/^echo started/m)
  expect(await databaseFingerprint(server)).toEqual(databasesBefore)
  expect(await server.query('SHOW DATABASES')).toBe(serverBefore)
  const filesAfter = await seatableFiles(bed.layout)
  for (const [name, tree] of Object.entries(filesBefore)) expect([name, diffFingerprints(tree, filesAfter[name])]).toEqual([name, []])
})

describe('on a host with the old layout', () => {
  let oldBed: SeaTableBed

  beforeAll(async () => {
    // Its own login user: sudoers gives each user one PATH, and the current bed's shim is on sbseatable's.
    oldBed = await startSeaTableBed(server, 'old', { user: 'sbseatableold' })
  }, 120_000)

  afterAll(async () => {
    await oldBed?.stop()
  })

  it('finds SeaTable with app: auto and says it found the old layout', async () => {
    const callsBefore = (await oldBed.shim.invocations()).length
    const run = await runAction('action.yml', { ...seatableActionInputs(oldBed, server, 'docker'), store: 'local', 'store-path': store, verify: 'checksum', app: 'auto', 'seatable-layout': 'auto' })
    expectSuccess(run)
    expect(run.stdout).toMatch(/app: auto found SeaTable/)
    expect(run.stdout).toMatch(/SeaTable: old layout \(container seatable-mysql, container seatable\)/)
    const backupId = run.outputs['backup-id']
    const names = (JSON.parse(run.outputs.artifacts) as { name: string }[]).map(item => item.name.replace(`${backupId}.`, ''))
    expect(names).toEqual(['db-ccnet_db.sql.zst', 'db-seafile_db.sql.zst', 'db-dtable_db.sql.zst', 'data.tar.zst', 'manifest.json'])
    // The old layout's containers: dumps in seatable-mysql, backup-all in seatable.
    const calls = (await oldBed.shim.invocations()).slice(callsBefore).map(call => call.argv)
    expect([...new Set(calls.filter(argv => argv[0] === 'exec').map(argv => argv[argv[1] === '-i' ? 2 : 1]))].sort()).toEqual(['seatable', 'seatable-mysql'])
  })
})

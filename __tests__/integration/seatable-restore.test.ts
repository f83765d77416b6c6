import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import type { Manifest } from '../../src/core/manifest.js'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { databaseFingerprint, processList, seatableActionInputs, seatableFiles, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'

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

it('includes the scheduler database when it exists, and restores one database alone over live data with a safety copy', async () => {
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
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
  const safetyCopy = restore.outputs['safety-copy']
  expect(readdirSync(safetyCopy).filter(file => file.includes('.db-'))).toHaveLength(4)

  const full = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'] })
  expectSuccess(full)
  const filesNow = await seatableFiles(bed.layout)
  for (const [name, tree] of Object.entries(filesAtBackup)) expect([name, diffFingerprints(tree, filesNow[name])]).toEqual([name, []])
})

it('rejects an unknown part name before touching the host', async () => {
  const backup = await runAction('action.yml', backupInputs())
  expectSuccess(backup)
  const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backup.outputs['backup-id'], parts: 'db-nope' })
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
  // Enough rows that the dump runs for a while, so it can be caught and killed.
  const columns = (await server.query("SELECT GROUP_CONCAT(CONCAT('`', column_name, '`')) FROM information_schema.columns WHERE table_schema = 'dtable_db' AND table_name = 'operation_log' AND extra NOT LIKE '%auto_increment%'")).trim()
  for (let doubling = 0; doubling < 7; doubling++) await server.query(`INSERT INTO operation_log (${columns}) SELECT ${columns} FROM operation_log`, 'dtable_db')
  const before = readdirSync(store)
  const backup = runAction('action.yml', { ...backupInputs(), databases: 'dtable_db', 'dtable-db-backup': 'false' })
  let killed = false
  for (let attempt = 0; attempt < 2000 && !killed; attempt++) {
    const dumper = processList().find(({ commandLine }) => /mariadb-dump .*--single-transaction/.test(commandLine) && !commandLine.includes('bash -c'))
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

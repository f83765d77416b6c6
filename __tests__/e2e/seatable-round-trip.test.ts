import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { diffFingerprints } from '../../scripts/fixtures/fingerprint.mjs'
import { DTABLE_DB_OBJECTS } from '../../scripts/fixtures/seatable/seatable-db.mjs'
import { expectSuccess, runAction, visibleLog, type ActionRun, sweepProcessesForSecrets } from '../support/action-runner.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { databaseFingerprint, plainText, seatableActionInputs, seatableBackupInputs, SEATABLE_DATABASES, seatableFiles, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'

// Secrets travel in this file's runs: watch every process's command line and environment too.
sweepProcessesForSecrets()

let server: MariaDbServer
let service: ResultsService

beforeAll(async () => {
  server = await startMariaDb()
  service = await startResultsService()
}, 120_000)

afterAll(async () => {
  await service?.stop()
  await server?.stop()
})

const seatableInputs = (bed: SeaTableBed, mode: 'docker' | 'direct'): Record<string, string> => seatableActionInputs(bed, server, mode)
const backupInputs = (bed: SeaTableBed, mode: 'docker' | 'direct', verify: 'drill' | 'checksum' = 'checksum'): Record<string, string> => seatableBackupInputs(bed, server, mode, verify)

async function wipe(bed: SeaTableBed): Promise<void> {
  await server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE ${name};`).join(' '))
  for (const dir of [bed.layout.root, bed.layout.composeDir, bed.layout.caddyDir]) if (dir) await rm(dir, { recursive: true, force: true })
}

/**
 * dtable_db's default collation (the fixture's utf8mb4_unicode_520_ci, which a dump does not carry) and the
 * SHOW CREATE row of each routine, trigger and event, whose last column is the Database Collation it runs
 * under. A trigger's Created is left out: no dump carries it, the import sets it.
 */
async function dtableDbDefinitions(): Promise<string[]> {
  const kinds = [
    ['PROCEDURE', DTABLE_DB_OBJECTS.procedures],
    ['FUNCTION', DTABLE_DB_OBJECTS.functions],
    ['TRIGGER', DTABLE_DB_OBJECTS.triggers],
    ['EVENT', DTABLE_DB_OBJECTS.events]
  ] as const
  const rows = [await server.query("SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = 'dtable_db'")]
  for (const [kind, names] of kinds) {
    for (const name of names) {
      const columns = (await server.query(`SHOW CREATE ${kind} dtable_db.${name}`)).replace(/\n$/, '').split('\t')
      rows.push(`${kind} ${(kind === 'TRIGGER' ? columns.slice(0, -1) : columns).join('\t')}`)
    }
  }
  return rows
}

async function expectNoPasswordStored(run: ActionRun): Promise<void> {
  for (const text of [visibleLog(run), run.stderr, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(server.rootPassword)
  for (const blob of await service.listStoredBlobs()) expect(plainText(blob.name, blob.bytes)).not.toContain(server.rootPassword)
}

// Each layout and each db-mode, not every pairing: the layout decides the files and containers, the
// db-mode only how SQL reaches the server, and each round trip costs a minute of a 2-core test run. The
// drill runs in one per layout: its throwaway server and imports cost the most of a backup here, and what
// it checks does not depend on the layout (drill.test.ts).
describe.each([
  ['current', 'docker', 'drill'],
  ['current', 'direct', 'checksum'],
  ['old', 'docker', 'drill']
] as const)('SeaTable %s layout, db-mode %s, verify %s', (kind, mode, verify) => {
  let bed: SeaTableBed

  beforeAll(async () => {
    bed = await startSeaTableBed(server, kind)
  }, 120_000)

  afterAll(async () => {
    await bed?.stop()
  })

  it('backs up into artifacts without the password on any command line, and restores from another run after a wipe', async () => {
    const tablesBefore = await databaseFingerprint(server)
    const definitionsBefore = await dtableDbDefinitions()
    expect(definitionsBefore[0]).toBe('utf8mb4\tutf8mb4_unicode_520_ci\n')
    const backupRun = service.newRun()
    const backup = await runAction('action.yml', backupInputs(bed, mode, verify), backupRun.env())
    expectSuccess(backup)
    // Taken after the backup: backup-all refreshed storage-data just before the data was archived.
    const filesBefore = await seatableFiles(bed.layout)
    // The run was sampled (every process's command line and environment, the password among the secrets looked for) and nothing held it.
    expect(backup.secretScan?.sweeps).toBeGreaterThan(5)
    // The drill's copy of dtable_db was created with the recorded default before the dump's first byte reached it.
    if (verify === 'drill') expect(backup.stdout).toMatch(/Drill passed for db-dtable_db in .*, default collation utf8mb4_unicode_520_ci \(character set utf8mb4\), as in the manifest/)
    else expect(backup.stdout).not.toMatch(/Drill passed/)
    expect(backup.secretScan?.leaks).toEqual([])
    const backupId = backup.outputs['backup-id']
    const names = (JSON.parse(backup.outputs.artifacts) as { name: string }[]).map(item => item.name.replace(`${backupId}.`, ''))
    expect(names).toEqual([
      'db-ccnet_db.sql.zst',
      'db-seafile_db.sql.zst',
      'db-dtable_db.sql.zst',
      'data.tar.zst',
      ...(kind === 'current' ? ['compose.tar.zst', 'caddy.tar.zst'] : []),
      'manifest.json'
    ])
    const shimCalls = await bed.shim.invocations()
    const backupAllAt = shimCalls.findIndex(call => call.argv.join(' ').includes('seatable.sh backup-all'))
    expect(backupAllAt).toBeGreaterThanOrEqual(0)
    if (mode === 'docker') {
      // backup-all runs beside the dumps, not after them: it starts before the dumps' last call into the database container.
      const lastDatabaseCall = shimCalls.reduce((last, call, index) => (call.argv[2] === bed.layout.containers.database ? index : last), -1)
      expect(backupAllAt).toBeLessThan(lastDatabaseCall)
    }
    expect(shimCalls.filter(call => call.argv.some(arg => /^-[a-z]*t/.test(arg)))).toEqual([])
    await expectNoPasswordStored(backup)
    // The vendor's excludes are left out of the data tarball itself (the file comparison skips them, so it cannot tell).
    const dataBlob = (await service.listStoredBlobs()).find(blob => blob.name.includes(`${backupId}.data.tar.zst`))
    const archived = new Set(
      execFileSync('tar', ['-t', '--zstd', '-f', '-'], { input: dataBlob?.bytes, maxBuffer: 1 << 28 })
        .toString()
        .split('\n')
        .map(entry => entry.replace(/^\.\//, '').split('/')[0])
        .filter(Boolean)
    )
    for (const excluded of bed.layout.dataExcludes) expect([excluded, archived.has(excluded)]).toEqual([excluded, false])
    for (const kept of ['conf', 'seafile-data', 'seahub-data', 'storage-data']) expect([kept, archived.has(kept)]).toEqual([kept, true])

    await wipe(bed)
    const restore = await runAction('restore/action.yml', { ...seatableInputs(bed, mode), 'run-id': String(backupRun.runId), 'github-token': service.githubToken }, service.newRun().env())
    expectSuccess(restore)
    expect(await databaseFingerprint(server)).toEqual(tablesBefore)
    expect(await dtableDbDefinitions()).toEqual(definitionsBefore)
    expect(restore.stdout + restore.summary).toMatch(
      /dtable_db: swapped in; \d+ tables with the backup's row counts \(checked before the stop\), 1 view, 2 triggers, 1 procedure, 1 function, 1 event, default collation utf8mb4_unicode_520_ci \(character set utf8mb4\); the tables it replaced are kept in the database dtable_db__kept_\d{8}T\d{6}Z_[0-9a-f]{6}/
    )
    const filesAfter = await seatableFiles(bed.layout)
    for (const [name, tree] of Object.entries(filesBefore)) expect([name, diffFingerprints(tree, filesAfter[name])]).toEqual([name, []])
    expect((await bed.shim.invocations()).some(call => call.argv.join(' ').includes('seatable.sh restore-all'))).toBe(true)
    expect(visibleLog(restore) + restore.summary).not.toContain(server.rootPassword)
  })
})

describe('SeaTable options', () => {
  let bed: SeaTableBed

  beforeAll(async () => {
    bed = await startSeaTableBed(server, 'current')
  }, 120_000)

  afterAll(async () => {
    await bed?.stop()
  })

  it('with skip-log-tables keeps the four log tables, empty, and everything else equal', async () => {
    const tablesBefore = await databaseFingerprint(server)
    const run = service.newRun()
    expectSuccess(await runAction('action.yml', { ...backupInputs(bed, 'docker'), 'skip-log-tables': 'true' }, run.env()))
    await wipe(bed)
    expectSuccess(await runAction('restore/action.yml', seatableInputs(bed, 'docker'), run.env(), { githubToken: service.githubToken }))
    const tablesAfter = await databaseFingerprint(server)
    const logTables = ['operation_log', 'delete_operation_log', 'session_log', 'activities']
    for (const table of logTables) {
      expect(await server.query(`SELECT COUNT(*) FROM ${table}`, 'dtable_db')).toBe('0\n')
      delete tablesBefore[`dtable_db.${table}`]
      delete tablesAfter[`dtable_db.${table}`]
    }
    expect(tablesAfter).toEqual(tablesBefore)
  })

  it('restores with the SeaTable container stopped by stop-command: the databases imported beside the live ones before it, restore-all after start-command', async () => {
    const run = service.newRun()
    const backup = await runAction('action.yml', backupInputs(bed, 'docker'), run.env())
    expectSuccess(backup)
    const callsBefore = (await bed.shim.invocations()).length
    const container = bed.layout.containers.seatable
    const restore = await runAction(
      'restore/action.yml',
      { ...seatableInputs(bed, 'docker'), 'backup-id': backup.outputs['backup-id'], 'stop-command': `docker stop ${container}`, 'start-command': `docker start ${container}` },
      run.env(),
      { githubToken: service.githubToken }
    )
    expectSuccess(restore)
    const calls = (await bed.shim.invocations()).slice(callsBefore).map(call => call.argv.join(' '))
    const at = (text: string): number => calls.findIndex(call => call.includes(text))
    // The databases are imported beside the live ones while SeaTable runs; nothing is dumped (the swap keeps
    // the live tables), and the files need no backup-all: the swap keeps them as the stop left them.
    expect(at('--database=dtable_db__incoming_')).toBeGreaterThanOrEqual(0)
    expect(at('--database=dtable_db__incoming_')).toBeLessThan(at(`stop ${container}`))
    expect(at('mysqldump')).toBe(-1)
    expect(at('seatable.sh backup-all')).toBe(-1)
    expect(at(`stop ${container}`)).toBeLessThan(at(`start ${container}`))
    expect(at(`start ${container}`)).toBeLessThan(at('seatable.sh restore-all'))
    expect(restore.stdout).toMatch(/The tables the restore replaced are kept, by RENAME TABLE, in the databases: (ccnet|seafile|dtable)_db__kept_/)
    expect(JSON.parse(restore.outputs['safety-copy-databases'])).toHaveLength(3)
    expect(restore.stdout).toMatch(/What the restore replaced is kept, by rename, in: /)
  })

  it('refuses to store the compose .env as a plain artifact unless told to, before anything is backed up', async () => {
    const run = service.newRun()
    const callsBefore = (await bed.shim.invocations()).length
    const backup = await runAction('action.yml', { ...backupInputs(bed, 'docker'), 'allow-unencrypted-secrets': 'false' }, run.env())
    expect(backup.exitCode).toBe(1)
    expect(backup.stdout).toMatch(/Input 'encrypt-to': is empty, and this backup would store .*seatable-compose\/\.env \(the database password.*\) as a plain artifact/)
    expect(backup.stdout).toMatch(/How to fix: set encrypt-to .* or set allow-unencrypted-secrets: true/)
    expect(
      (await bed.shim.invocations())
        .slice(callsBefore)
        .map(call => call.argv.join(' '))
        .filter(call => /dump|backup-all/.test(call))
    ).toEqual([])
    const listing = await fetch(`${service.apiUrl}/repos/${service.repository}/actions/runs/${run.runId}/artifacts`, { headers: { Authorization: `Bearer ${service.githubToken}` } })
    expect(((await listing.json()) as { total_count: number }).total_count).toBe(0)
  })

  it('fails clearly with a wrong password, leaving no backup behind', async () => {
    const run = service.newRun()
    const backup = await runAction('action.yml', { ...backupInputs(bed, 'docker'), 'db-password': 'wrong-password' }, run.env())
    expect(backup.exitCode).toBe(1)
    expect(backup.stdout).toMatch(/Input 'db-password': the database server .* refused user root/)
    expect(visibleLog(backup)).not.toContain('wrong-password')
    const listing = await fetch(`${service.apiUrl}/repos/${service.repository}/actions/runs/${run.runId}/artifacts`, { headers: { Authorization: `Bearer ${service.githubToken}` } })
    expect(((await listing.json()) as { total_count: number }).total_count).toBe(0)
  })

  it('fails clearly when the database container is missing or a database does not exist', async () => {
    const missing = await runAction('action.yml', { ...backupInputs(bed, 'docker'), 'db-container': 'no-such-db' }, service.newRun().env())
    expect(missing.exitCode).toBe(1)
    expect(missing.stdout).toMatch(/the database container no-such-db is not running/)
    const noDatabase = await runAction('action.yml', { ...backupInputs(bed, 'docker'), databases: 'ccnet_db nope_db' }, service.newRun().env())
    expect(noDatabase.exitCode).toBe(1)
    expect(noDatabase.stdout).toMatch(/the database nope_db does not exist/)
  })
})

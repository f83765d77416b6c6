/**
 * The database busy during the backup (issue 6): SeaTable's MariaDB takes a stream of writes while
 * it is dumped. Each dump must be one consistent snapshot (--single-transaction), and the manifest
 * must keep a row-count range for tables that changed during the dump, so the restore's own
 * row-count check accepts the snapshot instead of failing on it. (Busy Tabby SQLite: see
 * __tests__/e2e/tabby-round-trip.test.ts.)
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectSuccess, runAction } from '../support/action-runner.js'
import { faultCase, runnerLeftovers, waitFor } from '../support/fault-checks.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { createCounterTable, startBusyWriter, writerState, type BusyWriter } from '../support/mariadb-writer.js'
import { seatableActionInputs, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'

const SUITE = '__tests__/faults/busy-database.test.ts'
let server: MariaDbServer
let bed: SeaTableBed
let store: string

beforeAll(async () => {
  server = await startMariaDb()
  bed = await startSeaTableBed(server, 'current')
  // ~24k operation_log rows, so the dump of dtable_db takes a while and the writers commit during it.
  const columns = 'op_id, op_time, dtable_uuid, author, app, operation'
  for (let doubling = 0; doubling < 3; doubling++) await server.query(`INSERT INTO operation_log (${columns}) SELECT ${columns} FROM operation_log`, 'dtable_db')
  store = await mkdtemp(join(tmpdir(), 'sb-busy-db-store-'))
}, 180_000)

afterAll(async () => {
  await bed?.stop()
  await server?.stop()
  if (store) await rm(store, { recursive: true, force: true })
})

const inputs = (): Record<string, string> => ({ ...seatableActionInputs(bed, server, 'docker'), store: 'local', 'store-path': store })

interface DumpRecord {
  name: string
  tables?: Record<string, number>
  details?: { rowCountRanges?: Record<string, [number, number]> }
}

faultCase(
  SUITE,
  'dumps a consistent snapshot while two writers commit to dtable_db, and the restore accepts it by its row-count range',
  async () => {
    await createCounterTable(server, 'dtable_db', 2)
    const writers: BusyWriter[] = [startBusyWriter(server, 'dtable_db', 1), startBusyWriter(server, 'dtable_db', 2)]
    let stopped = false
    const stopWriters = async (): Promise<void> => {
      if (stopped) return
      stopped = true
      await Promise.all(writers.map(writer => writer.stop()))
    }
    try {
      const total = async (): Promise<number> => (await writerState(server, 'dtable_db', writers)).reduce((sum, state) => sum + state.counter, 0)
      expect(await waitFor(async () => (await total()) > 200, 30_000, 50)).toBe(true)
      const atStart = await total()
      const backup = await runAction('action.yml', { ...inputs(), verify: 'checksum' }, {}, { keepRunnerTemp: true })
      const atEnd = await total()
      await stopWriters()
      expectSuccess(backup)
      expect(await runnerLeftovers(backup)).toEqual([])
      console.log(`busy database: ${atEnd - atStart} writer commits during the backup (${atStart} before it)`)
      // The writers really were writing throughout, not just before the backup began.
      expect(atEnd - atStart).toBeGreaterThan(100)

      const backupId = backup.outputs['backup-id']
      const manifest = JSON.parse(readFileSync(join(store, backupId, `${backupId}.manifest.json`), 'utf8')) as { parts: DumpRecord[] }
      const dump = manifest.parts.find(part => part.name === 'db-dtable_db')
      const range = dump?.details?.rowCountRanges?.operation_log
      // Counted before and after the dump, which the writers both outpaced: a range, not one number.
      expect(range).toEqual([expect.any(Number), expect.any(Number)])
      expect((range as [number, number])[1]).toBeGreaterThan((range as [number, number])[0])
      expect(dump?.tables?.busy_writer_counter).toBe(2)

      const restore = await runAction('restore/action.yml', { ...inputs(), 'backup-id': backupId }, {}, { keepRunnerTemp: true })
      expectSuccess(restore)
      expect(await runnerLeftovers(restore)).toEqual([])
      // The restore compares every table with the manifest (ranges included) and fails on a mismatch.
      expect(restore.summary).toMatch(/dtable_db: swapped in; \d+ tables with the backup's row counts/)

      const restored = await writerState(server, 'dtable_db', writers)
      for (const { author, counter, rows } of restored) {
        // The invariant: every committed counter bump came with its row, and no row without its bump.
        expect({ author, counter }).toEqual({ author, counter: rows })
      }
      const restoredTotal = restored.reduce((sum, state) => sum + state.counter, 0)
      expect(restoredTotal).toBeGreaterThanOrEqual(atStart)
      expect(restoredTotal).toBeLessThanOrEqual(atEnd)
      const restoredLog = Number((await server.query('SELECT COUNT(*) FROM operation_log', 'dtable_db')).trim())
      expect(restoredLog).toBeGreaterThanOrEqual((range as [number, number])[0])
      expect(restoredLog).toBeLessThanOrEqual((range as [number, number])[1])
    } finally {
      await stopWriters()
    }
  },
  150_000
)

/**
 * Everything the benchmark runs against, started once: MariaDB, the SeaTable host (real sshd,
 * docker shim) with the bulk dataset, the Tabby root, the artifact-service emulator, and the
 * byte-counting proxy in front of sshd that every procedure connects through.
 */
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { workspaceRepoIds } from '../../scripts/fixtures/seatable/seatable-ids.mjs'
import { startMariaDb, type MariaDbServer } from '../../__tests__/support/mariadb.js'
import { startResultsService, type ResultsService } from '../../__tests__/support/results-service/index.js'
import { startSeaTableBed, type SeaTableBed } from '../../__tests__/support/seatable-bed.js'
import { ContentSource } from '../dataset/file-content.js'
import { planDataFiles, writeDataFiles, type DataFile } from '../dataset/seatable-files.js'
import { fillOperationLog } from '../dataset/seatable-rows.js'
import { buildTabbyRoot } from '../dataset/tabby-root.js'
import type { BenchKnobs } from '../knobs.js'
import { startByteProxy, type ByteProxy } from '../measure/byte-proxy.js'
import type { MeasureContext } from '../measure/measure.js'
import { createSshClient, type SshClient } from './ssh-client.js'

/** The default dataset of the issue, multiplied by BENCH_SCALE. */
export const DEFAULT_DATASET = { dataFiles: 50_000, dataBytes: 2_000_000_000, operationLogRows: 1_000_000, tabbyDatabaseBytes: 200_000_000, tabbyEventFiles: 5_000 }

/** MariaDB 10.11's own defaults (the test server starts with 64 MB and 16 MB). */
export const MARIADB_DEFAULTS = { bufferPoolBytes: 128 * 1024 * 1024, logFileBytes: 96 * 1024 * 1024 }

export interface DatasetFacts {
  scale: number
  dataFiles: number
  dataBytes: number
  operationLogRows: number
  tabbyDatabaseBytes: number
  tabbyEventFiles: number
}

export interface BenchBed {
  work: string
  server: MariaDbServer
  seatable: SeaTableBed
  service: ResultsService
  proxy: ByteProxy
  ssh: SshClient
  /** The host-temp-dir input, and where the manual procedure's .backup goes. */
  hostTempDir: string
  tabbyRoot: string
  content: ContentSource
  /** The bulk files in the SeaTable data directory (the incremental phase changes 1% of them). */
  dataFiles: DataFile[]
  dataset: DatasetFacts
  measureContext: MeasureContext
  /** Fresh directory under the work dir (removed first if it exists). */
  scratch(name: string): Promise<string>
  stop(): Promise<void>
}

export function scaledDataset(scale: number): DatasetFacts {
  const scaled = (value: number) => Math.max(1, Math.round(value * scale))
  return {
    scale,
    dataFiles: scaled(DEFAULT_DATASET.dataFiles),
    dataBytes: scaled(DEFAULT_DATASET.dataBytes),
    operationLogRows: scaled(DEFAULT_DATASET.operationLogRows),
    tabbyDatabaseBytes: scaled(DEFAULT_DATASET.tabbyDatabaseBytes),
    tabbyEventFiles: scaled(DEFAULT_DATASET.tabbyEventFiles)
  }
}

export async function startBenchBed(knobs: BenchKnobs, log: (line: string) => void): Promise<BenchBed> {
  const stops: (() => Promise<void>)[] = []
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(error => log(`cleanup: ${(error as Error).message}`))
  }
  try {
    const work = await mkdtemp(join(tmpdir(), 'selfhost-bench-'))
    stops.push(() => rm(work, { recursive: true, force: true }))
    await chmod(work, 0o711) // the login user reaches the host-temp-dir by name
    const server = await startMariaDb()
    stops.push(() => server.stop())
    // The test server's InnoDB sizes are tiny (many servers, little data); a SeaTable database container
    // runs with MariaDB's defaults, which bulk imports (manual and ours alike) depend on.
    await server.query(`SET GLOBAL innodb_buffer_pool_size = ${MARIADB_DEFAULTS.bufferPoolBytes}; SET GLOBAL innodb_log_file_size = ${MARIADB_DEFAULTS.logFileBytes};`)
    log(`MariaDB: ${(await server.query('SELECT @@innodb_buffer_pool_size DIV 1048576, @@innodb_log_file_size DIV 1048576')).trim().replace('\t', ' MB buffer pool, ')} MB redo log`)
    const seatable = await startSeaTableBed(server, 'current')
    stops.push(() => seatable.stop())
    const service = await startResultsService()
    stops.push(() => service.stop())
    const sshdPid = Number((await readFile(join(seatable.host.tempDir, 'sshd.pid'), 'utf8')).trim())
    const proxy = await startByteProxy(seatable.host.port)
    stops.push(() => proxy.stop())
    await mkdir(join(work, 'ssh'), { mode: 0o700 })
    const ssh = await createSshClient(join(work, 'ssh'), seatable.host, proxy.port)
    const hostTempDir = join(work, 'host-tmp')
    await mkdir(hostTempDir)
    await chmod(hostTempDir, 0o1777)
    await mkdir(join(work, 'runner-tmp')) // TMPDIR of the action's process
    await mkdir(join(work, 'runner-temp')) // RUNNER_TEMP of the action: where it stages chunks and downloads

    const dataset = scaledDataset(knobs.scale)
    const content = new ContentSource(knobs.seed)
    let dataFiles: DataFile[] = []
    if (knobs.apps.includes('seatable')) {
      let started = performance.now()
      dataFiles = planDataFiles({ files: dataset.dataFiles, bytes: dataset.dataBytes, seed: knobs.seed, label: '', repos: workspaceRepoIds(1) })
      await writeDataFiles(seatable.layout.root, dataFiles, content)
      log(`dataset: ${dataset.dataFiles} data files, ${(dataset.dataBytes / 1e9).toFixed(2)} GB in ${seconds(started)}`)
      started = performance.now()
      await fillOperationLog(server, dataset.operationLogRows, knobs.seed, work)
      log(`dataset: dtable_db.operation_log with ${dataset.operationLogRows} rows in ${seconds(started)}`)
    }
    // The Tabby root is always built: it is small, and its database size is part of the report.
    const started = performance.now()
    const tabbyRoot = join(work, 'tabby', 'root')
    const tabby = await buildTabbyRoot(tabbyRoot, { eventFiles: dataset.tabbyEventFiles, databaseBytes: dataset.tabbyDatabaseBytes, seed: knobs.seed })
    log(`dataset: Tabby root with ${tabby.eventFiles.length} event files and a ${(tabby.databaseBytes / 1e6).toFixed(0)} MB database in ${seconds(started)}`)

    return {
      work,
      server,
      seatable,
      service,
      proxy,
      ssh,
      hostTempDir,
      tabbyRoot,
      content,
      dataFiles,
      dataset,
      measureContext: {
        proxy,
        // New entries in /tmp count when a process of an SSH session on the test host uses them.
        sampling: {
          hostTempDirs: [hostTempDir],
          runnerTempDirs: [join(work, 'runner-temp')],
          newEntriesIn: [tmpdir()],
          hostRoots: [sshdPid],
          servers: { mariadbd: server.pid, azurite: service.azuritePid, 'ssh byte proxy': proxy.pid, 'jest (emulator, samplers)': process.pid }
        }
      },
      async scratch(name) {
        const path = join(work, name)
        await rm(path, { recursive: true, force: true })
        await mkdir(path, { recursive: true })
        return path
      },
      stop: stopAll
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

export function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`
}

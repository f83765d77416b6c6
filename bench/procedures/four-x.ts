/**
 * The memory check: the dataset grown to 4× (more data files, operation_log rows, a 4× Tabby root),
 * then backups and restores by the action to the local store (as many runs as the default dataset's rows),
 * whose runner peak RSS and runner disk must stay within 10% of the default dataset's.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { workspaceRepoIds } from '../../scripts/fixtures/seatable/seatable-ids.mjs'
import { planDataFiles, writeDataFiles } from '../dataset/seatable-files.js'
import { fillOperationLog } from '../dataset/seatable-rows.js'
import { buildTabbyRoot } from '../dataset/tabby-root.js'
import type { BenchKnobs } from '../knobs.js'
import { seconds, type BenchBed } from './bench-bed.js'
import { runSuite, type Recorded } from './run-suite.js'
import { seatableSuite } from './seatable.js'
import { tabbySuite } from './tabby.js'
import type { AppSuite } from './variant.js'

/** Only ours-local, as many runs as the default dataset's rows had (BENCH_RUNS), so both sides of the comparison are the same statistic. */
function measureOursLocal(suite: AppSuite, bed: BenchBed, runs: number, log: (line: string) => void): Promise<Recorded[]> {
  const oursLocal = (variants: AppSuite['backups']) => variants.filter(variant => variant.name === 'ours-local')
  return runSuite({ ...suite, backups: oursLocal(suite.backups), restores: oursLocal(suite.restores) }, runs, bed.measureContext, log, '4x')
}

export interface FourXResult {
  recorded: Recorded[]
  /** Size of the 4× Tabby database (the host temp limit of its backup). */
  tabbyDatabaseBytes?: number
}

export async function runFourX(bed: BenchBed, knobs: BenchKnobs, log: (line: string) => void): Promise<FourXResult> {
  const recorded: Recorded[] = []
  let tabbyDatabaseBytes: number | undefined
  const { dataset } = bed
  if (knobs.apps.includes('seatable')) {
    let started = performance.now()
    const extra = planDataFiles({ files: 3 * dataset.dataFiles, bytes: 3 * dataset.dataBytes, seed: knobs.seed + 4, label: 'x4-', repos: workspaceRepoIds(1) })
    await writeDataFiles(bed.seatable.layout.root, extra, bed.content)
    log(`4x dataset: ${extra.length} more data files in ${seconds(started)}`)
    started = performance.now()
    await fillOperationLog(bed.server, 4 * dataset.operationLogRows, knobs.seed + 4, bed.work)
    log(`4x dataset: operation_log at ${4 * dataset.operationLogRows} rows in ${seconds(started)}`)
    recorded.push(...(await measureOursLocal(seatableSuite(bed, knobs), bed, knobs.runs, log)))
  }
  if (knobs.apps.includes('tabby')) {
    const started = performance.now()
    const root = join(bed.work, 'tabby-4x', 'root')
    const tabby = await buildTabbyRoot(root, { eventFiles: 4 * dataset.tabbyEventFiles, databaseBytes: 4 * dataset.tabbyDatabaseBytes, seed: knobs.seed + 4 })
    tabbyDatabaseBytes = tabby.databaseBytes
    log(`4x dataset: Tabby root with ${tabby.eventFiles.length} event files and a ${(tabby.databaseBytes / 1e6).toFixed(0)} MB database in ${seconds(started)}`)
    try {
      recorded.push(...(await measureOursLocal(tabbySuite(bed, knobs, root), bed, knobs.runs, log)))
    } finally {
      await rm(join(bed.work, 'tabby-4x'), { recursive: true, force: true })
    }
  }
  return { recorded, tabbyDatabaseBytes }
}

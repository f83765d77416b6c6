/**
 * The incremental phase: a full backup with `incremental: true`, 1% of the data files changed
 * (modified, added, deleted), a second backup, then the chain restored with the restore action
 * into a fresh directory and compared file by file with the source. Until the backup action has
 * the `incremental` and `full-every` inputs, the phase reports "not available" instead of failing.
 */
import { rm } from 'node:fs/promises'
import { diffFingerprints, fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import { seatableActionInputs, SEATABLE_DATABASES } from '../../__tests__/support/seatable-bed.js'
import { changeDataFiles, type ChangeSummary } from '../dataset/seatable-files.js'
import type { BenchKnobs } from '../knobs.js'
import { measure, type Measurement } from '../measure/measure.js'
import type { BenchBed } from './bench-bed.js'
import { runOurs } from './ours.js'

export const CHANGED_FRACTION = 0.01

export interface IncrementalResult {
  status: 'measured' | 'not available' | 'failed'
  reason?: string
  full?: Measurement
  incremental?: Measurement
  restore?: Measurement
  changes?: ChangeSummary
  /** Differences between the restored data directory and the source; empty = same fingerprint. */
  differences?: string[]
}

const UNKNOWN_INPUT = /has no input (incremental|full-every)|Unexpected input|unknown input|not a valid input/i

export async function runIncremental(bed: BenchBed, knobs: BenchKnobs, log: (line: string) => void): Promise<IncrementalResult> {
  const { layout } = bed.seatable
  const storePath = await bed.scratch('store-incremental')
  const backupInputs = { ...seatableActionInputs(bed.seatable, bed.server, 'docker'), verify: knobs.verify, incremental: 'true', 'full-every': '7', store: 'local', 'store-path': storePath }
  const result: IncrementalResult = { status: 'failed' }
  let target = ''
  try {
    let fullId = ''
    result.full = await measure(bed.measureContext, async track => {
      fullId = (await runOurs(bed, 'action.yml', backupInputs, {}, track)).outputs['backup-id']
    })
    log(`incremental: full backup ${fullId}: ${result.full.seconds.toFixed(1)} s, ${(result.full.sshBytes / 1e6).toFixed(1)} MB over SSH`)
    const changed = await changeDataFiles(layout.root, bed.dataFiles, CHANGED_FRACTION, bed.content, knobs.seed)
    bed.dataFiles = changed.files
    result.changes = changed.summary
    let incrementalId = ''
    result.incremental = await measure(bed.measureContext, async track => {
      incrementalId = (await runOurs(bed, 'action.yml', backupInputs, {}, track)).outputs['backup-id']
    })
    log(`incremental: second backup ${incrementalId}: ${result.incremental.seconds.toFixed(1)} s, ${(result.incremental.sshBytes / 1e6).toFixed(1)} MB over SSH`)
    await bed.server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE IF EXISTS ${name};`).join(' '))
    target = await bed.scratch('restore-incremental')
    await rm(target, { recursive: true })
    const restoreInputs = { ...seatableActionInputs(bed.seatable, bed.server, 'docker'), 'seatable-root': target, store: 'local', 'store-path': storePath, 'backup-id': incrementalId }
    result.restore = await measure(bed.measureContext, async track => {
      await runOurs(bed, 'restore/action.yml', restoreInputs, {}, track)
    })
    const [source, restored] = await Promise.all([fingerprintTree(layout.root, { exclude: layout.dataExcludes }), fingerprintTree(target, { exclude: layout.dataExcludes })])
    result.differences = diffFingerprints(source, restored)
    log(`incremental: chain restored in ${result.restore.seconds.toFixed(1)} s, ${result.differences.length} differences from the source`)
    result.status = 'measured'
  } catch (error) {
    const message = (error as Error).message
    result.status = UNKNOWN_INPUT.test(message) ? 'not available' : 'failed'
    result.reason = result.status === 'not available' ? 'the backup action has no `incremental` / `full-every` inputs yet' : message.split('\n').slice(0, 12).join('\n')
    log(`incremental: ${result.status}: ${result.reason}`)
  } finally {
    if (target) await rm(target, { recursive: true, force: true })
    await rm(storePath, { recursive: true, force: true })
  }
  return result
}

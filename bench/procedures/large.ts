/**
 * The "large" phase (issue 12): one SeaTable backup to the artifact emulator, encrypted and drilled, and
 * one restore from it, both with RUNNER_TEMP on a tmpfs of its own that is smaller than the data
 * directory. It passes when the restored data directory and databases match the source exactly; the
 * rows record the peak runner disk (the whole tmpfs) and RSS as every other row does.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { diffFingerprints, fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import { databaseFingerprint, seatableActionInputs, SEATABLE_DATABASES } from '../../__tests__/support/seatable-bed.js'
import { measure } from '../measure/measure.js'
import type { BenchBed } from './bench-bed.js'
import { runOurs, stagesOf } from './ours.js'
import type { Recorded } from './run-suite.js'

const MIB = 1024 * 1024
/** Room for a few chunks of each part made at once and the drill's throwaway MariaDB (its redo log alone is 64 MiB). */
const RUNNER_TEMP_BYTES = 192 * MIB
const CHUNK_SIZE = '8M'

export interface LargeResult {
  dataBytes: number
  runnerTempBytes: number
  chunkSize: string
  /** Whether the restored data directory and databases equal the source's; the differences otherwise. */
  matched: boolean
  differences: string[]
}

/** Null when the dataset is too small to be larger than the RUNNER_TEMP this phase gives the action. */
export async function runLarge(bed: BenchBed, log: (line: string) => void): Promise<{ recorded: Recorded[]; result: LargeResult } | null> {
  const dataBytes = bed.dataset.dataBytes
  if (dataBytes < 2 * RUNNER_TEMP_BYTES) {
    log(`large: skipped, the data directory (${(dataBytes / 1e6).toFixed(0)} MB) is not at least twice the ${RUNNER_TEMP_BYTES / MIB} MiB RUNNER_TEMP (BENCH_SCALE ≥ 0.2)`)
    return null
  }
  const runnerTemp = await mkdtemp(join(bed.work, 'runner-temp-large-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${RUNNER_TEMP_BYTES},mode=0700`, 'tmpfs', runnerTemp])
  const keys = await mkdtemp(join(bed.work, 'large-age-'))
  const restoreRoot = join(bed.work, 'restore-large')
  try {
    execFileSync('age-keygen', ['-o', join(keys, 'identity.txt')], { stdio: 'ignore' })
    const recipient = execFileSync('age-keygen', ['-y', join(keys, 'identity.txt')], { encoding: 'utf8' }).trim()
    const identity = await readFile(join(keys, 'identity.txt'), 'utf8')
    const context = { ...bed.measureContext, sampling: { ...bed.measureContext.sampling, runnerTempDirs: [runnerTemp] } }
    const inputs = seatableActionInputs(bed.seatable, bed.server, 'docker')
    const filesBefore = await fingerprintTree(bed.seatable.layout.root, { exclude: bed.seatable.layout.dataExcludes })
    const tablesBefore = await databaseFingerprint(bed.server)

    const run = bed.service.newRun()
    let backupId = ''
    const backup = await measure(context, async track => {
      const step = await runOurs(bed, 'action.yml', { ...inputs, 'encrypt-to': recipient, verify: 'drill', 'chunk-size': CHUNK_SIZE }, { ...run.env(), RUNNER_TEMP: runnerTemp }, track)
      backupId = step.outputs['backup-id']
      if (step.outputs.verified !== 'true') throw new Error(`the large backup was not drill-verified: ${step.stdout.slice(-2000)}`)
      return stagesOf(step)
    })
    log(
      `large seatable backup ours-artifact: ${backup.seconds.toFixed(1)} s, runner tmp peak ${(backup.peakRunnerTempBytes / 1e6).toFixed(0)} MB, RSS ${((backup.peakRssBytes ?? 0) / 1e6).toFixed(0)} MB`
    )
    // The manifest the backup left for its `manifest` output is the only thing in RUNNER_TEMP; the restore starts from an empty one.
    execFileSync('bash', ['-c', 'rm -rf -- "$1"/* "$1"/.[!.]* 2>/dev/null || true', 'clear', runnerTemp])

    await bed.server.query(SEATABLE_DATABASES.map(name => `DROP DATABASE IF EXISTS ${name};`).join(' '))
    await rm(restoreRoot, { recursive: true, force: true })
    const restore = await measure(context, async track => {
      await runOurs(
        bed,
        'restore/action.yml',
        { ...inputs, 'seatable-root': restoreRoot, 'backup-id': backupId, 'run-id': String(run.runId), 'github-token': bed.service.githubToken, 'age-identity': identity },
        { ...bed.service.newRun().env(), RUNNER_TEMP: runnerTemp },
        track,
        bed.service.githubToken
      )
    })
    log(
      `large seatable restore ours-artifact: ${restore.seconds.toFixed(1)} s, runner tmp peak ${(restore.peakRunnerTempBytes / 1e6).toFixed(0)} MB, RSS ${((restore.peakRssBytes ?? 0) / 1e6).toFixed(0)} MB`
    )

    const differences = [
      ...diffFingerprints(filesBefore, await fingerprintTree(restoreRoot, { exclude: bed.seatable.layout.dataExcludes })),
      ...Object.entries(await databaseFingerprint(bed.server)).flatMap(([name, digest]) => (digest === tablesBefore[name] ? [] : [`database ${name} differs`]))
    ]
    log(`large: round trip ${differences.length === 0 ? 'matched' : `DIFFERS (${differences.slice(0, 5).join('; ')})`}`)
    return {
      recorded: [
        { app: 'seatable', operation: 'backup', variant: 'ours-artifact', dataset: 'large', runs: [backup] },
        { app: 'seatable', operation: 'restore', variant: 'ours-artifact', dataset: 'large', runs: [restore] }
      ],
      result: { dataBytes, runnerTempBytes: RUNNER_TEMP_BYTES, chunkSize: CHUNK_SIZE, matched: differences.length === 0, differences: differences.slice(0, 20) }
    }
  } finally {
    execFileSync('umount', [runnerTemp])
    await rm(runnerTemp, { recursive: true, force: true })
    await rm(keys, { recursive: true, force: true })
    await rm(restoreRoot, { recursive: true, force: true })
  }
}

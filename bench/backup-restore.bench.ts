/**
 * `npm run bench`: builds the dataset on the test bed and measures backup and restore side by side
 * (manual procedure, floor, the bundled action to the local store and to the artifact emulator),
 * then the incremental phase and the 4× memory check; prints the table with the targets, writes
 * bench/results/latest.json and the README's performance table. Knobs: bench/README.md.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { readKnobs } from './knobs.js'
import { startBenchBed } from './procedures/bench-bed.js'
import { runFourX } from './procedures/four-x.js'
import { runIncremental, type IncrementalResult } from './procedures/incremental.js'
import { runLarge } from './procedures/large.js'
import { runSuite, type Recorded } from './procedures/run-suite.js'
import { seatableSuite } from './procedures/seatable.js'
import { tabbySuite } from './procedures/tabby.js'
import { bundleVersion, formatFullReport, machineInfo, readResults, updateReadme, writeResults, type BenchResults } from './report/results.js'
import { summarize } from './report/summary.js'
import { evaluateTargets } from './report/targets.js'

const benchStarted = performance.now()
const log = (line: string): void => {
  const elapsed = Math.round((performance.now() - benchStarted) / 1000)
  process.stdout.write(`[bench ${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(elapsed % 60).padStart(2, '0')}] ${line}\n`)
}

const NOTES = [
  "manual = the vendor docs' commands run from the runner over SSH into an empty local folder (rsync -az, sequential mysqldump --opt); floor = the same bytes read and zstd-compressed on the host and discarded (all parts at once); restores go to an empty directory and emptied databases, except ours-local-over-live: over a copy of the live directory and the live databases, with the default safety copy (the databases' tables kept by RENAME TABLE, the files by the swap's renames).",
  'runner and host are one machine here, so both share the two cores and the disk; the page cache is warm (the dataset was just written) and `sync` runs before each timed run; MariaDB runs with its default InnoDB sizes.'
]

async function publish(results: BenchResults, updateReadmeToo: boolean): Promise<void> {
  process.stdout.write(`\n${formatFullReport(results)}\n\n`)
  log(`results written to ${await writeResults(results)}`)
  if (updateReadmeToo) {
    await updateReadme(results)
    log('README.md performance table updated')
  }
}

it('measures backup and restore: manual procedure, floor, and the bundled action', async () => {
  const knobs = readKnobs()
  if (knobs.reportOnly) {
    await publish(await readResults(knobs), knobs.updateReadme)
    return
  }
  log(
    `scale ${knobs.scale}, ${knobs.runs} run(s), apps ${knobs.apps.join(' ')}, verify ${knobs.verify}, 4x ${knobs.fourX ? 'on' : 'off'}, incremental ${knobs.incremental ? 'on' : 'off'}, large ${knobs.large ? 'on' : 'off'}`
  )
  const bed = await startBenchBed(knobs, log)
  try {
    // Taken when the measurements begin: another checkout's `npm run bundle` during the setup does not mix versions.
    const bundle = bundleVersion()
    const tabbyDatabaseFileBytes = statSync(join(bed.tabbyRoot, 'ee/db.sqlite')).size
    const recorded: Recorded[] = []
    for (const app of knobs.apps) {
      const suite = app === 'seatable' ? seatableSuite(bed, knobs) : tabbySuite(bed, knobs)
      recorded.push(...(await runSuite(suite, knobs.runs, bed.measureContext, log)))
    }
    // Before the 4× phase grows the data: the large phase is about RUNNER_TEMP, not about more data.
    const large = knobs.large && knobs.apps.includes('seatable') ? await runLarge(bed, log) : null
    recorded.push(...(large?.recorded ?? []))
    let incremental: IncrementalResult | undefined
    if (knobs.incremental && knobs.apps.includes('seatable')) incremental = await runIncremental(bed, knobs, log)
    const fourX = knobs.fourX ? await runFourX(bed, knobs, log) : undefined
    recorded.push(...(fourX?.recorded ?? []))
    const tabbyDatabaseBytes = { default: tabbyDatabaseFileBytes, ...(fourX?.tabbyDatabaseBytes ? { '4x': fourX.tabbyDatabaseBytes } : {}) }

    const rows = summarize(recorded)
    const bundleNow = bundleVersion()
    const changed = bundleNow.backup !== bundle.backup || bundleNow.restore !== bundle.restore
    if (changed) log('WARNING: dist/ was rebuilt during the run; the figures mix two versions of the bundles')
    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      bundle,
      knobs,
      dataset: { ...bed.dataset, tabbyDatabaseFileBytes },
      totalSeconds: Math.round((performance.now() - benchStarted) / 1000),
      rows,
      incremental,
      ...(large ? { large: large.result } : {}),
      targets: evaluateTargets({ rows, incremental, tabbyDatabaseBytes, large: large?.result }),
      notes: changed ? [...NOTES, `dist/ was rebuilt during this run (backup ${bundleNow.backup}, restore ${bundleNow.restore} at the end): the figures mix two versions; run again.`] : NOTES
    }
    await publish(results, knobs.updateReadme)
  } finally {
    await bed.stop()
  }
})

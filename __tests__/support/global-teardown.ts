/**
 * Jest globalTeardown: each test stops its own hosts, so normally there is nothing to do.
 * It only sweeps what a crashed or careless test left behind (see leftover-sweep.ts), this
 * run's own included (every test has finished by now); leftovers of another jest run still
 * in progress are left alone.
 */
import { readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type * as FaultReport from './fault-report.js'

type LeftoverSweep = typeof import('./leftover-sweep.js')

export default async function globalTeardown(): Promise<void> {
  // Loaded through require, like the fault report below: global hooks get no '.js' mapping.
  const sweep = createRequire(import.meta.url)('./leftover-sweep.ts') as LeftoverSweep
  const swept = await sweep.sweepLeftovers({ includeSelf: true })
  // Loud on purpose: a leftover means some test did not call stop().
  if (swept.length > 0) console.warn(`global-teardown removed leftovers of test hosts that were not stopped:\n  ${swept.join('\n  ')}`)
  printFaultReport(pid => sweep.creatorHasFinished(pid, true))
}

/**
 * The closing table of faults, bad inputs and secret scans. Loaded through require: jest's
 * transform hook (active while this hook runs) compiles the .ts file, whereas a static import
 * would need the '.js' mapping that global hooks do not get (see above).
 */
function printFaultReport(creatorHasFinished: (pid: number) => boolean): void {
  const reportPath = process.env.SELFHOST_FAULT_REPORT
  if (reportPath === undefined) return // global-setup did not run (a config without it): no figures to print
  const report = createRequire(import.meta.url)('./fault-report.ts') as typeof FaultReport
  const totals = report.printClosingTable(reportPath)
  // Per-run files global-setup picked are removed: this run's, and those of runs that were killed
  // before their teardown (their jest pid has ended). A path CI set is kept.
  for (const name of readdirSync(os.tmpdir())) {
    const match = /^selfhost-backup-fault-report-(\d+)\.jsonl$/.exec(name)
    if (match !== null && creatorHasFinished(Number(match[1]))) rmSync(path.join(os.tmpdir(), name), { force: true })
  }
  // A sentinel secret anywhere fails the whole run, whichever test leaked it (issue 6: must be 0).
  if (totals.leaksFound > 0) throw new Error(`${totals.leaksFound} secret leak(s) found; they are listed above under "Secret leaks"`)
}

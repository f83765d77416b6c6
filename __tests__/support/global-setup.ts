/**
 * Jest globalSetup: refuses to run the suite when a command the tests drive is missing
 * (house rule 7: a missing test dependency fails the run with instructions, never a skip).
 * The list of commands lives in one place, scripts/test-bed/provision.mjs, whose --check
 * mode names what is missing and which Debian packages provide it.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

/**
 * The fault suite's report (see fault-report.ts) starts empty each run. Unless CI names a file,
 * each run gets its own, so two jest runs on one test bed do not mix or truncate each other's
 * figures; test files inherit the variable (same process with --runInBand, else forked workers).
 */
function startFaultReport(): void {
  process.env.SELFHOST_FAULT_REPORT ??= path.join(os.tmpdir(), `selfhost-backup-fault-report-${process.pid}.jsonl`)
  writeFileSync(process.env.SELFHOST_FAULT_REPORT, '')
}

type LeftoverSweep = typeof import('./leftover-sweep.js')

/** Jest hands over its global config; only rootDir is needed, so no @jest/types import. */
export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  // A run killed before its teardown left its hosts and sudoers drop-ins behind: gone before this run starts.
  await (createRequire(import.meta.url)('./leftover-sweep.ts') as LeftoverSweep).sweepEarlierRuns()
  const provisionScript = path.join(globalConfig.rootDir, 'scripts', 'test-bed', 'provision.mjs')
  const check = spawnSync(process.execPath, [provisionScript, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (check.error !== undefined) throw new Error(`could not run ${provisionScript} --check: ${check.error.message}`)
  if (check.status !== 0) {
    throw new Error(
      `The test bed is missing commands the tests need.\n${check.stderr.trim()}\n` +
        `Fix: run \`node scripts/test-bed/provision.mjs\` as root (it installs them with apt-get), then run the tests again.`
    )
  }
  startFaultReport()
}

/**
 * Sweeps what earlier runs killed before their end left behind (leftover-sweep.ts), and refuses to start
 * the benchmark when a command of the test bed is missing (the list lives in
 * scripts/test-bed/provision.mjs, which `npm run bench` runs first to install what it can).
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'

type LeftoverSweep = typeof import('../__tests__/support/leftover-sweep.js')

export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  // A bench or test run killed before its end left hosts and sudoers drop-ins that would mislead this one.
  await (createRequire(import.meta.url)('../__tests__/support/leftover-sweep.ts') as LeftoverSweep).sweepEarlierRuns()
  const provisionScript = path.join(globalConfig.rootDir, 'scripts', 'test-bed', 'provision.mjs')
  const check = spawnSync(process.execPath, [provisionScript, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (check.error !== undefined) throw new Error(`could not run ${provisionScript} --check: ${check.error.message}`)
  if (check.status !== 0) {
    throw new Error(`The test bed is missing commands the benchmark needs.\n${check.stderr.trim()}\nFix: run \`node scripts/test-bed/provision.mjs\` as root, then \`npm run bench\` again.`)
  }
}

/**
 * Refuses to start the benchmark when a command of the test bed is missing (the list lives in
 * scripts/test-bed/provision.mjs, which `npm run bench` runs first to install what it can).
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'

export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  const provisionScript = path.join(globalConfig.rootDir, 'scripts', 'test-bed', 'provision.mjs')
  const check = spawnSync(process.execPath, [provisionScript, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (check.error !== undefined) throw new Error(`could not run ${provisionScript} --check: ${check.error.message}`)
  if (check.status !== 0) {
    throw new Error(`The test bed is missing commands the benchmark needs.\n${check.stderr.trim()}\nFix: run \`node scripts/test-bed/provision.mjs\` as root, then \`npm run bench\` again.`)
  }
}

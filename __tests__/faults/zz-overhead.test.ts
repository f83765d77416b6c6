import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { REPO_ROOT, runAction, runNode } from '../support/action-runner.js'
import { registerSecret } from '../support/secret-scan.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'
it('overhead', async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
  const store = await mkdtemp(join(tmpdir(), 'sb-ovh-'))
  registerSecret('SBPW-0123456789abcdef0123', 'pw')
  const inputs = { app: 'tabby', transport: 'local', 'tabby-root': made.home.root, store: 'local', 'store-path': store, verify: 'checksum', 'db-password': 'SBPW-0123456789abcdef0123' }
  const definition = load(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  const bare = async () => {
    const temp = await mkdtemp(join(tmpdir(), 'sb-ovh-run-'))
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: '/root', RUNNER_TEMP: temp, GITHUB_OUTPUT: join(temp, 'o'), GITHUB_STATE: join(temp, 's'), GITHUB_STEP_SUMMARY: join(temp, 'm'), GITHUB_WORKSPACE: temp }
    for (const [name, spec] of Object.entries(definition.inputs)) env[`INPUT_${name.toUpperCase()}`] = (inputs as Record<string, string>)[name] ?? (spec.default ?? '').replace('${{ github.token }}', '')
    const t = performance.now(); const r = await runNode(join(REPO_ROOT, 'dist/backup/index.js'), env); const ms = performance.now() - t
    await runNode(join(REPO_ROOT, 'dist/backup/post.js'), env).catch(() => undefined)
    await rm(temp, { recursive: true, force: true }); if (r.exitCode !== 0) throw new Error(r.stdout); return ms
  }
  const scanned = async () => { const t = performance.now(); const r = await runAction('action.yml', inputs); const ms = performance.now() - t; if (r.exitCode !== 0) throw new Error(r.stdout); console.log(JSON.stringify({ ...r.secretScan, inheritedInputs: r.secretScan?.inheritedInputs.length })); return ms }
  const b: number[] = [], s: number[] = []
  for (let i = 0; i < 4; i++) { b.push(await bare()); s.push(await scanned()) }
  console.log('bare main-step ms', b.map(Math.round), 'runAction total ms', s.map(Math.round))
  await rm(made.base, { recursive: true, force: true }); await rm(store, { recursive: true, force: true })
}, 300000)

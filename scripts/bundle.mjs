// Builds one ncc bundle per entry point into dist/<name>/ (the action.yml files point at them).
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const entries = {
  backup: 'src/backup/index.ts',
  restore: 'src/restore/index.ts',
  cleanup: 'src/cleanup/index.ts',
  cli: 'src/cli.ts'
}
const ncc = join('node_modules', '.bin', 'ncc')

for (const [name, entry] of Object.entries(entries)) {
  // Built beside the old bundle and swapped in, so a test running meanwhile never finds dist/ half-written.
  const final = join('dist', name)
  const out = join('dist', `.${name}.building`)
  rmSync(out, { recursive: true, force: true })
  execFileSync(ncc, ['build', entry, '--out', out, '--license', 'licenses.txt', '--quiet', '--target', 'es2022'], { stdio: 'inherit' })
  // ncc names an ESM bundle index.mjs; the package is "type": "module", so index.js is the same module.
  if (existsSync(join(out, 'index.mjs'))) renameSync(join(out, 'index.mjs'), join(out, 'index.js'))
  const bundle = join(out, 'index.js')
  if (name === 'cli') {
    const code = readFileSync(bundle, 'utf8')
    if (!code.startsWith('#!')) writeFileSync(bundle, `#!/usr/bin/env node\n${code}`)
    chmodSync(bundle, 0o755)
  }
  rmSync(final, { recursive: true, force: true })
  renameSync(out, final)
}

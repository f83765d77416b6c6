import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { NODE24, REPO_ROOT } from '../support/action-runner.js'
import { testSigningKey } from '../support/signing-key.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

/** What `npm install -g selfhost-backup` may unpack: the self-contained CLI bundle and the documents. */
const ALLOWED = [/^package\/package\.json$/, /^package\/(README|CHANGELOG|SECURITY)\.md$/, /^package\/LICENSE$/, /^package\/dist\/cli\/[^/]+$/]
const REQUIRED = ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/CHANGELOG.md', 'package/SECURITY.md', 'package/dist/cli/index.js', 'package/dist/cli/licenses.txt']

// The bundled Node 24 first on PATH: the installed bin's `#!/usr/bin/env node` (and npm's own) finds it.
const env = { PATH: `${dirname(NODE24)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/root' }
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version

interface Run {
  exitCode: number
  stdout: string
  stderr: string
}

function run(file: string, args: string[], cwd = REPO_ROOT): Promise<Run> {
  return new Promise(resolve => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

/** Fails with the command's own output, so a red test says why. */
function expectExit(result: Run, what: string): void {
  if (result.exitCode !== 0) throw new Error(`${what} failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`)
}

let scratch: string
let tarball: string
let installed: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sb-npm-package-'))
  const pack = await run('npm', ['pack', '--pack-destination', scratch, '--json', '--no-audit', '--no-fund'])
  expectExit(pack, 'npm pack')
  tarball = join(scratch, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename)
  // A fresh cache with --offline: anything npm would have to fetch fails the install (ENOTCACHED).
  const prefix = join(scratch, 'prefix')
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--cache', join(scratch, 'npm-cache'), '--offline', '--no-audit', '--no-fund', tarball])
  expectExit(install, 'npm install -g --offline')
  installed = join(prefix, 'bin', 'selfhost-backup')
}, 120_000)

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

it('packs only the CLI bundle and the documents', async () => {
  const listing = await run('tar', ['-tzf', tarball])
  expectExit(listing, 'tar -tzf')
  const entries = listing.stdout.trim().split('\n')
  expect(entries.filter(entry => !ALLOWED.some(pattern => pattern.test(entry)))).toEqual([])
  expect(entries).toEqual(expect.arrayContaining(REQUIRED))
})

it('installs offline with nothing beside it: no runtime dependencies, no node_modules', () => {
  const packageDirectory = join(dirname(installed), '..', 'lib', 'node_modules', 'selfhost-backup')
  const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as Record<string, unknown>
  expect({ dependencies: manifest.dependencies, optionalDependencies: manifest.optionalDependencies, engines: manifest.engines }).toEqual({
    dependencies: undefined,
    optionalDependencies: undefined,
    engines: { node: '>=24' }
  })
  expect(existsSync(join(packageDirectory, 'node_modules'))).toBe(false)
})

it('runs as selfhost-backup from the install prefix: --help and --version', async () => {
  const help = await run(installed, ['--help'])
  expectExit(help, 'selfhost-backup --help')
  expect(help.stdout).toContain('Usage: selfhost-backup')
  for (const option of ['--tabby-root', '--store-path', '--signing-key-file']) expect(help.stdout).toContain(option)
  const shown = await run(installed, ['--version'])
  expectExit(shown, 'selfhost-backup --version')
  expect(shown.stdout.trim()).toBe(version)
})

it('backs up a Tabby root, lists the backup and restores a deleted file, as installed', async () => {
  const { base, home } = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  const store = join(scratch, 'store')
  try {
    const target = ['--app', 'tabby', '--transport', 'local', '--tabby-root', home.root]
    const keys = ['--store', 'local', '--store-path', store, '--signing-key-file', testSigningKey().file]
    const treeBefore = await treeOf(home.root)
    const databaseBefore = sqliteTableDigest(home.databasePath)

    const backup = await run(installed, ['backup', ...target, ...keys])
    expectExit(backup, 'selfhost-backup backup')
    const list = await run(installed, ['list', ...keys])
    expectExit(list, 'selfhost-backup list')
    const listed = list.stdout
      .trim()
      .split('\n')
      .map(line => line.split('\t')[0])
    expect(listed).toEqual([expect.stringMatching(/^tabby--/)])
    const [backupId] = listed
    expect(backup.stdout).toContain(backupId)

    await rm(join(home.root, 'config.toml'))
    const restore = await run(installed, ['restore', ...target, ...keys, '--backup-id', backupId])
    expectExit(restore, 'selfhost-backup restore')
    expect(restore.stdout).toContain(`Restoring ${backupId}`)
    expect(diffFingerprints(treeBefore, await treeOf(home.root))).toEqual([])
    expect(sqliteTableDigest(home.databasePath)).toEqual(databaseBefore)
  } finally {
    await rm(base, { recursive: true, force: true })
  }
})

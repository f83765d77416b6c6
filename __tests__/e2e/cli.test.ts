import { spawn, spawnSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MANIFEST_SUFFIX, newBackupId, parseBackupId, type Manifest } from '../../src/kernel/manifest.js'
import { signedManifestText } from '../../src/kernel/manifest-file.js'
import { createSigner } from '../../src/kernel/manifest-signature.js'
import { REPO_ROOT, runNode } from '../support/action-runner.js'
import { systemExecutables } from '../support/curated-path-host.js'
import { testSigningKey } from '../support/signing-key.js'
import { makeRootOwnedTabbyHome } from '../support/tabby-bed.js'

const cli = join(REPO_ROOT, 'dist/cli/index.js')
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' }
let base: string
let root: string
let store: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 2 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-cli-store-'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

it('prints every option of both commands with --help', async () => {
  const help = await runNode(cli, env, ['--help'])
  expect(help.exitCode).toBe(0)
  for (const option of ['--tabby-root', '--backup-id', '--safety-copy', '--ssh-key-file', '--store-path']) expect(help.stdout).toContain(option)
})

/** The test's signing key, as a user of transport: local passes it. */
const signing = (): string[] => ['--signing-key-file', testSigningKey().file]

/**
 * Copies the complete backup `from` under a newer id into `dir`, with every part and, when asked, its
 * manifest (ids inside rewritten, signed again with the same key): what the local store holds before the final rename.
 */
async function copyBackupAs(from: string, newId: string, dir: string, options: { withManifest: boolean }): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const file of await readdir(join(store, from))) {
    if (file.endsWith(MANIFEST_SUFFIX)) continue
    await copyFile(join(store, from, file), join(dir, newId + file.slice(from.length)))
  }
  if (options.withManifest) {
    const { signature: _old, ...content } = JSON.parse((await readFile(join(store, from, `${from}${MANIFEST_SUFFIX}`), 'utf8')).replaceAll(from, newId)) as Manifest
    await writeFile(join(dir, `${newId}${MANIFEST_SUFFIX}`), await signedManifestText(content, await createSigner(testSigningKey().privateKey, 'signing-key')))
  }
}

it('backs up, lists only complete backups, and restores with the local store', async () => {
  const backup = await runNode(cli, env, ['backup', '--app', 'tabby', '--tabby-root', root, '--store-path', store, ...signing()])
  expect(backup.exitCode).toBe(0)
  const backupId = /Backup (tabby--\S+) complete/.exec(backup.stdout)?.[1] as string
  expect(backupId).toBeDefined()
  const { hostId } = parseBackupId(backupId)!
  // Two incomplete backups of the same app and host, newer than the complete one: a listing that
  // showed either would put it first. One was interrupted before its manifest was written (parts
  // only); the other crashed after its manifest landed but before the ".partial" directory was renamed.
  const noManifest = newBackupId('tabby', hostId, new Date(Date.now() + 60_000))
  const unrenamed = newBackupId('tabby', hostId, new Date(Date.now() + 120_000))
  await copyBackupAs(backupId, noManifest, join(store, noManifest), { withManifest: false })
  await copyBackupAs(backupId, unrenamed, join(store, `.${unrenamed}.partial`), { withManifest: true })

  const list = await runNode(cli, env, ['list', '--store-path', store, ...signing()])
  expect(list.exitCode).toBe(0)
  expect(
    list.stdout
      .trim()
      .split('\n')
      .map(line => line.split('\t')[0])
  ).toEqual([backupId])
  const restore = await runNode(cli, env, ['restore', '--app', 'tabby', '--tabby-root', root, '--store-path', store, '--dry-run', 'true', ...signing()])
  expect(restore.exitCode).toBe(0)
  expect(restore.stdout).toContain(`Restoring ${backupId} onto`)
  expect(restore.stdout).toContain('dry-run: nothing on the host was changed')

  // The parts-only copy lacks nothing but its manifest: with it, the listing shows it, newest first.
  await copyBackupAs(backupId, noManifest, join(store, noManifest), { withManifest: true })
  const completed = await runNode(cli, env, ['list', '--store-path', store, ...signing()])
  expect(
    completed.stdout
      .trim()
      .split('\n')
      .map(line => line.split('\t')[0])
  ).toEqual([noManifest, backupId])
})

it('rejects an unknown flag and a secret passed as a plain flag value stays out of errors', async () => {
  const unknown = await runNode(cli, env, ['backup', '--colour', 'blue'])
  expect(unknown.exitCode).toBe(2)
  expect(unknown.stderr).toMatch(/Input 'colour': is not an option of backup/)
  const missingFile = await runNode(cli, env, ['backup', '--transport', 'ssh', '--ssh-key-file', '/nonexistent/key'])
  expect(missingFile.exitCode).toBe(2)
  expect(missingFile.stderr).toMatch(/cannot read the file/)
})

it('applies keep-last after each backup, and mode: prune with dry-run only reports', async () => {
  const retained = await mkdtemp(join(tmpdir(), 'sb-cli-retention-'))
  try {
    const common = ['--app', 'tabby', '--tabby-root', root, '--store-path', retained, ...signing()]
    const ids: string[] = []
    for (let round = 0; round < 3; round++) {
      const backup = await runNode(cli, env, ['backup', ...common, '--keep-last', '2', '--verify', 'checksum'])
      expect(backup.exitCode).toBe(0)
      ids.unshift(/Backup (tabby--\S+) complete/.exec(backup.stdout)?.[1] as string)
      // A terminal gets plain text: the job summary's heading without its Markdown.
      expect(backup.stdout).toMatch(/^Retention\n-{9}$/m)
      expect(backup.stdout).not.toContain('## ')
    }
    const listed = async (): Promise<string[]> =>
      (await runNode(cli, env, ['list', '--store-path', retained, ...signing()])).stdout
        .trim()
        .split('\n')
        .map(line => line.split('\t')[0])
    expect(await listed()).toEqual(ids.slice(0, 2))

    const dry = await runNode(cli, env, ['backup', ...common, '--mode', 'prune', '--keep-last', '1', '--dry-run', 'true'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain(`Would delete: ${ids[1]}`)
    expect(await listed()).toEqual(ids.slice(0, 2))
    const pruned = await runNode(cli, env, ['backup', ...common, '--mode', 'prune', '--keep-last', '1'])
    expect(pruned.exitCode).toBe(0)
    expect(pruned.stdout).toMatch(new RegExp(`^${ids[0]}\\s+last 1, the newest backup$`, 'm'))
    expect(await listed()).toEqual(ids.slice(0, 1))

    const nothing = await runNode(cli, env, ['backup', ...common, '--mode', 'prune'])
    expect(nothing.exitCode).toBe(2)
    expect(nothing.stderr).toMatch(/Input 'mode': is prune, but no keep-\* input is set/)
  } finally {
    await rm(retained, { recursive: true, force: true })
  }
})

it.each(['db-password', 'ssh-key', 'signing-key', 'github-token', 'age-identity'])(
  'refuses --%s on the command line, where ps would show it, and names the file flag and variable instead',
  async name => {
    const secret = `hunter2-${name}-sentinel`
    const run = await runNode(cli, env, [name === 'age-identity' ? 'restore' : 'backup', `--${name}`, secret])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`Input '${name}': is a secret`)
    expect(run.stderr).toContain(`--${name}-file PATH`)
    expect(run.stderr).toContain(`SELFHOST_BACKUP_${name.toUpperCase().replace(/-/g, '_')}`)
    expect(run.stdout + run.stderr).not.toContain(secret)
  }
)

it('reads the signing key from SELFHOST_BACKUP_SIGNING_KEY and refuses a listing it cannot verify', async () => {
  const viaEnvironment = await runNode(cli, { ...env, SELFHOST_BACKUP_SIGNING_KEY: testSigningKey().privateKey }, ['list', '--store-path', store])
  expect(viaEnvironment.exitCode).toBe(0)
  expect(viaEnvironment.stdout).toMatch(/^tabby--/m)
  const otherKey = await runNode(cli, env, ['list', '--store-path', store, '--signing-key-file', testSigningKey('other').file])
  expect(otherKey.exitCode).toBe(0)
  expect(otherKey.stdout).not.toMatch(/^tabby--/m)
  expect(otherKey.stderr).toMatch(/is not listed: The manifest of tabby--\S+ is signed by the key SHA256:\S+, which is not trusted here/)
  const noKey = await runNode(cli, env, ['list', '--store-path', store])
  expect(noKey.exitCode).toBe(2)
  expect(noKey.stderr).toContain("Input 'trusted-signers': is empty and no private key")
})

/** A PATH of one directory linking every system executable except `hidden`, as on a machine without them. */
async function pathWithout(binDir: string, hidden: string[]): Promise<string> {
  await mkdir(binDir, { recursive: true })
  for (const [name, target] of await systemExecutables()) {
    if (!hidden.includes(name)) await symlink(target, join(binDir, name))
  }
  return binDir
}

/** `node scripts/demo.mjs` from the repository root, as `npm run demo` starts it. */
function runDemo(environment: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/demo.mjs'], { cwd: REPO_ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    child.once('error', reject)
    child.once('close', code => resolve({ exitCode: code ?? 1, output }))
  })
}

describe('npm run demo', () => {
  it.each<[string, string[]]>([
    ['on this test bed', []],
    // A fresh machine: npm install does not bring the sqlite3 CLI, and the demo must not need root to get it.
    ['on a machine without the sqlite3 command', ['sqlite3']]
  ])('restores a sample Tabby root that matches the original, %s, and leaves nothing behind', async (_where, hidden) => {
    const scratch = await mkdtemp(join(tmpdir(), 'sb-demo-'))
    try {
      const [home, temp] = [join(scratch, 'home'), join(scratch, 'tmp')]
      await Promise.all([mkdir(home), mkdir(temp)])
      const path = hidden.length === 0 ? (process.env.PATH ?? '') : await pathWithout(join(scratch, 'bin'), hidden)
      for (const name of hidden) expect(spawnSync('sh', ['-c', `command -v ${name}`], { env: { PATH: path } }).status).not.toBe(0)

      const demo = await runDemo({ PATH: path, HOME: home, TMPDIR: temp })
      expect({ exitCode: demo.exitCode, output: demo.output }).toEqual({
        exitCode: 0,
        output: expect.stringMatching(/Demo OK: every file and every table of the restored Tabby root matches the original \([1-9]\d* paths, [1-9]\d* tables/)
      })
      expect(demo.output).not.toContain('DEMO FAILED')
      // The demo works in a temp dir under TMPDIR and removes it; the CLI it drives cleans up too.
      expect(await readdir(temp)).toEqual([])
      expect(await readdir(home)).toEqual([])
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  })
})

/**
 * The sweep the test and bench runs make before they start and after they end (leftover-sweep.ts): a
 * finished run's temp dirs go, with every process whose command line names them, and its sudoers
 * drop-ins; a live run's stay until it has finished. Real processes, in a temp root and a sudoers
 * directory of the test's own (the real /etc/sudoers.d is never touched here).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sweepLeftovers } from '../support/leftover-sweep.js'

let tempRoot: string
let sudoersDir: string

beforeEach(async () => {
  tempRoot = await mkdtemp(join(tmpdir(), 'sweep-temp-'))
  sudoersDir = await mkdtemp(join(tmpdir(), 'sweep-sudoers-'))
})
afterEach(async () => {
  for (const dir of [tempRoot, sudoersDir]) await rm(dir, { recursive: true, force: true })
})

it("removes a finished run's dirs, stops the processes that name them and removes its drop-ins, and leaves a live run's alone until it ends", async () => {
  const finished = spawnSync('true').pid as number
  const deadRunDb = join(tempRoot, `selfhost-backup-mariadb-${finished}-a1`)
  const deadRunShim = join(tempRoot, `selfhost-backup-docker-shim-${finished}-b2`)
  const liveRunHost = join(tempRoot, `selfhost-backup-sshd-${process.pid}-c3`)
  const notOurs = join(tempRoot, `something-else-${finished}-d4`)
  for (const dir of [deadRunDb, deadRunShim, liveRunHost, notOurs]) await mkdir(dir)
  // A server the dead run left running, named by its data dir (as mariadbd --datadir=… is).
  const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', `--datadir=${deadRunDb}/data`], { stdio: 'ignore' })
  const stopped = new Promise(resolve => server.once('exit', (_code, signal) => resolve(signal)))
  await new Promise(resolve => server.once('spawn', resolve))
  await writeFile(join(sudoersDir, `selfhost-backup-test-sbseatable-${finished}-41621`), 'Defaults:sbseatable secure_path="…"\n')
  await writeFile(join(sudoersDir, `selfhost-backup-test-sbseatable-${process.pid}-41622`), 'Defaults:sbseatable secure_path="…"\n')
  await writeFile(join(sudoersDir, 'ceph-smartctl'), 'not ours\n')

  const atStart = await sweepLeftovers({ includeSelf: false, tempRoot, sudoersDir })
  expect(atStart.sort()).toEqual([deadRunDb, deadRunShim, join(sudoersDir, `selfhost-backup-test-sbseatable-${finished}-41621`)].sort())
  expect(await stopped).toBe('SIGKILL')
  expect((await readdir(tempRoot)).sort()).toEqual([`selfhost-backup-sshd-${process.pid}-c3`, `something-else-${finished}-d4`].sort())
  expect((await readdir(sudoersDir)).sort()).toEqual(['ceph-smartctl', `selfhost-backup-test-sbseatable-${process.pid}-41622`])

  // At the end of this run its own leftovers count too.
  expect((await sweepLeftovers({ includeSelf: true, tempRoot, sudoersDir })).sort()).toEqual([liveRunHost, join(sudoersDir, `selfhost-backup-test-sbseatable-${process.pid}-41622`)].sort())
  expect(existsSync(notOurs)).toBe(true)
  expect(await readdir(sudoersDir)).toEqual(['ceph-smartctl'])
})

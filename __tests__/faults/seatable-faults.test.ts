/**
 * SeaTable backups that fail on the host (issue 3, "Done when"): a wrong password, a missing or stopped
 * database container, a database that does not exist, one of the three concurrent dumps killed. Each
 * must fail clearly and leave nothing behind: no backup in the store, nothing in RUNNER_TEMP, and on the
 * host the lock free, no process of the run alive, no database session open, nothing new in the host's
 * TMPDIR or beside the data directory (support/seatable-leftovers.ts). And the recipe streams: with the
 * host's TMPDIR on a full filesystem a backup still succeeds and never writes there.
 *
 * The bed's host has a TMPDIR of its own (sshd SetEnv for the login user, a sudoers env_file under sudo),
 * so "nothing new in the host temp dir" is exact, and the full-disk case can mount a full tmpfs on it.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, statfsSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectSuccess, runAction, type ActionRun } from '../support/action-runner.js'
import { completeBackups, errorText, faultCase, hostLockIsFree, runnerLeftovers, sleep, storeEntries, waitFor } from '../support/fault-checks.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { hostBaseline, leftoversAfter, markedProcesses, hostMarkers, type HostBaseline } from '../support/seatable-leftovers.js'
import { ownProcessList, resetDatabases, seatableActionInputs, startSeaTableBed, type SeaTableBed } from '../support/seatable-bed.js'
import { isolatedSshOptions, runCommand, type CommandResult } from '../support/sshd.js'

const SUITE = '__tests__/faults/seatable-faults.test.ts'

let server: MariaDbServer
let bed: SeaTableBed
let store: string
let hostTemp: string

beforeAll(async () => {
  server = await startMariaDb()
  hostTemp = await mkdtemp(join(tmpdir(), 'sb-seatable-hosttmp-'))
  await chmod(hostTemp, 0o1777) // like /tmp: a run that wanted to leave something there could
  bed = await startSeaTableBed(server, 'current', { user: 'sbseatablefault', hostTempDir: hostTemp })
  store = await mkdtemp(join(tmpdir(), 'sb-seatable-faults-store-'))
}, 120_000)

afterAll(async () => {
  await bed?.stop()
  await server?.stop()
  for (const dir of [store, hostTemp]) if (dir) await rm(dir, { recursive: true, force: true })
})

const inputs = (mode: 'docker' | 'direct' = 'docker'): Record<string, string> => ({ ...seatableActionInputs(bed, server, mode), store: 'local', 'store-path': store, verify: 'checksum' })

interface Before {
  backups: string[]
  store: string[]
  host: HostBaseline
}

function before(): Before {
  return { backups: completeBackups(store), store: storeEntries(store), host: hostBaseline(bed) }
}

async function expectNothingLeftBehind(run: ActionRun, was: Before): Promise<void> {
  expect(completeBackups(store)).toEqual(was.backups)
  expect(storeEntries(store)).toEqual(was.store)
  expect(await leftoversAfter(bed, server, was.host, run.runnerTemp)).toEqual([])
  expect(await runnerLeftovers(run)).toEqual([])
}

/** The client itself, not the shells and the docker shim whose command lines quote it. */
const dumpers = (database: string): number[] =>
  ownProcessList()
    .filter(({ commandLine }) => new RegExp(`^\\S*(mariadb-dump|mysqldump) .*--single-transaction.* ${database}\\s*$`).test(commandLine))
    .map(({ pid }) => pid)

/** A command through the bed's sshd as its login user, as the product's own connection is. */
async function asLoginUser(script: string): Promise<CommandResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-seatable-probe-'))
  try {
    await writeFile(join(dir, 'key'), bed.host.clientPrivateKey, { mode: 0o600 })
    await writeFile(join(dir, 'known_hosts'), `${bed.host.knownHosts}\n`)
    return await runCommand('ssh', [...isolatedSshOptions(join(dir, 'key'), join(dir, 'known_hosts'), bed.host.port), `${bed.host.user}@127.0.0.1`, script])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

faultCase(SUITE, 'fails clearly with a wrong database password, and leaves nothing behind on the host', async () => {
  const was = before()
  const run = await runAction('action.yml', { ...inputs(), 'db-password': 'wrong-password' }, {}, { keepRunnerTemp: true })
  expect(run.exitCode).toBe(1)
  expect(errorText(run)).toMatch(/Input 'db-password': the database server \(container mariadb\) refused user root/)
  await expectNothingLeftBehind(run, was)
})

faultCase(SUITE, 'fails clearly when the database container is missing or stopped, and leaves nothing behind on the host', async () => {
  const was = before()
  const missing = await runAction('action.yml', { ...inputs(), 'db-container': 'no-such-db' }, {}, { keepRunnerTemp: true })
  expect(missing.exitCode).toBe(1)
  expect(errorText(missing)).toMatch(/the database container no-such-db is not running \(set db-container\)/)
  await expectNothingLeftBehind(missing, was)

  execFileSync(join(bed.shim.binDir, 'docker'), ['stop', 'mariadb'])
  try {
    const stopped = await runAction('action.yml', inputs(), {}, { keepRunnerTemp: true })
    expect(stopped.exitCode).toBe(1)
    expect(errorText(stopped)).toMatch(/the database container mariadb is not running \(set db-container\)/)
    await expectNothingLeftBehind(stopped, was)
  } finally {
    execFileSync(join(bed.shim.binDir, 'docker'), ['start', 'mariadb'])
  }
})

faultCase(SUITE, 'fails clearly when a listed database does not exist, and leaves nothing behind on the host', async () => {
  const was = before()
  const run = await runAction('action.yml', { ...inputs(), databases: 'ccnet_db nope_db' }, {}, { keepRunnerTemp: true })
  expect(run.exitCode).toBe(1)
  expect(errorText(run)).toMatch(/the database nope_db does not exist on the server[\s\S]*How to fix: check `databases`/)
  await expectNothingLeftBehind(run, was)
})

describe('one of the three concurrent dumps killed', () => {
  beforeAll(async () => {
    // ~380k operation_log rows, and a copy of them in seafile_db: two dumps that overlap for a while.
    const columns = 'op_id, op_time, dtable_uuid, author, app, operation'
    for (let doubling = 0; doubling < 7; doubling++) await server.query(`INSERT INTO operation_log (${columns}) SELECT ${columns} FROM operation_log`, 'dtable_db')
    await server.query('CREATE TABLE seafile_db.bulk_copy AS SELECT * FROM dtable_db.operation_log')
  }, 120_000)

  afterAll(async () => {
    await resetDatabases(server)
  }, 120_000)

  /** Starts a backup, kills the dtable_db dump once the seafile_db dump runs beside it, and watches the host lock until the step ends. */
  async function killDtableDumpMidway(): Promise<{ run: ActionRun; was: Before; overlapping: boolean; killed: number; othersRunning: boolean; aliveWhenUnlocked: string[] }> {
    const was = before()
    let done = false
    // Every step's node process (main, then the post step, which may start before the poll below sees the lock free).
    const stepPids = new Set<number>()
    const running = runAction('action.yml', inputs(), {}, { keepRunnerTemp: true, onSpawn: pid => stepPids.add(pid) }).finally(() => (done = true))
    const overlapping = await waitFor(() => dumpers('dtable_db').length > 0 && dumpers('seafile_db').length > 0, 60_000, 2)
    const victims = dumpers('dtable_db')
    for (const pid of victims) process.kill(pid, 'SIGKILL')
    const killedAt = Date.now()
    const othersRunning = dumpers('seafile_db').length > 0
    // The run's processes on the host (the steps' own node processes, whose inputs name the bed's paths, aside).
    const hostWork = (): string[] => markedProcesses({ ...hostMarkers(bed), uid: undefined }).filter(line => ![...stepPids].some(pid => line.startsWith(`process ${pid} `)))
    let aliveWhenUnlocked: string[] = []
    let unlockedAt = 0
    let lastWorkAt = killedAt
    while (!done) {
      // The lock first, then the processes: whatever is listed was alive after the lock was seen free.
      const unlocked = unlockedAt === 0 && hostLockIsFree(bed.layout.root)
      const work = hostWork()
      if (work.length > 0) lastWorkAt = Date.now()
      if (unlocked) {
        aliveWhenUnlocked = work
        unlockedAt = Date.now()
      }
      await sleep(10)
    }
    const run = await running
    console.log(`killed dump: lock free ${unlockedAt - killedAt} ms after the kill, host work seen until ${lastWorkAt - killedAt} ms, step ended ${Date.now() - killedAt} ms after it`)
    return { run, was, overlapping, killed: victims.length, othersRunning, aliveWhenUnlocked }
  }

  it('starts the data tarball while the big dumps still run, once every dump holds its consistent snapshot', async () => {
    const run = await runAction('action.yml', inputs(), {})
    expectSuccess(run)
    const dataStarted = run.stdout.indexOf('data: the databases are in their snapshots and storage-data is fresh')
    const dtableDumped = run.stdout.search(/^db-dtable_db: [\d.]+ [KMG]?i?B(?: in \d+ chunks)? in [\d.]+ s, sha256/m)
    const seafileDumped = run.stdout.search(/^db-seafile_db: [\d.]+ [KMG]?i?B(?: in \d+ chunks)? in [\d.]+ s, sha256/m)
    expect(dataStarted).toBeGreaterThan(0)
    expect(dataStarted).toBeLessThan(Math.max(dtableDumped, seafileDumped))
  }, 120_000)

  faultCase(
    SUITE,
    'fails clearly when the dtable_db dump is killed while the other dumps still run, and leaves nothing behind on the host',
    async () => {
      const { run, was, overlapping, killed, othersRunning } = await killDtableDumpMidway()
      expect({ overlapping, killed, othersRunning }).toEqual({ overlapping: true, killed: 1, othersRunning: true })
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(/Dump of dtable_db failed/)
      await expectNothingLeftBehind(run, was)
    },
    120_000
  )

  faultCase(
    SUITE,
    'keeps the host lock until the other dumps have stopped when one dump fails',
    async () => {
      const { run, overlapping, othersRunning, aliveWhenUnlocked } = await killDtableDumpMidway()
      expect({ overlapping, othersRunning, exitCode: run.exitCode }).toEqual({ overlapping: true, othersRunning: true, exitCode: 1 })
      await runnerLeftovers(run)
      // One job at a time on this data: a second backup or a restore may take the lock the moment it is free.
      expect(aliveWhenUnlocked).toEqual([])
    },
    120_000
  )
})

faultCase(SUITE, 'backs up SeaTable with the host temp dir on a full filesystem: it streams and never writes there', async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=1777', 'tmpfs', hostTemp])
  try {
    execFileSync('bash', ['-c', `dd if=/dev/zero of=${JSON.stringify(join(hostTemp, 'filler'))} bs=4k 2>/dev/null || true`])
    // The arrangement holds: the host's TMPDIR is the full one, for the login user and under sudo, and writing there fails.
    const probe = await asLoginUser(`echo "login:$TMPDIR"; sudo -n -- bash -c 'echo "sudo:$TMPDIR"; t=$(mktemp) || exit 3; head -c 65536 /dev/zero > "$t"; status=$?; rm -f -- "$t"; exit $status'`)
    expect(probe.stdout).toContain(`login:${hostTemp}\nsudo:${hostTemp}\n`)
    expect({ code: probe.code === 0 ? 0 : 'failed', stderr: probe.stderr }).toMatchObject({ code: 'failed', stderr: expect.stringMatching(/No space left on device/) })
    const full = { entries: readdirSync(hostTemp), free: statfsSync(hostTemp).bfree }
    expect(full).toEqual({ entries: ['filler'], free: 0 })

    for (const mode of ['docker', 'direct'] as const) {
      const was = before()
      const run = await runAction('action.yml', inputs(mode), {}, { keepRunnerTemp: true })
      expectSuccess(run)
      expect(completeBackups(store)).toEqual([...was.backups, run.outputs['backup-id']].sort())
      expect([mode, readdirSync(hostTemp), statfsSync(hostTemp).bfree]).toEqual([mode, ['filler'], 0])
      expect(await leftoversAfter(bed, server, was.host, run.runnerTemp)).toEqual([])
      expect(await runnerLeftovers(run)).toEqual([])
    }
  } finally {
    execFileSync('umount', [hostTemp])
  }
})

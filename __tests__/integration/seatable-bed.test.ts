/**
 * Proves the SeaTable test bed is real enough to test the recipe against: a MariaDB server
 * that insists on its root password, SeaTable's databases with every object kind a dump
 * can lose, both directory layouts, and a `docker` shim that the login user reaches over
 * ssh and through `sudo -n`, which streams stdin and fails like docker does.
 */
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { diffFingerprints, fingerprintTree } from '../../scripts/fixtures/fingerprint.mjs'
import { createSeaTableDatabases, DTABLE_DB_OBJECTS, SEATABLE_LOG_TABLES, type SeaTableDatabases } from '../../scripts/fixtures/seatable/seatable-db.mjs'
import { createSeaTableLayout, SEATABLE_DATA_DIRECTORIES, type SeaTableLayout } from '../../scripts/fixtures/seatable/seatable-layout.mjs'
import { installDockerShim, type DockerShim } from '../support/docker-shim.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'
import { isolatedSshOptions, runCommand, startTestHost, type CommandResult, type TestHost } from '../support/sshd.js'

let server: MariaDbServer
let databases: SeaTableDatabases
let workDir: string
let current: SeaTableLayout
let old: SeaTableLayout
let shim: DockerShim
let host: TestHost

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'seatable-bed-'))
  server = await startMariaDb()
  databases = await createSeaTableDatabases({ query: server.query, logRows: 2000, withScheduler: true })
  const small = { smallFiles: 40, largeFiles: 1, largeBytes: 400_000 }
  current = await createSeaTableLayout(path.join(workDir, 'current'), { layout: 'current', dbPassword: server.rootPassword, ...small })
  old = await createSeaTableLayout(path.join(workDir, 'old'), { layout: 'old', seed: 2, ...small })
  const database = { kind: 'database', mariadb: { socket: server.socket, port: server.port } } as const
  shim = await installDockerShim({
    containers: {
      mariadb: database,
      'seatable-mysql': database,
      'seatable-server': { kind: 'seatable', dataRoot: current.root },
      seatable: { kind: 'seatable', dataRoot: old.root },
      'stopped-db': { ...database, running: false }
    }
  })
  // Its own user: sudoers' secure_path holds for every host of a user, and other test files use sbtest.
  host = await startTestHost({ user: 'sbseatable', pathPrefix: [shim.binDir] })
}, 180_000)

afterAll(async () => {
  await host?.stop()
  await shim?.remove()
  await server?.stop()
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true })
})

async function ssh(command: string, input = ''): Promise<CommandResult> {
  const keyPath = path.join(workDir, 'client-key')
  const knownHostsPath = path.join(workDir, 'known_hosts')
  await writeFile(keyPath, host.clientPrivateKey, { mode: 0o600 })
  await writeFile(knownHostsPath, `${host.knownHosts}\n`)
  return runCommand('ssh', [...isolatedSshOptions(keyPath, knownHostsPath, host.port), `${host.user}@${host.host}`, command], input)
}

const optionFileText = (password: string) => `[client]\nuser=root\npassword="${password}"\n`
const dumpFlags = '--single-transaction --routines --triggers --events --hex-blob --default-character-set=utf8mb4'
const rows = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(line => line !== '')

describe('the test MariaDB server', () => {
  test('lets root in only with the password, over the socket and over TCP', async () => {
    expect(server.rootPassword).toMatch(/^SBPW-[0-9a-f]{24}$/)
    expect(await server.query('SELECT CURRENT_USER(), @@event_scheduler')).toBe('root@localhost\tON\n')
    const goodFile = path.join(workDir, 'good.cnf')
    const wrongFile = path.join(workDir, 'wrong.cnf')
    await writeFile(goodFile, optionFileText(server.rootPassword), { mode: 0o600 })
    await writeFile(wrongFile, optionFileText('not-the-password'), { mode: 0o600 })
    const overTcp = await runCommand('mariadb', [`--defaults-extra-file=${goodFile}`, '-h', '127.0.0.1', '-P', String(server.port), '-N', '-e', 'SELECT CURRENT_USER()'])
    expect(overTcp).toMatchObject({ code: 0, stdout: 'root@127.0.0.1\n' })
    for (const target of [
      ['--socket', server.socket],
      ['-h', '127.0.0.1', '-P', String(server.port)]
    ]) {
      const wrong = await runCommand('mariadb', [`--defaults-extra-file=${wrongFile}`, ...target, '-e', 'SELECT 1'])
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toMatch(/Access denied for user 'root'/)
      const none = await runCommand('mariadb', ['--no-defaults', '-uroot', ...target, '-e', 'SELECT 1'])
      expect(none.stderr).toMatch(/Access denied .*using password: NO/)
    }
  })

  test('starts beside other servers in seconds, and stop() ends only its own process and files', async () => {
    const started = Date.now()
    const others = await Promise.all([startMariaDb({ rootPassword: 'other "quoted" \\ pass' }), startMariaDb()])
    expect(Date.now() - started).toBeLessThan(20_000)
    const ports = new Set([server.port, ...others.map(other => other.port)])
    expect(ports.size).toBe(3)
    expect(await others[0]?.query('SELECT 1')).toBe('1\n')
    await Promise.all(others.map(other => other.stop()))
    for (const other of others) {
      await expect(stat(`/proc/${other.pid}`)).rejects.toThrow()
      await expect(stat(other.tempDir)).rejects.toThrow()
    }
    expect(await server.query('SELECT 1')).toBe('1\n')
  })

  test('keeps the password off every command line of its own processes', async () => {
    const commandLine = await readFile(`/proc/${server.pid}/cmdline`, 'utf8')
    expect(commandLine).toContain('mariadbd')
    expect(commandLine).not.toContain(server.rootPassword)
  })
})

describe('the SeaTable databases', () => {
  test("hold Seafile's and SeaTable's tables, the log rows and the scheduler database", async () => {
    const tableCount = async (schema: string) => Number(await server.query(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='${schema}' AND TABLE_TYPE='BASE TABLE'`))
    expect(databases.databases).toEqual(['ccnet_db', 'seafile_db', 'dtable_db', 'scheduler'])
    expect(await tableCount('ccnet_db')).toBe(12)
    expect(await tableCount('seafile_db')).toBe(19)
    expect(await tableCount('dtable_db')).toBe(15)
    expect(await tableCount('scheduler')).toBe(3)
    for (const table of SEATABLE_LOG_TABLES) {
      const count = Number(await server.query(`SELECT COUNT(*) FROM ${table}`, 'dtable_db'))
      expect(count).toBe(databases.logRowCounts[table as keyof SeaTableDatabases['logRowCounts']])
      expect(count).toBeGreaterThanOrEqual(400)
    }
    expect(await server.query('SELECT COUNT(*) FROM EmailUser', 'ccnet_db')).toBe('8\n')
  })

  test('define a view, triggers, a procedure, a function and an event in dtable_db', async () => {
    const names = async (sql: string) => rows(await server.query(sql)).sort()
    expect(await names("SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA='dtable_db'")).toEqual(DTABLE_DB_OBJECTS.views)
    expect(await names("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='dtable_db'")).toEqual([...DTABLE_DB_OBJECTS.triggers].sort())
    expect(await names("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='dtable_db' AND ROUTINE_TYPE='PROCEDURE'")).toEqual(DTABLE_DB_OBJECTS.procedures)
    expect(await names("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='dtable_db' AND ROUTINE_TYPE='FUNCTION'")).toEqual(DTABLE_DB_OBJECTS.functions)
    expect(await names("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA='dtable_db' AND STATUS='ENABLED'")).toEqual(DTABLE_DB_OBJECTS.events)
    expect(Number(await server.query('SELECT workspace_base_count(1)', 'dtable_db'))).toBeGreaterThan(0)
  })

  test('store 4-byte UTF-8 text and binary bytes intact', async () => {
    expect(await server.query("SELECT name FROM dtables WHERE name LIKE '%Sales%'", 'dtable_db')).toBe('📊 Sales pipeline\n')
    expect(await server.query('SELECT HEX(SUBSTRING(dtable_content, 1, 10)) FROM dtable_snapshot ORDER BY id LIMIT 1', 'dtable_db')).toBe('1F8B080000275C0D0AFF\n')
  })
})

describe('the docker shim on the test host', () => {
  // The product's dumps call docker side by side; a log line written in pieces interleaved with
  // another call's pieces and made the "which calls ran" checks of seatable-restore fail now and then.
  test('logs every call as one whole line, also when many run at once', async () => {
    const before = (await shim.invocations()).length
    const calls = Array.from({ length: 60 }, (_, index) => ['inspect', `no-such-container-${index}`, 'x'.repeat(500)])
    await Promise.all(calls.map(argv => runCommand(path.join(shim.binDir, 'docker'), argv)))
    const logged = (await shim.invocations()).slice(before).map(call => call.argv.join(' '))
    expect(logged.sort()).toEqual(calls.map(argv => argv.join(' ')).sort())
  })

  test('is found before the real docker in ssh sessions and under sudo', async () => {
    const result = await ssh('command -v docker; sudo -n sh -c "command -v docker"; sudo -n docker ps --format "{{.Names}}"')
    expect(result.stderr).toBe('')
    const [asUser, asRoot, ...names] = rows(result.stdout)
    expect(asUser).toBe(path.join(shim.binDir, 'docker'))
    expect(asRoot).toBe(path.join(shim.binDir, 'docker'))
    expect(names).toEqual(['mariadb', 'seatable-mysql', 'seatable-server', 'seatable'])
  })

  test('dumps a database with mariadb-dump reading its option file from stdin', async () => {
    // docker exec -i hands the ssh session's stdin to the client; the option file is all it reads.
    const result = await ssh(`sudo -n docker exec -i mariadb mariadb-dump --defaults-extra-file=/dev/stdin ${dumpFlags} dtable_db`, optionFileText(server.rootPassword))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/\n-- Dump completed on [\d-]+ +[\d:]+\n$/)
    for (const pattern of [
      /CREATE TABLE `operation_log`/,
      /PROCEDURE `clean_operation_log`/,
      /FUNCTION `workspace_base_count`/,
      /TRIGGER `?dtables_touch`?/,
      /EVENT `purge_session_log`/,
      /VIEW `dtable_overview`/
    ]) {
      expect(result.stdout).toMatch(pattern)
    }
    expect(result.stdout).not.toContain(server.rootPassword)
    // The old layout's names: `mysqldump` and the /dev/fd/0 spelling work the same way.
    const legacy = await ssh('sudo -n docker exec -i seatable-mysql mysqldump --defaults-extra-file=/dev/fd/0 --single-transaction ccnet_db', optionFileText(server.rootPassword))
    expect(legacy).toMatchObject({ code: 0, stderr: '' })
    expect(legacy.stdout).toContain('-- Dump completed')
  })

  test('streams a dump into the client after the option file on the same stdin', async () => {
    const dump = await ssh(`sudo -n docker exec -i mariadb mariadb-dump --defaults-extra-file=/dev/stdin ${dumpFlags} dtable_db`, optionFileText(server.rootPassword))
    await server.query('CREATE DATABASE dtable_copy')
    // bash's `read` takes one byte at a time from a pipe, so it stops exactly after the option
    // lines and the client reads the dump from where they end. printf is a builtin: no argv.
    const importer = 'IFS= read -r a; IFS= read -r b; IFS= read -r c; exec mariadb --defaults-extra-file=<(printf "%s\\n" "$a" "$b" "$c") "$1"'
    const imported = await ssh(`sudo -n docker exec -i mariadb bash -c '${importer}' importer dtable_copy`, `${optionFileText(server.rootPassword)}${dump.stdout}`)
    expect(imported).toMatchObject({ code: 0, stderr: '' })
    const checksum = async (database: string) => server.query(`CHECKSUM TABLE ${SEATABLE_LOG_TABLES.join(', ')}, dtable_snapshot, dtables`, database)
    const original = (await checksum('dtable_db')).replace(/dtable_db\./g, '')
    expect((await checksum('dtable_copy')).replace(/dtable_copy\./g, '')).toBe(original)
    expect(await server.query("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='dtable_copy'")).toBe('2\n')
    await server.query('DROP DATABASE dtable_copy')
  })

  test('fails like docker for -t without a terminal, unknown or stopped containers and unknown commands', async () => {
    const tty = await ssh('sudo -n docker exec -it mariadb true')
    expect(tty).toMatchObject({ code: 1, stderr: 'the input device is not a TTY\n' })
    const loneTty = await ssh('sudo -n docker exec -t mariadb true')
    expect(loneTty.code).toBe(1)
    const unknown = await ssh('sudo -n docker exec -i nope true')
    expect(unknown).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such container: nope\n' })
    const stopped = await ssh('sudo -n docker exec stopped-db true')
    expect(stopped.stderr).toMatch(/^Error response from daemon: container [0-9a-f]+ is not running\n$/)
    const command = await ssh('sudo -n docker frobnicate')
    expect(command.code).toBe(1)
    expect(command.stderr).toContain('unknown command: docker frobnicate')
  })

  test("gives a container command only the container's environment and -e values", async () => {
    const result = await ssh('sudo -n docker exec -e GREETING=hallo -u root mariadb sh -c \'echo "$GREETING ${SUDO_USER:-no-caller-env} $MYSQL_UNIX_PORT"\'')
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `hallo no-caller-env ${server.socket}\n` })
  })

  test("logs every call's arguments and never what came in on stdin", async () => {
    await ssh('sudo -n docker exec -i mariadb mariadb --defaults-extra-file=/dev/stdin -e "SELECT 1"', optionFileText(server.rootPassword))
    const calls = await shim.invocations()
    expect(calls.some(call => call.argv.join(' ') === 'exec -it mariadb true' && call.uid === 0)).toBe(true)
    expect(calls.at(-1)?.argv).toEqual(['exec', '-i', 'mariadb', 'mariadb', '--defaults-extra-file=/dev/stdin', '-e', 'SELECT 1'])
    expect(calls.every(call => !call.stdinIsTerminal)).toBe(true)
    expect(await readFile(shim.logFile, 'utf8')).not.toContain(server.rootPassword)
  })

  test('runs seatable.sh backup-all and restore-all over the SeaTable data directory', async () => {
    const snapshot = path.join(current.root, 'storage-data', 'dtable-db-backup')
    const liveData = () => fingerprintTree(path.join(current.root, 'db-data'))
    expect(diffFingerprints(await fingerprintTree(snapshot), await liveData())).not.toEqual([])
    const backup = await ssh('sudo -n docker exec seatable-server /opt/seatable/scripts/seatable.sh backup-all')
    expect(backup).toMatchObject({ code: 0, stderr: '' })
    expect(backup.stdout).toContain('backed up 4 bases')
    expect(diffFingerprints(await fingerprintTree(snapshot), await liveData())).toEqual([])

    const [firstBase] = rows((await runCommand('ls', [path.join(current.root, 'db-data')])).stdout)
    await unlink(path.join(current.root, 'db-data', firstBase ?? '', 'CURRENT'))
    const restore = await ssh('sudo -n docker exec seatable-server /opt/seatable/scripts/seatable.sh restore-all')
    expect(restore).toMatchObject({ code: 0, stderr: '' })
    expect(diffFingerprints(await fingerprintTree(snapshot), await liveData())).toEqual([])
  })
})

describe('the SeaTable directory layouts', () => {
  test('put the current layout under opt/seatable-server and opt/seatable-compose with a root-only .env', async () => {
    expect(current.root).toBe(path.join(workDir, 'current', 'opt/seatable-server/seatable'))
    expect(current.composeDir).toBe(path.join(workDir, 'current', 'opt/seatable-compose'))
    expect(current.containers).toEqual({ database: 'mariadb', seatable: 'seatable-server' })
    for (const name of SEATABLE_DATA_DIRECTORIES) expect((await stat(path.join(current.root, name))).isDirectory()).toBe(true)
    const envFile = path.join(current.composeDir ?? '', '.env')
    const envStat = await stat(envFile)
    expect({ mode: envStat.mode & 0o777, uid: envStat.uid, gid: envStat.gid }).toEqual({ mode: 0o600, uid: 0, gid: 0 })
    expect(await readFile(envFile, 'utf8')).toContain(`MARIADB_PASSWORD='${server.rootPassword}'`)
    const asUser = await ssh(`cat ${envFile}`)
    expect(asUser.stderr).toMatch(/Permission denied/)
    for (const name of ['seatable-server.yml', 'caddy.yml', 'seatable-license.txt']) expect((await stat(path.join(current.composeDir ?? '', name))).size).toBeGreaterThan(0)
    expect((await stat(path.join(current.caddyDir ?? '', 'certificates/acme-v02.api.letsencrypt.org-directory/seatable.example.com/seatable.example.com.key'))).mode & 0o777).toBe(0o600)
  })

  test('put the old layout under opt/seatable/seatable-data with the license in the data directory', async () => {
    expect(old.root).toBe(path.join(workDir, 'old', 'opt/seatable/seatable-data/seatable'))
    expect(old.composeDir).toBeUndefined()
    expect(old.containers).toEqual({ database: 'seatable-mysql', seatable: 'seatable' })
    expect(old.licensePath).toBe(path.join(old.root, 'seafile-license.txt'))
    expect(await readFile(old.licensePath, 'utf8')).toContain('LicenceKEY')
    expect(await readFile(path.join(old.root, 'conf', 'dtable_web_settings.py'), 'utf8')).toMatch(/SECRET_KEY = '\w{50}'/)
  })

  test('fill seafile-data with many small and some large files, and seahub-data with avatars', async () => {
    const tree = await fingerprintTree(old.root)
    const files = Object.entries(tree).filter(([, entry]) => entry.type === 'file')
    const storage = files.filter(([name]) => name.startsWith('seafile-data/storage/'))
    expect(storage.length).toBe(41)
    expect(storage.filter(([, entry]) => (entry.size ?? 0) >= 400_000).length).toBe(1)
    expect(files.filter(([name]) => name.startsWith('seahub-data/avatars/')).length).toBeGreaterThanOrEqual(6)
    expect(Object.keys(tree)).toContain('seahub-data/custom/Ünïcødé logo – 表.png')
  })
})

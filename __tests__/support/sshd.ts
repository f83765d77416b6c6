/**
 * Starts a private OpenSSH server on 127.0.0.1 for integration tests. The "remote
 * host" is this machine: a real sshd, a real non-root login user, real sudo. Each
 * host gets its own temp dir, keys, port and sudoers drop-in, so test files may
 * start hosts concurrently; stop() ends only the processes this helper started.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { findFreePort } from './free-port.js'

export interface TestHost {
  host: '127.0.0.1'
  port: number
  user: string
  userHome: string
  /** OpenSSH private key text (ed25519, unencrypted) that logs in as `user`. */
  clientPrivateKey: string
  clientPublicKey: string
  /** known_hosts line for [127.0.0.1]:port with this sshd's ed25519 host key. */
  knownHosts: string
  /** A valid known_hosts line for the same address but a different key (mismatch tests). */
  otherKnownHosts: string
  /** Root-owned temp dir holding the config, keys and log of this sshd. */
  tempDir: string
  logFile: string
  runAsRoot(script: string): Promise<CommandResult>
  /** Pids of the listener's per-connection sshd processes (kill one to cut a connection). */
  childPids(): Promise<number[]>
  stop(): Promise<void>
}

export interface StartTestHostOptions {
  user?: string
  /** Variables sshd's own SetEnv puts into every session (OpenSSH >= 7.8). */
  setEnv?: Record<string, string>
  /** Default true: passwordless sudo for the user through a drop-in in /etc/sudoers.d. */
  sudo?: boolean
  /**
   * Directories searched before the system ones, both in ssh sessions (SetEnv PATH) and
   * under `sudo` (a secure_path for this user in the drop-in: Debian's sudo resets PATH),
   * so a test shim such as a fake `docker` shadows /usr/local/bin/docker either way.
   * sudoers applies it to every sudo by `user`: concurrent hosts with different prefixes
   * need different users (startTestHost refuses the clash), and a plain host sharing the
   * user sees the prefix under sudo too.
   */
  pathPrefix?: string[]
  /**
   * Default VERBOSE (logins and sessions). DEBUG1 also logs each forwarding a client asks for
   * ("server_request_direct_tcpip: ... target <host> port <port>"), which is how a jump-host
   * test sees that the target really was reached through this sshd.
   */
  logLevel?: 'VERBOSE' | 'DEBUG1'
}

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** global-teardown.ts repeats these to recognise our leftovers; both names embed the creating pid. */
export const SSHD_TEMP_DIR_PREFIX = 'selfhost-backup-sshd-'
export const SUDOERS_FILE_PREFIX = 'selfhost-backup-test-'

const SSHD_PATH = '/usr/sbin/sshd'
/** Debian's secure_path, which is also sshd's default PATH plus the sbin directories. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const STARTUP_TIMEOUT_MS = 15_000

export function knownHostsLine(port: number, publicKey: string): string {
  const [keyType, keyData] = publicKey.trim().split(/\s+/)
  if (keyType === undefined || keyData === undefined) throw new Error(`not an OpenSSH public key: ${publicKey}`)
  // ssh writes non-default ports as [host]:port and looks them up the same way.
  const hostPattern = port === 22 ? '127.0.0.1' : `[127.0.0.1]:${port}`
  return `${hostPattern} ${keyType} ${keyData}`
}

/** Runs a command without a shell; never throws for a non-zero exit. */
export function runCommand(file: string, args: string[], input = ''): Promise<CommandResult> {
  return new Promise(resolve => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', error => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }))
    child.on('close', (code, signal) => {
      const signalCode = signal === null ? 1 : 128 + os.constants.signals[signal]
      resolve({ code: code ?? signalCode, stdout, stderr })
    })
    child.stdin.on('error', () => undefined) // the command may exit without reading its input
    child.stdin.end(input)
  })
}

async function runOrThrow(file: string, args: string[]): Promise<string> {
  const result = await runCommand(file, args)
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
  return result.stdout
}

const sleep = (milliseconds: number) => new Promise(resolve => setTimeout(resolve, milliseconds))

/** useradd and usermod take /etc/passwd locks, so concurrent test files can collide: retry. */
async function retryUntil(isDone: () => Promise<boolean>, attempt: () => Promise<CommandResult>, what: string): Promise<void> {
  let lastFailure = ''
  for (let tries = 0; tries < 20; tries += 1) {
    if (await isDone()) return
    const result = await attempt()
    if (result.code !== 0) {
      lastFailure = result.stderr.trim()
      await sleep(100)
    }
  }
  if (!(await isDone())) throw new Error(`${what} failed: ${lastFailure}`)
}

/** Creates the login user if needed, makes sure sshd will accept it, and returns its home. */
async function ensureLoginUser(user: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user) || user === 'root') throw new Error(`unusable test login user: ${user}`)
  const userExists = async () => (await runCommand('id', ['-u', user])).code === 0
  await retryUntil(userExists, () => runCommand('useradd', ['-m', '-s', '/bin/bash', user]), `useradd ${user}`)
  if ((await runOrThrow('id', ['-u', user])).trim() === '0') throw new Error(`test login user ${user} has uid 0`)
  const passwdEntry = (await runOrThrow('getent', ['passwd', user])).trim().split(':')
  const home = passwdEntry[5]
  if (home === undefined || home === '') throw new Error(`user ${user} has no home directory in /etc/passwd`)
  await runOrThrow('install', ['-d', '-o', user, '-g', passwdEntry[3] ?? user, home]) // no-op when it exists
  // With UsePAM no, sshd refuses accounts whose password field starts with "!" (useradd's
  // default: locked). "*" means no password matches, without marking the account locked.
  const accountUnlocked = async () => !(await runOrThrow('getent', ['shadow', user])).split(':')[1]?.startsWith('!')
  await retryUntil(accountUnlocked, () => runCommand('usermod', ['-p', '*', user]), `usermod -p '*' ${user}`)
  return home
}

async function generateKeyPair(directory: string, name: string): Promise<{ privateKeyPath: string; privateKey: string; publicKey: string }> {
  const privateKeyPath = path.join(directory, name)
  await runOrThrow('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKeyPath])
  const [privateKey, publicKey] = await Promise.all([readFile(privateKeyPath, 'utf8'), readFile(`${privateKeyPath}.pub`, 'utf8')])
  return { privateKeyPath, privateKey, publicKey: publicKey.trim() }
}

/** One line: sshd honours only the first SetEnv line, so every variable must share it. */
function setEnvLines(setEnv: Record<string, string>): string[] {
  const assignments = Object.entries(setEnv).map(([name, value]) => {
    // sshd_config splits on spaces and understands double quotes; keep values simple.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /["\\\n\r]/.test(value)) throw new Error(`setEnv entry not representable in sshd_config: ${name}`)
    return `"${name}=${value}"`
  })
  return assignments.length === 0 ? [] : [`SetEnv ${assignments.join(' ')}`]
}

function sshdConfig(tempDir: string, port: number, user: string, setEnv: Record<string, string>, logLevel: 'VERBOSE' | 'DEBUG1'): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${path.join(tempDir, 'host_ed25519_key')}`,
    `PidFile ${path.join(tempDir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(tempDir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no', // our files live under /tmp, whose world-writable parent fails the checks
    `AllowUsers ${user}`,
    'PermitRootLogin no',
    ...setEnvLines(setEnv),
    'MaxSessions 64',
    'MaxStartups 100',
    `LogLevel ${logLevel}`,
    'AllowTcpForwarding yes', // jump-host tests
    'X11Forwarding no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    ''
  ].join('\n')
}

/**
 * The options every ssh client of a test host uses (the tests', the bench's), so nothing from ~/.ssh, the
 * machine's known_hosts or an agent leaks in; the caller appends the destination and the command.
 */
export function isolatedSshOptions(privateKeyPath: string, knownHostsPath: string, port: number): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    privateKeyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    `UserKnownHostsFile=${knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(port)
  ]
}

function sshArguments(host: { port: number; user: string }, privateKeyPath: string, knownHostsPath: string): string[] {
  return [...isolatedSshOptions(privateKeyPath, knownHostsPath, host.port), `${host.user}@127.0.0.1`]
}

async function logTail(logFile: string): Promise<string> {
  return (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n')
}

/** Whether something accepts a TCP connection on 127.0.0.1:port right now. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/** Waits for sshd to log that it listens (so the port is its, not a racing process's). */
async function waitUntilListening(sshd: ChildProcess, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (sshd.exitCode !== null || sshd.signalCode !== null) throw new Error(`sshd exited before listening:\n${await logTail(logFile)}`)
    const log = await readFile(logFile, 'utf8').catch(() => '')
    if (log.includes(`Server listening on 127.0.0.1 port ${port}`) && (await canConnect(port))) return
    await sleep(50)
  }
  throw new Error(`sshd did not listen on port ${port} within ${STARTUP_TIMEOUT_MS} ms:\n${await logTail(logFile)}`)
}

function processIsGone(pid: number): Promise<boolean> {
  // A zombie (state Z) has exited; whoever reaps it is not our concern.
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    stat => stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'),
    () => true
  )
}

async function terminateAndWait(pid: number): Promise<void> {
  const send = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal)
    } catch {
      /* already gone */
    }
  }
  send('SIGTERM')
  for (let waited = 0; !(await processIsGone(pid)); waited += 50) {
    if (waited === 5_000) send('SIGKILL')
    await sleep(50)
  }
}

/** Live (non-zombie) processes and their parents, read from /proc so no procps is needed. */
async function liveProcesses(): Promise<Array<{ pid: number; parent: number }>> {
  const entries = (await readdir('/proc')).filter(entry => /^\d+$/.test(entry))
  const stats = await Promise.all(
    entries.map(async entry => {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
      const fieldsAfterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return { pid: Number(entry), parent: Number(fieldsAfterName[1]), state: fieldsAfterName[0] }
    })
  )
  return stats.filter(stat => stat.state !== undefined && stat.state !== '' && stat.state !== 'Z')
}

async function childPidsOf(parentPid: number): Promise<number[]> {
  return (await liveProcesses()).filter(entry => entry.parent === parentPid).map(entry => entry.pid)
}

/** Everything our sshd started (connection monitors, their children, the user's commands). */
async function descendantPidsOf(rootPid: number): Promise<number[]> {
  const processes = await liveProcesses()
  const found: number[] = []
  for (let frontier = [rootPid]; frontier.length > 0;) {
    frontier = processes.filter(entry => frontier.includes(entry.parent)).map(entry => entry.pid)
    found.push(...frontier)
  }
  return found
}

/**
 * `Defaults:<user> secure_path` holds for every sudo by that user, whichever host it came
 * through, so two live hosts with different pathPrefix and one user would find each
 * other's shims. Refuse that instead of letting tests flake; leftovers of ended runs don't count.
 */
async function assertNoOtherSecurePath(user: string, securePath: string | undefined): Promise<void> {
  const ownPrefix = `${SUDOERS_FILE_PREFIX}${user}-`
  for (const name of await readdir('/etc/sudoers.d').catch(() => [] as string[])) {
    const creatorPid = Number(/^(\d+)-/.exec(name.slice(ownPrefix.length))?.[1])
    if (!name.startsWith(ownPrefix) || name.endsWith('.partial') || !processIsAlive(creatorPid)) continue
    const otherPath = /secure_path="([^"]*)"/.exec(await readFile(path.join('/etc/sudoers.d', name), 'utf8').catch(() => ''))?.[1]
    if (otherPath === undefined || securePath === undefined || otherPath === securePath) continue
    throw new Error(`another live test host (/etc/sudoers.d/${name}) gives sudo for ${user} a different PATH; start this host with another \`user\``)
  }
}

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** Writes, validates, then renames into place: sudo would choke on a half-written file. */
async function installSudoersDropIn(user: string, tempDir: string, uniqueName: string, securePath?: string): Promise<string> {
  const draftPath = path.join(tempDir, 'sudoers')
  // Defaults:<user> applies to every sudo by this user, later lines win over /etc/sudoers's secure_path.
  const securePathLine = securePath === undefined ? '' : `Defaults:${user} secure_path="${securePath}"\n`
  await writeFile(draftPath, `${securePathLine}${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 })
  await runOrThrow('visudo', ['-cf', draftPath])
  const finalPath = path.join('/etc/sudoers.d', uniqueName)
  const partialPath = `${finalPath}.partial` // sudo skips names containing a dot
  await writeFile(partialPath, await readFile(draftPath), { mode: 0o440 })
  await chmod(partialPath, 0o440) // writeFile's mode is filtered by the umask
  await rename(partialPath, finalPath)
  return finalPath
}

function startSshd(configPath: string, logFile: string): ChildProcess {
  const logDescriptor = openSync(logFile, 'w') // fresh per attempt, so old errors are not misread
  try {
    // -D: stay in the foreground as our child; -e: log to stderr, which is the log file.
    return spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', logDescriptor, logDescriptor] })
  } finally {
    closeSync(logDescriptor)
  }
}

/**
 * Jest runs test files in parallel workers, and sudoers' secure_path and a user's running processes are
 * per user: each worker past the first gets its own login users (sbtest, sbtestw2, …), so hosts of two
 * files running at once never share a user. Read the name from the returned host, not from the option.
 */
export function workerScopedUser(user: string): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1')
  return worker > 1 ? `${user}w${worker}` : user
}

export async function startTestHost(options: StartTestHostOptions = {}): Promise<TestHost> {
  const user = workerScopedUser(options.user ?? 'sbtest')
  const pathPrefix = options.pathPrefix ?? []
  for (const directory of pathPrefix) {
    // The value lands inside double quotes in sshd_config and sudoers; ':' would split it.
    if (!path.isAbsolute(directory) || /[\s:"\\,=]/.test(directory)) throw new Error(`pathPrefix entry must be an absolute path without spaces, ':' or quotes: ${directory}`)
  }
  const searchPath = pathPrefix.length === 0 ? undefined : [...pathPrefix, SYSTEM_PATH].join(':')
  const setEnv = { ...(searchPath === undefined ? {} : { PATH: searchPath }), ...(options.setEnv ?? {}) }
  setEnvLines(setEnv) // reject bad values before creating anything
  const userHome = await ensureLoginUser(user)
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }) // sshd's privilege-separation dir
  const tempDir = await mkdtemp(path.join(os.tmpdir(), `${SSHD_TEMP_DIR_PREFIX}${process.pid}-`))
  const logFile = path.join(tempDir, 'sshd.log')
  const configPath = path.join(tempDir, 'sshd_config')
  const knownHostsPath = path.join(tempDir, 'known_hosts')
  let sshd: ChildProcess | undefined
  let sudoersPath: string | undefined

  const cleanUp = async () => {
    if (sshd?.pid !== undefined) {
      // Signal the whole tree in one go, from one snapshot: once a parent dies its children
      // are re-parented out of reach, and a pid that went stale could be reused by a stranger.
      await Promise.all([...(await descendantPidsOf(sshd.pid)), sshd.pid].map(terminateAndWait))
    }
    if (sudoersPath !== undefined) await rm(sudoersPath, { force: true })
    await rm(tempDir, { recursive: true, force: true })
  }

  try {
    // sshd opens AuthorizedKeysFile as the login user, who must be able to reach it.
    await chmod(tempDir, 0o711)
    const hostKey = await generateKeyPair(tempDir, 'host_ed25519_key')
    const clientKey = await generateKeyPair(tempDir, 'client_ed25519_key')
    const otherHostKey = await generateKeyPair(tempDir, 'other_host_ed25519_key')
    await writeFile(path.join(tempDir, 'authorized_keys'), `${clientKey.publicKey}\n`, { mode: 0o644 })

    let port = 0
    // findFreePort's port can be taken before sshd binds it; a fresh port fixes that.
    for (let attempt = 1; ; attempt += 1) {
      port = await findFreePort()
      await writeFile(configPath, sshdConfig(tempDir, port, user, setEnv, options.logLevel ?? 'VERBOSE'))
      await runOrThrow(SSHD_PATH, ['-t', '-f', configPath])
      sshd = startSshd(configPath, logFile)
      try {
        await waitUntilListening(sshd, port, logFile)
        break
      } catch (error) {
        const portTaken = (await logTail(logFile)).includes('Address already in use')
        if (!portTaken || attempt === 5) throw error
        await terminateAndWait(sshd.pid ?? 0)
      }
    }
    const sshdPid = sshd.pid as number

    const knownHosts = knownHostsLine(port, hostKey.publicKey)
    await writeFile(knownHostsPath, `${knownHosts}\n`)
    if (options.sudo !== false) await assertNoOtherSecurePath(user, searchPath)
    if (options.sudo !== false) sudoersPath = await installSudoersDropIn(user, tempDir, `${SUDOERS_FILE_PREFIX}${user}-${process.pid}-${port}`, searchPath)

    const loginArguments = [...sshArguments({ port, user }, clientKey.privateKeyPath, knownHostsPath), 'true']
    for (let attempt = 1; ; attempt += 1) {
      const login = await runCommand('ssh', loginArguments)
      if (login.code === 0) break
      if (attempt === 5) throw new Error(`ssh login as ${user} failed: ${login.stderr.trim()}\nsshd log:\n${await logTail(logFile)}`)
      await sleep(200)
    }

    let stopped = false
    return {
      host: '127.0.0.1',
      port,
      user,
      userHome,
      clientPrivateKey: clientKey.privateKey,
      clientPublicKey: clientKey.publicKey,
      knownHosts,
      otherKnownHosts: knownHostsLine(port, otherHostKey.publicKey),
      tempDir,
      logFile,
      runAsRoot: script => runCommand('bash', ['-c', script]),
      childPids: () => childPidsOf(sshdPid),
      stop: async () => {
        if (stopped) return
        stopped = true
        await cleanUp()
      }
    }
  } catch (error) {
    await cleanUp()
    throw error
  }
}

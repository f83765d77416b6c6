/**
 * Proves the SSH test bed behaves like a real remote host: key login as a non-root
 * user with strict host-key checking, passwordless sudo, sshd-side SetEnv, and a
 * stop() that leaves nothing of ours running.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isolatedSshOptions, runCommand, startTestHost, SUDOERS_FILE_PREFIX, workerScopedUser, type CommandResult, type TestHost } from '../support/sshd.js'

let clientDir: string

beforeAll(async () => {
  clientDir = await mkdtemp(path.join(os.tmpdir(), 'test-host-client-'))
})

afterAll(async () => {
  await rm(clientDir, { recursive: true, force: true })
})

/** Writes the key and a known_hosts file the way a real client would, and returns ssh's argv. */
async function sshArgumentsFor(host: TestHost, knownHostsLine: string): Promise<string[]> {
  const keyPath = path.join(clientDir, `key-${host.port}`)
  const knownHostsPath = path.join(clientDir, `known_hosts-${host.port}-${Math.random().toString(36).slice(2)}`)
  await writeFile(keyPath, host.clientPrivateKey, { mode: 0o600 })
  await writeFile(knownHostsPath, `${knownHostsLine}\n`)
  return [...isolatedSshOptions(keyPath, knownHostsPath, host.port), `${host.user}@${host.host}`]
}

async function sshRun(host: TestHost, remoteCommand: string, knownHostsLine = host.knownHosts): Promise<CommandResult> {
  return runCommand('ssh', [...(await sshArgumentsFor(host, knownHostsLine)), remoteCommand])
}

/** Pids of live processes whose command line (NULs read as spaces) passes the test; /proc, so no procps needed. */
async function pidsWhoseCommandLine(matches: (commandLine: string) => boolean): Promise<number[]> {
  const pids: number[] = []
  for (const entry of (await readdir('/proc')).filter(name => /^\d+$/.test(name))) {
    const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim()
    const status = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const isZombie = status.slice(status.lastIndexOf(')') + 2).startsWith('Z')
    if (!isZombie && commandLine !== '' && matches(commandLine)) pids.push(Number(entry))
  }
  return pids
}

/** sshd retitles itself ("sshd: /usr/sbin/sshd -D -e -f <config> [listener] ..."), so match a substring. */
const sshdPidsUsing = (tempDir: string) => pidsWhoseCommandLine(line => line.includes(path.join(tempDir, 'sshd_config')))

describe('a started test host', () => {
  let host: TestHost

  beforeAll(async () => {
    host = await startTestHost()
  })

  afterAll(async () => {
    await host?.stop()
  })

  test('accepts the client key as the non-root user when known_hosts holds its host key', async () => {
    const result = await sshRun(host, 'id -un; id -u')
    expect(result).toMatchObject({ code: 0 })
    const [userName, userId] = result.stdout.trim().split('\n')
    expect(userName).toBe(host.user)
    expect(userId).not.toBe('0')
    expect(host.knownHosts).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${host.port} ssh-ed25519 \\S+$`))
  })

  test('is rejected by ssh with strict host key checking when known_hosts holds a different key', async () => {
    expect(host.otherKnownHosts).not.toBe(host.knownHosts)
    const result = await sshRun(host, 'true', host.otherKnownHosts)
    expect(result.code).toBe(255)
    expect(result.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/)
  })

  test('lets the user run commands as root through sudo without a password', async () => {
    const result = await sshRun(host, 'sudo -n id -u')
    expect(result.stderr).toBe('')
    expect(result).toMatchObject({ code: 0, stdout: '0\n' })
  })

  test('runs local scripts as root for setup that the remote user may not do', async () => {
    const result = await host.runAsRoot('id -u; echo "$0"')
    expect(result).toMatchObject({ code: 0, stdout: '0\nbash\n' })
  })

  test('keeps its home directory owned by the login user', async () => {
    const home = await stat(host.userHome)
    const result = await host.runAsRoot(`id -u ${host.user}`)
    expect(home.isDirectory()).toBe(true)
    expect(String(home.uid)).toBe(result.stdout.trim())
  })
})

describe('starting a test host with options', () => {
  test('makes setEnv values visible to non-interactive ssh commands', async () => {
    const host = await startTestHost({ setEnv: { SB_TEST_GREETING: 'hello from sshd', SB_TEST_EMPTY: '' } })
    try {
      const result = await sshRun(host, 'printenv SB_TEST_GREETING; printenv SB_TEST_EMPTY')
      expect(result).toMatchObject({ code: 0, stdout: 'hello from sshd\n\n' })
    } finally {
      await host.stop()
    }
  })

  test('gives no sudo rights when sudo is false', async () => {
    // Its own user: a concurrent host may be granting the default user sudo right now.
    const host = await startTestHost({ user: 'sbtest-nosudo', sudo: false })
    expect(host.user).toBe(workerScopedUser('sbtest-nosudo'))
    try {
      const result = await sshRun(host, 'sudo -n true')
      expect(result.code).not.toBe(0)
    } finally {
      await host.stop()
    }
  })

  test('runs several hosts at once on different ports', async () => {
    const hosts = await Promise.all([startTestHost(), startTestHost()])
    try {
      expect(hosts[0].port).not.toBe(hosts[1].port)
      const results = await Promise.all(hosts.map(host => sshRun(host, 'sudo -n true')))
      expect(results.map(result => result.code)).toEqual([0, 0])
    } finally {
      await Promise.all(hosts.map(host => host.stop()))
    }
  })
})

describe('stopping a test host', () => {
  test('ends its sshd and open connections and removes its files', async () => {
    const host = await startTestHost()
    const sudoersFile = path.join('/etc/sudoers.d', `${SUDOERS_FILE_PREFIX}${host.user}-${process.pid}-${host.port}`)
    await expect(stat(sudoersFile)).resolves.toBeDefined()
    const remoteSleep = `sleep ${600 + (host.port % 300)}` // recognisable among the user's processes
    const openSession = spawn('ssh', [...(await sshArgumentsFor(host, host.knownHosts)), remoteSleep], { stdio: 'ignore' })
    const sessionEnded = new Promise(resolve => openSession.on('exit', resolve))
    try {
      const remoteSleepRunning = async () => (await pidsWhoseCommandLine(line => line === remoteSleep)).length > 0
      for (let waited = 0; !(await remoteSleepRunning()) && waited < 10_000; waited += 50) {
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      expect(await remoteSleepRunning()).toBe(true)
      expect((await host.childPids()).length).toBeGreaterThan(0)
      expect((await sshdPidsUsing(host.tempDir)).length).toBeGreaterThan(0)

      await host.stop()

      expect(await sshdPidsUsing(host.tempDir)).toEqual([])
      expect(await remoteSleepRunning()).toBe(false)
      await sessionEnded // the connection's sshd was killed too, so the client gives up
      await expect(stat(host.tempDir)).rejects.toThrow()
      await expect(stat(sudoersFile)).rejects.toThrow()
      const result = await runCommand('ssh', [...(await sshArgumentsFor(host, host.knownHosts)), 'true'])
      expect(result.code).toBe(255)
    } finally {
      openSession.kill()
      await host.stop()
    }
  })
})

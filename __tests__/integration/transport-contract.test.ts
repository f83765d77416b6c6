/**
 * One contract every Transport passes (house rule 3), run against the local transport and against
 * SshTransport talking to a real sshd with a real non-root user and real sudo (rule 7). The ssh-only
 * part covers what only ssh has: connection errors named after the input to fix, one multiplexed
 * connection, cleanup of the key material, and the key never reaching a command line.
 */
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HostCommandError, InputError } from '../../src/kernel/errors.js'
import { command, pipeline, quote, script } from '../../src/kernel/shell.js'
import { LocalTransport } from '../../src/transport/local.js'
import { SshTransport, type SshSettings } from '../../src/transport/ssh.js'
import type { Transport } from '../../src/transport/transport.js'
import { findFreePort } from '../support/free-port.js'
import { HOSTILE_VALUES } from '../support/hostile-values.js'
import { runCommand, startTestHost, type TestHost } from '../support/sshd.js'
import { countLogLines, lastClientPort, everyProcessText, generateKey, hashingSink, MEBIBYTE, peakMemoryGrowth, randomSource, recordingLogger, secretLinesOf } from '../support/transport-probes.js'

interface TransportUnderTest {
  transport: Transport
  sudo: boolean
  /** uid of the user the transport logs in as (root for the local transport in this test bed). */
  loginUid: number
}

const PWNED = '/tmp/selfhost-backup-pwned'
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false
  )

function describeTransportContract(name: string, factory: () => Promise<TransportUnderTest>): void {
  describe(`Transport contract: ${name}`, () => {
    let subject: TransportUnderTest
    let transport: Transport

    beforeAll(async () => {
      subject = await factory()
      transport = subject.transport
      await transport.open()
    })
    afterAll(async () => {
      await transport?.close()
    })

    test('runs a bash script and returns its standard output', async () => {
      const result = await transport.run('echo "$BASH_VERSION" | grep -q . && printf "%s\\n" one two')
      expect(result).toMatchObject({ exitCode: 0, stdout: 'one\ntwo\n' })
    })

    test('rejects a non-zero exit with a HostCommandError carrying the exit code and the stderr text', async () => {
      const failing = transport.run('echo "disk on fire" >&2; exit 3', { description: 'the probe' })
      await expect(failing).rejects.toBeInstanceOf(HostCommandError)
      const error = (await failing.catch((caught: unknown) => caught)) as HostCommandError
      expect(error.exitCode).toBe(3)
      expect(error.stderr).toContain('disk on fire')
      expect(error.message).toMatch(/^the probe failed \(exit code 3\)/)
    })

    test('returns the exit code and output instead of rejecting when allowFailure is set', async () => {
      const result = await transport.run('echo partial; echo why >&2; exit 5', { allowFailure: true })
      expect(result).toEqual({ exitCode: 5, stdout: 'partial\n', stderr: expect.stringContaining('why') })
    })

    test('fails the run when the first stage of a pipeline built with script() fails (pipefail)', async () => {
      const failingFirstStage = script(pipeline(command(['bash', '-c', 'echo data; exit 7']), command(['cat'])), 'echo reached-the-end')
      const error = (await transport.run(failingFirstStage).catch((caught: unknown) => caught)) as HostCommandError
      expect(error).toBeInstanceOf(HostCommandError)
      expect(error.exitCode).toBe(7)
      // Without pipefail the last stage's 0 would win; without -e the script would carry on.
      const healthy = await transport.run(script(pipeline(command(['printf', 'a\\nb\\n']), command(['wc', '-l']))))
      expect(healthy.stdout.trim()).toBe('2')
    })

    test('streams 64 MiB of host output into a Writable as it arrives, without holding it in memory', async () => {
      const size = 64 * MEBIBYTE
      const file = (await transport.run('mktemp')).stdout.trim()
      try {
        const sink = hashingSink()
        const { result, rss, arrayBuffers } = await peakMemoryGrowth(() =>
          transport.run(script(pipeline(command(['head', '-c', String(size), '/dev/urandom']), command(['tee', '--', file]))), { stdout: sink.stream })
        )
        const received = await sink.digest()
        expect(result.stdout).toBe('')
        expect(sink.bytes()).toBe(size)
        const onHost = await transport.run(script(pipeline(command(['sha256sum', '--', file]), command(['cut', '-d', ' ', '-f', '1']))))
        expect(received).toBe(onHost.stdout.trim())
        expect(rss).toBeLessThan(48 * MEBIBYTE)
        // The sharp measure: a transport that queued the data would hold ~64 MiB of Buffers here.
        expect(arrayBuffers).toBeLessThan(16 * MEBIBYTE)
      } finally {
        await transport.run(command(['rm', '-f', '--', file]), { allowFailure: true })
      }
    })

    test("streams a Readable into the script's standard input: 32 MiB arrive with the same sha256", async () => {
      const source = randomSource(32 * MEBIBYTE)
      const result = await transport.run(script(pipeline(command(['sha256sum']), command(['cut', '-d', ' ', '-f', '1']))), { stdin: source.stream })
      expect(result.stdout.trim()).toBe(source.digest())
    })

    test('passes every hostile value through quote() to printf unchanged, and none of them runs a command', async () => {
      await rm(PWNED, { force: true })
      for (const value of HOSTILE_VALUES) {
        const result = await transport.run(`printf '%s' ${quote(value)}`)
        expect({ value, printed: result.stdout }).toEqual({ value, printed: value })
      }
      const asArgv = await transport.run(script(command(['printf', '%s|', ...HOSTILE_VALUES])))
      expect(asArgv.stdout).toBe(HOSTILE_VALUES.map(value => `${value}|`).join(''))
      expect(await exists(PWNED)).toBe(false)
    })

    test('runs as root through sudo when opened with sudo, and as the login user with asLoginUser', async () => {
      const plain = Number((await transport.run('id -u')).stdout)
      const asLoginUser = Number((await transport.run('id -u', { asLoginUser: true })).stdout)
      expect(plain).toBe(subject.sudo ? 0 : subject.loginUid)
      expect(asLoginUser).toBe(subject.loginUid)
      if (transport.kind === 'ssh') expect(asLoginUser).not.toBe(0)
    })
  })
}

let host: TestHost
let loginUid: number
let scratch: string

beforeAll(async () => {
  host = await startTestHost()
  loginUid = Number((await runCommand('id', ['-u', host.user])).stdout)
  scratch = await mkdtemp(join(tmpdir(), 'transport-contract-'))
})
afterAll(async () => {
  await host?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

function sshSettings(overrides: Partial<SshSettings> = {}): SshSettings {
  return {
    target: { host: host.host, port: host.port, user: host.user },
    privateKey: host.clientPrivateKey,
    knownHosts: host.knownHosts,
    insecureSkipHostKeyCheck: false,
    sudo: false,
    tempRoot: scratch,
    ...overrides
  }
}

describeTransportContract('local, without sudo', async () => ({ transport: new LocalTransport({ sudo: false }), sudo: false, loginUid: process.getuid?.() ?? 0 }))
describeTransportContract('ssh, with sudo', async () => ({ transport: new SshTransport(sshSettings({ sudo: true }), recordingLogger()), sudo: true, loginUid }))
describeTransportContract('ssh, without sudo', async () => ({ transport: new SshTransport(sshSettings(), recordingLogger()), sudo: false, loginUid }))

describe('SshTransport against a real sshd', () => {
  /** Opens a transport that must fail, always closes it, and returns what open() threw. */
  async function openFailure(overrides: Partial<SshSettings>): Promise<unknown> {
    const transport = new SshTransport(sshSettings(overrides), recordingLogger())
    try {
      await transport.open()
    } catch (error) {
      return error
    } finally {
      await transport.close()
    }
    throw new Error('open() succeeded but was expected to fail')
  }

  test('reports a key the host does not accept as an InputError for ssh-key', async () => {
    const stranger = await generateKey(scratch, 'stranger')
    const error = await openFailure({ privateKey: stranger.privateKey })
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input: 'ssh-key', message: expect.stringContaining('Permission denied') })
  })

  test('reports a host key that differs from known-hosts as an InputError for known-hosts', async () => {
    const error = await openFailure({ knownHosts: host.otherKnownHosts })
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input: 'known-hosts' })
  })

  test('reports a port nobody listens on as an InputError for host', async () => {
    const error = await openFailure({ target: { host: host.host, port: await findFreePort(), user: host.user } })
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input: 'host', message: expect.stringContaining('Connection refused') })
  })

  test('rejects a public key or garbage given as the private key with an InputError for ssh-key, before connecting', async () => {
    const connectionsBefore = await countLogLines(host.logFile, /Connection from /)
    for (const privateKey of [host.clientPublicKey, 'not a key at all\n', `-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n`]) {
      const error = await openFailure({ privateKey })
      expect(error).toBeInstanceOf(InputError)
      expect(error).toMatchObject({ input: 'ssh-key', message: expect.not.stringContaining(privateKey.trim()) })
    }
    expect(await countLogLines(host.logFile, /Connection from /)).toBe(connectionsBefore)
  })

  test('rejects a passphrase-protected private key with an InputError that names the passphrase', async () => {
    const encrypted = await generateKey(scratch, 'encrypted', 'secret')
    const error = await openFailure({ privateKey: encrypted.privateKey })
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input: 'ssh-key', message: expect.stringContaining('passphrase') })
  })

  test('multiplexes 20 runs over the one connection open() authenticated, each as its own session', async () => {
    const before = new Set(await host.childPids())
    const authenticationsBefore = await countLogLines(host.logFile, /Accepted publickey for /)
    const transport = new SshTransport(sshSettings(), recordingLogger())
    try {
      await transport.open()
      // sshd forks one child per TCP connection; sessions (one per run) live below it.
      const connection = (await host.childPids()).filter(pid => !before.has(pid))
      expect(connection).toHaveLength(1)
      expect(await countLogLines(host.logFile, /Accepted publickey for /)).toBe(authenticationsBefore + 1)
      const clientPort = await lastClientPort(host.logFile)
      const sessionsOverIt = (): Promise<number> => countLogLines(host.logFile, new RegExp(`Starting session: command for ${host.user} from 127\\.0\\.0\\.1 port ${clientPort} `))
      expect(await sessionsOverIt()).toBe(0)
      for (let index = 0; index < 20; index++) {
        const during = transport.run(`sleep 0.05; echo ${index}`)
        const connectionsWhileRunning = (await host.childPids()).filter(pid => !before.has(pid))
        const echoed = (await during).stdout.trim()
        expect({ index, echoed, connectionsWhileRunning }).toEqual({ index, echoed: String(index), connectionsWhileRunning: connection })
      }
      expect(await countLogLines(host.logFile, /Accepted publickey for /)).toBe(authenticationsBefore + 1)
      expect(await sessionsOverIt()).toBe(20)
    } finally {
      await transport.close()
    }
  })

  test('keeps the key in a private work dir while open, and on close() removes it and stops the control socket', async () => {
    let workDir = ''
    const transport = new SshTransport(sshSettings(), recordingLogger(), path => (workDir = path))
    await transport.open()
    const check = (): Promise<{ code: number }> => runCommand('ssh', ['-F', '/dev/null', '-o', `ControlPath=${join(workDir, 'cm')}`, '-O', 'check', 'selfhost-backup-target'])
    try {
      expect(workDir.startsWith(scratch)).toBe(true)
      expect((await stat(workDir)).mode & 0o777).toBe(0o700)
      expect((await stat(join(workDir, 'key'))).mode & 0o777).toBe(0o600)
      expect((await check()).code).toBe(0)
    } finally {
      await transport.close()
    }
    expect(await exists(workDir)).toBe(false)
    expect((await check()).code).not.toBe(0)
  })

  // Known bug, reported: open() leaves the work dir (key included) behind when it fails, and
  // core/backup.ts and core/restore.ts call close() only after a successful open(). Make this a
  // plain test() once open() cleans up after itself.
  test('removes its work dir, key included, when open() fails', async () => {
    let workDir = ''
    const transport = new SshTransport(sshSettings({ knownHosts: host.otherKnownHosts }), recordingLogger(), path => (workDir = path))
    const error = await transport.open().catch((caught: unknown) => caught)
    try {
      expect(error).toBeInstanceOf(InputError)
      expect(await exists(workDir)).toBe(false)
    } finally {
      await transport.close()
    }
  })

  test('never puts a line of the private key on any command line or in any environment while a command runs', async () => {
    const secretLines = secretLinesOf(host.clientPrivateKey)
    expect(secretLines.length).toBeGreaterThan(2)
    const transport = new SshTransport(sshSettings({ sudo: true }), recordingLogger())
    try {
      await transport.open()
      const running = transport.run('sleep 2; echo done')
      await new Promise(resolve => setTimeout(resolve, 700))
      const processes = await everyProcessText()
      const sleeping = processes.filter(process => /^sleep 2\s*$/.test(process.commandLine))
      expect(sleeping.length).toBeGreaterThan(0) // the probe looked while the remote command ran
      const leaks = processes.filter(process => secretLines.some(line => process.commandLine.includes(line) || process.environment.includes(line)))
      expect(leaks.map(process => process.pid)).toEqual([])
      expect((await running).stdout).toBe('done\n')
    } finally {
      await transport.close()
    }
  })
})

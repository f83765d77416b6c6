import { spawn, type ChildProcess } from 'node:child_process'
import { interruption } from '../kernel/interruption.js'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HostCommandError, InputError, SelfhostBackupError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { childEnvironment } from '../kernel/child-environment.js'
import { runProcess } from './process-runner.js'
import { buildSshConfig, controlArgs, masterArgs, remoteCommandArgs, type SshEndpoint, type SshFiles } from './ssh-args.js'
import { hostIdFrom, type RunOptions, type RunResult, type Transport } from './transport.js'

export interface SshSettings {
  target: SshEndpoint
  jump?: SshEndpoint
  privateKey: string
  knownHosts: string
  insecureSkipHostKeyCheck: boolean
  sudo: boolean
  /** Parent for the private work dir (key, known_hosts, control socket): RUNNER_TEMP in Actions. */
  tempRoot?: string
}

/** OpenSSH client with one multiplexed connection for the whole run. */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const
  readonly label: string
  readonly hostId: string
  private files?: SshFiles
  private workDir?: string
  private master?: ChildProcess

  constructor(
    private readonly settings: SshSettings,
    private readonly logger: Logger,
    /** Called with the work dir as soon as it exists, so a post step can remove it after a crash. */
    private readonly onWorkDir: (path: string) => void = () => undefined
  ) {
    const { user, host, port } = settings.target
    this.label = `${user}@${host}:${port}`
    this.hostId = hostIdFrom(port === 22 ? host : `${host}-${port}`)
  }

  async open(): Promise<void> {
    this.workDir = await mkdtemp(join(this.settings.tempRoot ?? tmpdir(), 'sb-ssh-'))
    await chmod(this.workDir, 0o700)
    this.onWorkDir(this.workDir)
    const files: SshFiles = {
      configFile: join(this.workDir, 'config'),
      keyFile: join(this.workDir, 'key'),
      knownHostsFile: join(this.workDir, 'known_hosts'),
      controlPath: join(this.workDir, 'cm')
    }
    this.files = files
    try {
      const key = this.settings.privateKey.replace(/\r\n/g, '\n').trim() + '\n'
      await writeFile(files.keyFile, key, { mode: 0o600 })
      await writeFile(files.knownHostsFile, this.settings.knownHosts.trim() + '\n', { mode: 0o600 })
      await writeFile(files.configFile, buildSshConfig(this.settings, files), { mode: 0o600 })
      await this.checkKeyIsUsable(files.keyFile)
      await this.startMaster(files)
    } catch (error) {
      // A failed connection must not leave the key behind (the CLI has no post step).
      await this.close()
      throw error
    }
  }

  async run(script: string, options: RunOptions = {}): Promise<RunResult> {
    if (!this.files) throw new Error('SshTransport.run called before open()')
    const sudo = this.settings.sudo && !options.asLoginUser
    try {
      return await runProcess('ssh', remoteCommandArgs(this.files.configFile, script, sudo), options)
    } catch (error) {
      // 255 is ssh's own failure; with a multiplexed connection it says nothing on stderr, so name the cause.
      if (error instanceof HostCommandError && error.exitCode === 255 && !options.allowFailure) {
        throw new HostCommandError(
          options.description ?? 'A command on the host',
          255,
          error.stderr,
          'nothing was stored or changed beyond the step named above; check the network and the host (sshd log, memory), then run the job again.',
          `the SSH connection to ${this.label} was lost`
        )
      }
      throw error
    }
  }

  async close(): Promise<void> {
    if (this.files && this.master && this.master.exitCode === null) {
      await runProcess('ssh', controlArgs(this.files.configFile, 'exit'), { allowFailure: true }).catch(() => undefined)
      this.master.kill('SIGTERM')
    }
    this.master = undefined
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true })
    this.workDir = undefined
    this.files = undefined
  }

  private async checkKeyIsUsable(keyFile: string): Promise<void> {
    // -P '' makes an encrypted key fail instead of prompting; the passphrase is not a secret here.
    const result = await runProcess('ssh-keygen', ['-y', '-P', '', '-f', keyFile], { allowFailure: true })
    if (result.exitCode !== 0) {
      const encrypted = /incorrect passphrase|passphrase/i.test(result.stderr)
      throw new InputError(
        'ssh-key',
        encrypted
          ? 'the private key is protected by a passphrase, which an unattended backup cannot type.'
          : 'this is not a usable OpenSSH private key (it may be a public key, truncated, or mangled by copy and paste).',
        encrypted
          ? 'create a dedicated key without a passphrase (ssh-keygen -t ed25519 -N "" -f backup_key) and store its content as a secret.'
          : 'store the whole private key file, from "-----BEGIN" to "-----END … KEY-----", as the secret.'
      )
    }
  }

  private async startMaster(files: SshFiles): Promise<void> {
    if (this.settings.insecureSkipHostKeyCheck) {
      this.logger.warning(`insecure-skip-host-key-check is on: the identity of ${this.label} is NOT verified, so a machine in the middle could receive your data. Set known-hosts instead.`)
    }
    // Its own process group in the command-line tool: Ctrl-C must not cut the connection the cleanup needs.
    const master = spawn('ssh', masterArgs(files.configFile), { stdio: ['ignore', 'ignore', 'pipe'], env: childEnvironment(), detached: interruption.isolateChildren })
    this.master = master
    let stderr = ''
    master.stderr?.setEncoding('utf8')
    master.stderr?.on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>(resolve => master.once('close', code => resolve(code)))
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const state = await Promise.race([exited.then(code => ({ code })), sleep(150).then(() => null)])
      if (state) throw this.connectionError(state.code, stderr)
      const check = await runProcess('ssh', controlArgs(files.configFile, 'check'), { allowFailure: true })
      if (check.exitCode === 0) return
    }
    master.kill('SIGTERM')
    throw new SelfhostBackupError(`Timed out connecting to ${this.label}.`, 'check `host` and `port`, and that the host is reachable from the runner.')
  }

  private connectionError(code: number | null, stderr: string): Error {
    const jump = this.settings.jump && failedAtJumpHost(stderr, this.settings.jump, this.settings.target) ? this.settings.jump : undefined
    const endpoint = jump ?? this.settings.target
    const where = jump ? `the jump host ${endpoint.user}@${endpoint.host}:${endpoint.port}` : this.label
    const onHost = jump ? 'on the jump host' : 'on the host'
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
      return new InputError(
        'known-hosts',
        `the host key of ${where} is not the one in known-hosts (or known-hosts has no line for it).`,
        `run \`ssh-keyscan -p ${endpoint.port} ${endpoint.host}\` from a trusted network, check the fingerprint against that server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), and store the lines as the known-hosts secret${jump ? ' (it needs the lines of both the jump host and the target)' : ''}.`
      )
    }
    if (/Permission denied/i.test(stderr)) {
      return new InputError(
        'ssh-key',
        `${where} refused the key (Permission denied).`,
        `add the public key to ~${endpoint.user}/.ssh/authorized_keys ${onHost}, and check \`${jump ? 'jump-host' : 'user'}\`.`
      )
    }
    const unreachable = /Connection refused|timed out|No route to host|Could not resolve|Name or service not known|Network is unreachable/i
    if (unreachable.test(stderr)) {
      const reason =
        stderr
          .split('\n')
          .find(line => unreachable.test(line))
          ?.trim() ?? ''
      return jump
        ? new InputError('jump-host', `cannot reach ${where}: ${reason}`, 'check `jump-host` ([user@]host[:port]), and that sshd runs there and lets the runner in.')
        : new InputError('host', `cannot reach ${where}: ${reason}`, 'check `host` and `port`, and that sshd runs and the firewall lets the runner in.')
    }
    return new HostCommandError(`Connecting to ${where} with ssh`, code, stderr)
  }
}

/** With ProxyJump both hops write to one stderr; ssh names the endpoint in the messages that matter. */
function failedAtJumpHost(stderr: string, jump: SshEndpoint, target: SshEndpoint): boolean {
  const host = escapeRegExp(jump.host)
  const named = jump.port === 22 ? `(\\[${host}\\]:22|${host})` : `\\[${host}\\]:${jump.port}`
  const signs = [`connect to host ${host} port ${jump.port}:`, `host key is known for ${named}[ ,]`, `Host key for ${named} has changed`]
  // "user@host: Permission denied" has no port: it tells the hops apart only when user@host differ.
  if (jump.user !== target.user || jump.host !== target.host) signs.push(`^${escapeRegExp(jump.user)}@${host}: Permission denied`)
  return new RegExp(signs.join('|'), 'm').test(stderr)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

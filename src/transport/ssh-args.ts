import { quote } from '../kernel/shell.js'

export const TARGET_ALIAS = 'selfhost-backup-target'
const JUMP_ALIAS = 'selfhost-backup-jump'

export interface SshEndpoint {
  host: string
  port: number
  user: string
}

export interface SshFiles {
  configFile: string
  keyFile: string
  knownHostsFile: string
  controlPath: string
}

export interface SshConfigSettings {
  target: SshEndpoint
  jump?: SshEndpoint
  insecureSkipHostKeyCheck: boolean
}

/**
 * The ssh client configuration as a file, so the jump host gets the same key, known_hosts and strict
 * checking as the target (command-line -o options are not passed on to ProxyJump's inner ssh).
 * Host, user and port were validated to a safe character set when the inputs were parsed.
 */
export function buildSshConfig(settings: SshConfigSettings, files: SshFiles): string {
  const common = [
    `IdentityFile "${files.keyFile}"`,
    'IdentitiesOnly yes',
    'IdentityAgent none',
    'BatchMode yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'ConnectTimeout 20',
    'ServerAliveInterval 15',
    'ServerAliveCountMax 4',
    // Backups move GBs through one connection: AES-GCM runs on the CPU's AES instructions, several times
    // cheaper than the default chacha20 there; the rest of OpenSSH's default list stays as the fallback.
    'Ciphers ^aes128-gcm@openssh.com,aes256-gcm@openssh.com',
    'Compression no',
    'LogLevel ERROR',
    ...(settings.insecureSkipHostKeyCheck ? ['StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null'] : ['StrictHostKeyChecking yes', `UserKnownHostsFile "${files.knownHostsFile}"`]),
    'GlobalKnownHostsFile /dev/null',
    'UpdateHostKeys no',
    'ForwardAgent no',
    'ClearAllForwardings yes'
  ]
  const block = (alias: string, endpoint: SshEndpoint, extra: string[]): string[] => [
    `Host ${alias}`,
    `  HostName ${endpoint.host}`,
    `  Port ${endpoint.port}`,
    `  User ${endpoint.user}`,
    ...[...extra, ...common].map(line => `  ${line}`)
  ]
  const targetExtra = ['ControlMaster no', `ControlPath "${files.controlPath}"`, ...(settings.jump ? [`ProxyJump ${JUMP_ALIAS}`] : [])]
  const lines = [...block(TARGET_ALIAS, settings.target, targetExtra)]
  if (settings.jump) lines.push(...block(JUMP_ALIAS, settings.jump, []))
  return `${lines.join('\n')}\n`
}

/** The long-lived master connection every later command multiplexes over. */
export function masterArgs(configFile: string): string[] {
  return ['-F', configFile, '-o', 'ControlMaster=yes', '-N', TARGET_ALIAS]
}

export function controlArgs(configFile: string, operation: 'check' | 'exit'): string[] {
  return ['-F', configFile, '-O', operation, TARGET_ALIAS]
}

/**
 * argv for one remote command. ssh hands the command to the remote login shell as one string, so the
 * script is quoted once here and runs under bash (pipefail) — through `sudo -n` when asked.
 */
export function remoteCommandArgs(configFile: string, script: string, sudo: boolean): string[] {
  const remote = `${sudo ? 'sudo -n -- ' : ''}bash -c ${quote(script)}`
  return ['-F', configFile, '-T', TARGET_ALIAS, remote]
}

/** "[user@]host[:port]" → endpoint; validated by the input parser before it gets here. */
export function parseEndpoint(value: string, defaults: { user: string; port: number }): SshEndpoint {
  let rest = value
  let user = defaults.user
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    user = rest.slice(0, at)
    rest = rest.slice(at + 1)
  }
  let port = defaults.port
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest)
  if (bracketed) {
    rest = bracketed[1]
    if (bracketed[2]) port = Number(bracketed[2])
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const colon = rest.lastIndexOf(':')
    port = Number(rest.slice(colon + 1))
    rest = rest.slice(0, colon)
  }
  return { host: rest, port, user }
}

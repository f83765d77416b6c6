import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import type { TransportSettings } from '../transport/settings.js'
import { parseEndpoint, type SshEndpoint } from '../transport/ssh-args.js'

/** Host names, IPv4 and bracket-less IPv6: nothing a shell or ssh_config would interpret. */
const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^[0-9A-Fa-f:.]{2,45}$/
const USER_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

/** `identityOnly`: the host is only named (mode: check finds its backups), never connected to. */
export function parseTransportInputs(reader: InputReader, options: { identityOnly?: boolean } = {}): TransportSettings {
  const kind = reader.choice('transport', ['ssh', 'local'] as const)
  const sudo = reader.boolean('sudo')
  if (kind === 'local') return { kind, sudo }
  const host = reader.required('host', 'with transport: ssh')
  if (!HOST_PATTERN.test(host))
    throw new InputError('host', `"${host}" is not a host name or IP address.`, 'use a name like backup.example.com or an address like 192.0.2.10 (no user@, no port: use `user` and `port`).')
  const port = reader.integer('port', { min: 1, max: 65535 }) ?? 22
  if (options.identityOnly) return { kind, sudo, target: { host, port, user: reader.string('user') || 'unused' }, privateKey: '', knownHosts: '', insecureSkipHostKeyCheck: false }
  const user = reader.required('user', 'with transport: ssh')
  if (!USER_PATTERN.test(user)) throw new InputError('user', `"${user}" is not a valid login name.`, 'use the plain user name, e.g. deploy.')
  const privateKey = reader.required('ssh-key', 'with transport: ssh (the private key content, from a secret)')
  if (/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/.test(privateKey)) {
    throw new InputError('ssh-key', 'this is a public key; the private key is needed.', 'store the content of the private key file (e.g. ~/.ssh/backup_key, not backup_key.pub) as the secret.')
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new InputError('ssh-key', 'this does not look like a private key (no "-----BEGIN … PRIVATE KEY-----" line).', 'store the whole private key file as the secret.')
  }
  const insecureSkipHostKeyCheck = reader.boolean('insecure-skip-host-key-check')
  const knownHosts = reader.string('known-hosts', { multiline: true })
  if (!knownHosts && !insecureSkipHostKeyCheck) {
    throw new InputError(
      'known-hosts',
      "is required so the host's identity can be verified.",
      `run \`ssh-keyscan -p ${port} ${host}\` from a trusted network, compare the fingerprint with the server's, and pass the lines (e.g. from a secret or variable).`
    )
  }
  const jumpText = reader.string('jump-host')
  let jump: SshEndpoint | undefined
  if (jumpText) {
    jump = parseEndpoint(jumpText, { user, port: 22 })
    if (!HOST_PATTERN.test(jump.host) || !USER_PATTERN.test(jump.user) || !(jump.port >= 1 && jump.port <= 65535)) {
      throw new InputError('jump-host', `"${jumpText}" is not [user@]host[:port].`, 'e.g. jump@bastion.example.com:2222.')
    }
  }
  return { kind, sudo, target: { host, port, user }, jump, privateKey, knownHosts, insecureSkipHostKeyCheck }
}

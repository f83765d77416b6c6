import type { Logger } from '../kernel/log.js'
import { LocalTransport } from './local.js'
import type { SshEndpoint } from './ssh-args.js'
import { SshTransport } from './ssh.js'
import type { Transport } from './transport.js'

export type TransportSettings =
  { kind: 'local'; sudo: boolean } | { kind: 'ssh'; sudo: boolean; target: SshEndpoint; jump?: SshEndpoint; privateKey: string; knownHosts: string; insecureSkipHostKeyCheck: boolean }

export function createTransport(settings: TransportSettings, logger: Logger, options: { tempRoot?: string; onWorkDir?: (path: string) => void } = {}): Transport {
  if (settings.kind === 'local') return new LocalTransport({ sudo: settings.sudo })
  return new SshTransport({ ...settings, tempRoot: options.tempRoot }, logger, options.onWorkDir)
}

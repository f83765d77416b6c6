import { hostname } from 'node:os'
import { runProcess } from './process-runner.js'
import { hostIdFrom, type RunOptions, type RunResult, type Transport } from './transport.js'

/** Runs the host-side scripts on this machine: for self-hosted runners and the CLI. */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const
  readonly label: string
  readonly hostId: string

  constructor(private readonly settings: { sudo: boolean; hostName?: string }) {
    const name = settings.hostName ?? hostname()
    this.label = `local (${name})`
    this.hostId = hostIdFrom(name)
  }

  async open(): Promise<void> {}

  run(script: string, options: RunOptions = {}): Promise<RunResult> {
    // --norc: bash thinks a child with a socket for stdin was started by sshd and would read ~/.bashrc.
    if (this.settings.sudo && !options.asLoginUser) {
      return runProcess('sudo', ['-n', '--', 'bash', '--norc', '--noprofile', '-c', script], options)
    }
    return runProcess('bash', ['--norc', '--noprofile', '-c', script], options)
  }

  async close(): Promise<void> {}
}

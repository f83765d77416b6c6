import { LocalTransport } from '../../src/transport/local.js'
import type { RunOptions, RunResult, Transport } from '../../src/transport/transport.js'

/** One script the pipeline ran on the host, in order, with the step it named. */
export interface RecordedRun {
  description: string
  script: string
}

/**
 * The in-process tier's host: every script runs for real on this machine (bash, tar, sqlite3), and is
 * recorded in order, so a test can ask what ran and in which order without a bundle, sshd or log parsing.
 */
export class RecordingTransport implements Transport {
  readonly kind = 'local' as const
  readonly label: string
  readonly hostId: string
  readonly runs: RecordedRun[] = []
  private readonly local: LocalTransport

  constructor(hostName = 'recording-host') {
    this.local = new LocalTransport({ sudo: false, hostName })
    this.label = this.local.label
    this.hostId = this.local.hostId
  }

  async open(): Promise<void> {}

  run(script: string, options: RunOptions = {}): Promise<RunResult> {
    this.runs.push({ description: options.description ?? '', script })
    return this.local.run(script, options)
  }

  async close(): Promise<void> {}

  /** Index of the first recorded run whose description or script matches, or -1. */
  indexOf(pattern: RegExp): number {
    return this.runs.findIndex(run => pattern.test(run.description) || pattern.test(run.script))
  }
}

/** One timed run of a procedure: wall seconds, bytes through the SSH proxy, memory and temp-disk peaks. */
import { spawnSync } from 'node:child_process'
import type { ByteProxy } from './byte-proxy.js'
import { startSampling, type SamplingOptions } from './samplers.js'

export interface Measurement {
  seconds: number
  /** Both directions through the proxy in front of sshd. */
  sshBytes: number
  peakRssBytes: number | null
  peakHostTempBytes: number
  peakRunnerTempBytes: number
  hostTempEntries: string[]
  /** CPU seconds per program during the run (see process-profile.ts). */
  cpuSeconds: Record<string, number>
  /** The run's own stage times, when it reports them (our backups' "Stages:" line). */
  stages?: string
}

export interface MeasureContext {
  proxy: ByteProxy
  sampling: SamplingOptions
}

/** `work` gets a function to name the processes whose memory counts (the action's node process). */
export async function measure(context: MeasureContext, work: (trackPid: (pid: number) => void) => Promise<void | string>): Promise<Measurement> {
  // Untimed: write back what earlier steps left dirty (gigabytes, on this VM's slow disk), so no run
  // pays for its predecessor's writeback. The page cache stays warm.
  spawnSync('sync')
  const before = await context.proxy.counts()
  const sampling = await startSampling(context.sampling)
  const started = performance.now()
  let stages: string | void
  try {
    stages = await work(pid => sampling.track(pid))
  } catch (error) {
    await sampling.stop()
    throw error
  }
  const seconds = (performance.now() - started) / 1000
  const sampled = await sampling.stop()
  const after = await context.proxy.counts()
  return { seconds, sshBytes: after.up + after.down - before.up - before.down, ...sampled, ...(stages ? { stages } : {}) }
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

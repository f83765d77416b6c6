/** Medians per (app, operation, variant, dataset), with the ratios the targets are about. */
import { median } from '../measure/measure.js'
import type { Recorded } from '../procedures/run-suite.js'

export interface SummaryRow {
  app: string
  operation: 'backup' | 'restore'
  variant: string
  dataset: string
  runs: number
  /** Median wall seconds, and every run's. */
  seconds: number
  runSeconds: number[]
  /** Median bytes through the SSH proxy, both directions. */
  sshBytes: number
  /** Largest over the runs (ours only; null for manual and floor, where no runner process is ours). */
  peakRssBytes: number | null
  peakHostTempBytes: number
  /** Largest over the runs: what our action staged in RUNNER_TEMP (0 for manual and floor, which stage nothing there). */
  peakRunnerTempBytes: number
  hostTempEntries: string[]
  /** median(ours) / median(manual) and / median(floor), same app, operation and dataset; null for manual and floor. */
  versusManual: number | null
  versusFloor: number | null
  /** median(ours) / median(transport-floor): the parts made on the host and piped over one SSH connection into /dev/null. */
  versusTransportFloor: number | null
  /** CPU seconds per program in the run closest to the median. */
  cpuSeconds: Record<string, number>
  /** Our backups' stage times in the run closest to the median. */
  stages?: string
}

export function summarize(recorded: Recorded[]): SummaryRow[] {
  const find = (row: Recorded, variant: string) => recorded.find(other => other.app === row.app && other.operation === row.operation && other.dataset === row.dataset && other.variant === variant)
  return recorded.map(row => {
    const seconds = median(row.runs.map(run => run.seconds))
    const isOurs = row.variant.startsWith('ours')
    const ratio = (variant: string) => {
      const other = find(row, variant)
      return isOurs && other ? seconds / median(other.runs.map(run => run.seconds)) : null
    }
    const rss = row.runs.map(run => run.peakRssBytes).filter((value): value is number => value !== null)
    const typical = row.runs.reduce((best, run) => (Math.abs(run.seconds - seconds) < Math.abs(best.seconds - seconds) ? run : best), row.runs[0])
    const tempPeak = row.runs.reduce((best, run) => (run.peakHostTempBytes > best.peakHostTempBytes ? run : best), row.runs[0])
    return {
      app: row.app,
      operation: row.operation,
      variant: row.variant,
      dataset: row.dataset,
      runs: row.runs.length,
      seconds,
      runSeconds: row.runs.map(run => Number(run.seconds.toFixed(2))),
      sshBytes: median(row.runs.map(run => run.sshBytes)),
      peakRssBytes: isOurs && rss.length > 0 ? Math.max(...rss) : null,
      peakHostTempBytes: tempPeak.peakHostTempBytes,
      peakRunnerTempBytes: Math.max(...row.runs.map(run => run.peakRunnerTempBytes ?? 0)),
      hostTempEntries: tempPeak.hostTempEntries,
      versusManual: ratio('manual'),
      versusFloor: ratio('floor'),
      versusTransportFloor: ratio('transport-floor'),
      cpuSeconds: typical.cpuSeconds,
      ...(typical.stages ? { stages: typical.stages } : {})
    }
  })
}

/** Runs every variant of an app's suite BENCH_RUNS times, interleaved (run 1 of all, then run 2, …). */
import { measure, type MeasureContext, type Measurement } from '../measure/measure.js'
import type { AppSuite, Variant, VariantName } from './variant.js'

export type Operation = 'backup' | 'restore'

export interface Recorded {
  app: AppSuite['app']
  operation: Operation
  variant: VariantName
  /** Dataset label: 'default' or '4x'. */
  dataset: string
  runs: Measurement[]
}

async function runVariant(variant: Variant, context: MeasureContext): Promise<Measurement> {
  await variant.prepare?.()
  try {
    return await measure(context, track => variant.run(track))
  } finally {
    await variant.finish?.()
  }
}

export async function runSuite(suite: AppSuite, runs: number, context: MeasureContext, log: (line: string) => void, dataset = 'default'): Promise<Recorded[]> {
  const recorded = new Map<string, Recorded>()
  const record = (operation: Operation, variant: VariantName, measurement: Measurement) => {
    const key = `${operation} ${variant}`
    const entry = recorded.get(key) ?? { app: suite.app, operation, variant, dataset, runs: [] }
    entry.runs.push(measurement)
    recorded.set(key, entry)
  }
  for (let run = 1; run <= runs; run++) {
    for (const [operation, variants] of [
      ['backup', suite.backups],
      ['restore', suite.restores]
    ] as const) {
      for (const variant of variants) {
        const measurement = await runVariant(variant, context)
        record(operation, variant.name, measurement)
        const ours =
          measurement.peakRssBytes === null ? '' : `, runner peak RSS ${(measurement.peakRssBytes / 1e6).toFixed(0)} MB, runner tmp ${((measurement.peakRunnerTempBytes ?? 0) / 1e6).toFixed(1)} MB`
        log(
          `${dataset === 'default' ? '' : `${dataset} `}${suite.app} ${operation} ${variant.name} run ${run}/${runs}: ${measurement.seconds.toFixed(1)} s, ${(measurement.sshBytes / 1e6).toFixed(1)} MB over SSH${ours}`
        )
        if (measurement.stages) log(`  stages: ${measurement.stages}`)
      }
    }
  }
  return [...recorded.values()]
}

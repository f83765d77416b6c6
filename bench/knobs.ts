/** The benchmark's scale knobs, read once from the environment (see bench/README.md). */
export interface BenchKnobs {
  /** 1 = the default dataset of the issue; 0.05 a quick smoke run. */
  scale: number
  /** Repetitions of every measurement; medians are reported. */
  runs: number
  /** Also build 4× the dataset and measure the runner's peak RSS there. */
  fourX: boolean
  /** The backup action's `verify` input for the timed runs (manual and floor verify nothing). */
  verify: 'checksum' | 'drill'
  /** Also back up to artifacts with `verify: drill` beside the checksum rows (row ours-artifact-drill; the small-scale target ≤ 1.2 × manual). */
  drillRow: boolean
  /** Which applications to measure. */
  apps: ('seatable' | 'tabby')[]
  /** Run the incremental phase (needs the `incremental` and `full-every` inputs). */
  incremental: boolean
  /** Run the "large" phase: SeaTable through a RUNNER_TEMP smaller than its data, encrypted and drilled. */
  large: boolean
  /** Rewrite the README's performance table (default: only for a default-scale run). */
  updateReadme: boolean
  seed: number
  /** Only re-render the table, JSON and README from the stored results (after a format change). */
  reportOnly: boolean
}

function number(name: string, fallback: number, check: (value: number) => boolean, accepted: string): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${name}=${raw} is not valid: ${accepted}`)
  return value
}

function flag(name: string, fallback: boolean): boolean {
  const raw = (process.env[name] ?? '').trim().toLowerCase()
  if (raw === '') return fallback
  if (['1', 'true', 'yes'].includes(raw)) return true
  if (['0', 'false', 'no'].includes(raw)) return false
  throw new Error(`${name}=${raw} is not valid: use 1/true/yes or 0/false/no`)
}

export function readKnobs(): BenchKnobs {
  const scale = number('BENCH_SCALE', 1, value => value > 0 && value <= 8, 'a number above 0, at most 8 (1 = the default dataset)')
  const runs = number('BENCH_RUNS', 3, value => Number.isInteger(value) && value >= 1 && value <= 15, 'a whole number from 1 to 15')
  const verify = (process.env.BENCH_VERIFY ?? 'checksum').trim() || 'checksum'
  if (verify !== 'checksum' && verify !== 'drill') throw new Error(`BENCH_VERIFY=${verify} is not valid: use checksum or drill`)
  const apps = (process.env.BENCH_APPS ?? 'seatable,tabby').split(/[\s,]+/).filter(Boolean)
  for (const app of apps) if (app !== 'seatable' && app !== 'tabby') throw new Error(`BENCH_APPS names ${app}: use seatable and/or tabby`)
  return {
    scale,
    runs,
    fourX: !flag('BENCH_SKIP_4X', false),
    verify,
    drillRow: verify === 'checksum' && flag('BENCH_DRILL_ROW', scale < 1),
    apps: apps as BenchKnobs['apps'],
    incremental: !flag('BENCH_SKIP_INCREMENTAL', false),
    large: !flag('BENCH_SKIP_LARGE', false),
    updateReadme: flag('BENCH_UPDATE_README', scale === 1),
    seed: number('BENCH_SEED', 1, value => Number.isInteger(value) && value >= 0, 'a whole number'),
    reportOnly: flag('BENCH_REPORT_ONLY', false)
  }
}

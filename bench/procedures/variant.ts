/** One way of doing a backup or a restore; only run() is timed. */
export type VariantName = 'manual' | 'floor' | 'transport-floor' | 'ours-local' | 'ours-artifact' | 'ours-artifact-drill' | 'ours-local-over-live'

export interface Variant {
  name: VariantName
  /** Untimed: fresh target directories, databases emptied, … */
  prepare?(): Promise<void>
  /** Timed. `track` names processes whose peak memory counts as the runner's. May return the run's own stage times (our backups' "Stages:" line). */
  run(track: (pid: number) => void): Promise<void | string>
  /** Untimed clean-up. */
  finish?(): Promise<void>
}

export interface AppSuite {
  app: 'seatable' | 'tabby'
  backups: Variant[]
  /** Each restores what the backup of the same name (floor: ours-local's parts) made in this run. */
  restores: Variant[]
}

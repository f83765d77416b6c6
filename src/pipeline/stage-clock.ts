import { interruption } from '../kernel/interruption.js'
import { formatSeconds } from '../kernel/log.js'

/** Wall time per stage of a run, each stage ending where the next begins. */
export class StageClock {
  private readonly stages: { name: string; milliseconds: number }[] = []
  private since = Date.now()

  /** Ends the stage that ran since the previous end (or since the clock started) under `name`; after an interruption, no next stage starts. */
  end(name: string): void {
    interruption.throwIfInterrupted()
    const now = Date.now()
    this.stages.push({ name, milliseconds: now - this.since })
    this.since = now
  }

  /** "connect 0.3 s, preflight 0.5 s, …" */
  summary(): string {
    return this.stages.map(stage => `${stage.name} ${formatSeconds(stage.milliseconds)}`).join(', ')
  }
}

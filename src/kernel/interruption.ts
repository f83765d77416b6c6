import type { ChildProcess } from 'node:child_process'

/**
 * Ctrl-C (SIGINT) or SIGTERM while the command-line tool works: the processes it runs stop, the current step
 * fails, and the cleanup the pipeline does on any failure (staging directories, the host's staging and
 * lock, uploaded parts without a manifest) runs as it would after an error. Only the tool itself hears the
 * terminal's signal: the processes it starts get their own process group once `install` ran, so that an ssh
 * connection the cleanup still needs is not cut by the same keypress.
 */
class Interruption {
  private readonly running = new Set<ChildProcess>()
  private signal: NodeJS.Signals | undefined
  /** Set by `install`: children start in a process group of their own. */
  isolateChildren = false

  get interrupted(): NodeJS.Signals | undefined {
    return this.signal
  }

  /** Watches a running process: an interruption stops it. Returns the function that stops watching. */
  track(child: ChildProcess): () => void {
    this.running.add(child)
    return () => this.running.delete(child)
  }

  /** Stops every watched process (each step waiting on one fails) and makes the next stage boundary fail. */
  interrupt(signal: NodeJS.Signals): void {
    this.signal ??= signal
    for (const child of this.running) {
      try {
        // An isolated child leads its own process group: the whole group goes, the shell and what it started.
        if (this.isolateChildren && child.pid) process.kill(-child.pid, 'SIGTERM')
        else child.kill('SIGTERM')
      } catch {
        // It ended meanwhile.
      }
    }
  }

  /** At a stage boundary: once interrupted, no new stage starts. */
  throwIfInterrupted(): void {
    if (this.signal) throw new InterruptedError(this.signal)
  }
}

export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`Interrupted (${signal})`)
    this.name = 'InterruptedError'
  }
}

export const interruption = new Interruption()

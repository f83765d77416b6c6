import type { ChildProcess } from 'node:child_process'

/**
 * Ctrl-C (SIGINT) or SIGTERM while the command-line tool works: the processes it runs stop, the current step
 * fails, and the cleanup the pipeline does on any failure (staging directories, the host's staging and
 * lock, uploaded parts without a manifest) runs as it would after an error. Only the tool itself hears the
 * terminal's signal: once the tool sets `isolateChildren`, the processes it starts get their own process
 * group, so that an ssh connection the cleanup still needs is not cut by the same keypress.
 */
const GRACE_MILLISECONDS = 2000

class Interruption {
  private readonly running = new Set<ChildProcess>()
  private readonly stopped = new WeakSet<ChildProcess>()
  private signal: NodeJS.Signals | undefined
  /** Set by the command-line tool: children start in a process group of their own. */
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
    this.stopAll('SIGTERM')
    // SIGTERM lets a host script's trap remove its temp files; what still runs after a grace period (an ssh
    // client waiting for a remote command that never reads or writes) is killed.
    setTimeout(() => this.stopAll('SIGKILL'), GRACE_MILLISECONDS).unref()
  }

  /** Whether the interruption stopped this process: its exit, whatever its code, is the interruption's doing. */
  didStop(child: ChildProcess): boolean {
    return this.stopped.has(child)
  }

  private stopAll(how: NodeJS.Signals): void {
    for (const child of this.running) {
      this.stopped.add(child)
      try {
        // An isolated child leads its own process group: the whole group goes, the shell and what it started.
        if (this.isolateChildren && child.pid) process.kill(-child.pid, how)
        else child.kill(how)
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

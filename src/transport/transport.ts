import type { Readable, Writable } from 'node:stream'

export interface RunOptions {
  /** Bytes for the script's standard input (secrets travel this way, never in argv). */
  stdin?: Readable | string
  /** Stream standard output here instead of collecting it; the caller ends the stream. */
  stdout?: Writable
  /** Run as the login user even when the host was opened with sudo (e.g. to read $HOME or $TABBY_ROOT). */
  asLoginUser?: boolean
  /** Names the step in errors: "snapshot of ee/db.sqlite". */
  description?: string
  /** Resolve with the exit code instead of rejecting on a non-zero exit. */
  allowFailure?: boolean
  /** Called with each line of standard error as it arrives (the whole text still comes with the result). */
  onStderrLine?: (line: string) => void
  /** Not stopped by Ctrl-C in the command-line tool: the host lock, held until the cleanup after it is done. */
  survivesInterruption?: boolean
}

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * A way of reaching the host that runs the application. Every command is a bash script built with
 * core/shell.ts; the transport only decides where it runs and whether through `sudo -n`.
 */
export interface Transport {
  readonly kind: 'ssh' | 'local'
  /** Human-readable target, e.g. "deploy@tabby.example.com:22". */
  readonly label: string
  /** Stable slug for backup ids and for finding the newest backup of this host. */
  readonly hostId: string
  open(): Promise<void>
  run(script: string, options?: RunOptions): Promise<RunResult>
  close(): Promise<void>
}

/** Slug safe for artifact names (no ":", "/", quotes, spaces) and unambiguous inside a backup id. */
export function hostIdFrom(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
  return slug || 'host'
}

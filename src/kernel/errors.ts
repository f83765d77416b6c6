/**
 * Typed errors: each carries what went wrong and a hint that says how to fix it. Entry points print
 * `message` and `hint` once, from their single top-level catch.
 */
export class SelfhostBackupError extends Error {
  readonly hint: string
  constructor(message: string, hint = '', options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.hint = hint
  }
}

/** A user-supplied value is wrong. Never include a secret value in the message. */
export class InputError extends SelfhostBackupError {
  readonly input: string
  constructor(input: string, message: string, hint = '') {
    super(`Input '${input}': ${message}`, hint)
    this.input = input
  }
}

/**
 * There is no backup to restore or to pass the gate: none in the store, none complete and trusted, or none
 * recent and verified. `input` names what to change when the message is about one.
 */
export class NoBackupError extends SelfhostBackupError {
  constructor(message: string, hint: string, input?: string) {
    super(input ? `Input '${input}': ${message}` : message, hint)
  }
}

/** The host is not in a state where the work can proceed (missing tool, path, permission). */
export class PreflightError extends SelfhostBackupError {
  readonly problems: string[]
  constructor(problems: string[], hint = '') {
    super(`The host is not ready:\n${problems.map(problem => `  - ${problem}`).join('\n')}`, hint)
    this.problems = problems
  }
}

/** A command on the host (or the ssh client itself) failed. */
export class HostCommandError extends SelfhostBackupError {
  readonly exitCode: number | null
  readonly stderr: string
  constructor(
    readonly what: string,
    exitCode: number | null,
    stderr: string,
    hint = '',
    readonly reason = ''
  ) {
    const detail = stderr.trim() ? `\n${indent(lastLines(stderr, 15))}` : ''
    super(`${what} failed (exit code ${exitCode ?? 'none: killed by a signal'})${reason ? `: ${reason}` : ''}${detail}`, hint)
    this.exitCode = exitCode
    this.stderr = stderr
  }

  /** The same failure with `stderr` in its place: the markers a script printed for this code are not for the reader. */
  withStderr(stderr: string): HostCommandError {
    return new HostCommandError(this.what, this.exitCode, stderr, this.hint, this.reason)
  }
}

/** Stored data does not match what its manifest promises. */
export class VerificationError extends SelfhostBackupError {}

/** The store could not save, list or fetch. */
export class StoreError extends SelfhostBackupError {}

/** The runner's own temp directory ran out of space (or quota) while the backup staged data there. */
export class RunnerSpaceError extends SelfhostBackupError {}

/**
 * ENOSPC or EDQUOT: the file system, or the user's share of it, is full. Libraries (the S3 SDK) may wrap
 * the error or keep only its text, so the causes and the messages are looked through too.
 */
export function isOutOfSpace(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT' || /\bENOSPC\b|no space left on device|disk quota exceeded/i.test(current.message)) return true
  }
  return false
}

export function describeError(error: unknown): string {
  if (error instanceof SelfhostBackupError) {
    return error.hint ? `${error.message}\nHow to fix: ${error.hint}` : error.message
  }
  if (error instanceof Error) return error.stack ?? error.message
  return `Unexpected failure: ${String(error)}`
}

function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n')
  return lines.slice(-count).join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map(line => `    ${line}`)
    .join('\n')
}

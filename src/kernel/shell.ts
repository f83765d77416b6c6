/**
 * The one place where values become shell text. Everything that reaches a shell (local bash, the remote
 * login shell through ssh, sudo) is built from these functions so hostile values stay inert.
 */
export class UnquotableValueError extends Error {}

/** POSIX single-quote a value: the only character that needs care inside '…' is the quote itself. */
export function quote(value: string): string {
  if (value.includes('\0')) {
    // A NUL would silently truncate the argument in execve; refuse instead of guessing.
    throw new UnquotableValueError('a value contains a NUL byte, which no shell argument can carry')
  }
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** An argv array as one shell command line. */
export function command(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('command() needs at least the program name')
  return argv.map(quote).join(' ')
}

/** Commands joined by pipes; the surrounding script must set pipefail (see `script`). */
export function pipeline(...commands: readonly string[]): string {
  return commands.join(' | ')
}

/**
 * A bash script that fails on the first failing command or pipe stage. Lines are already-quoted
 * shell text produced by `command`/`pipeline` or fixed text written in this code base.
 */
export function script(...lines: readonly string[]): string {
  return ['set -euo pipefail', ...lines].join('\n')
}

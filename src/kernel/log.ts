/**
 * The logger the core talks to. The Actions entry points adapt the runner's commands (src/action/runner-commands.ts) to it; the CLI prints to
 * the console. Secrets are registered with `mask` before first use, so every sink can redact them.
 */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  mask(secret: string): void
}

/**
 * The pieces a secret is masked by: the whole value and each of its lines (trimmed, at least four
 * characters), as the runner masks them; shorter pieces would blank out ordinary words.
 */
export function secretPieces(secret: string): string[] {
  return [...new Set([secret, ...secret.split(/\r?\n/)].map(piece => piece.trim()).filter(piece => piece.length >= 4))]
}

/** Replace every registered secret (and each of its lines, as the runner does) in a text. */
export class SecretRedactor {
  private readonly secrets = new Set<string>()

  add(secret: string): void {
    for (const piece of secretPieces(secret)) this.secrets.add(piece)
  }

  redact(text: string): string {
    let result = text
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('***')
    }
    return result
  }
}

/**
 * Characters that move the cursor, rewrite the terminal or the log view, or end a line for the runner
 * (which splits on \r as well as \n): C0 controls but \t and \n, DEL, C1 controls (U+0085 is a line
 * break to .NET, U+009B a one-byte CSI to some terminals), the Unicode line and paragraph separators,
 * and the bidirectional overrides that make text display in another order than it reads.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0)
  if (character === '\r') return '\\r'
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Text as a log line can safely carry it, whatever it came from (a part name, a manifest, host output).
 * The runner reads every line of stdout: after trimming leading whitespace, a line starting with `::` is
 * a workflow command (`::warning::`, `::add-mask::`, and `::stop-commands::`, which would silence our own
 * later add-mask), and `##[` anywhere in a line is the legacy form (the runner looks for it with IndexOf).
 * Control characters become visible escapes (`\r`, `\x1b`, `\u202e`), so an ANSI sequence is inert text;
 * then each line whose trimmed start is `::` gets a backslash before it (`\::warning::x`), and every `##[`
 * becomes `##\[`: the text still reads the same, and no line is a command. \n and \t are kept (\r\n
 * becomes \n). JavaScript's trimStart removes every character .NET's TrimStart does (the runner's),
 * and U+0085, the one it lacks, is escaped before.
 */
export function quietText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(UNSAFE_CHARACTERS, escapeCharacter)
    .split('\n')
    .map(line => {
      const indent = line.length - line.trimStart().length
      const quieted = line.startsWith('::', indent) ? `${line.slice(0, indent)}\\${line.slice(indent)}` : line
      return quieted.replace(/##\[/g, '##\\[')
    })
    .join('\n')
}

/** The command-line tool's log: progress on stdout, or on stderr with `stdoutForData` (--json keeps stdout for the data). */
export function consoleLogger(options: { verbose?: boolean; stdoutForData?: boolean } = {}): Logger & { error(message: string): void } {
  const redactor = new SecretRedactor()
  // Redacted before quieted: escaping first could change a secret's text so that it no longer matches.
  const write = (stream: NodeJS.WriteStream, text: string): void => {
    stream.write(`${quietText(redactor.redact(text))}\n`)
  }
  return {
    info: message => write(options.stdoutForData ? process.stderr : process.stdout, message),
    warning: message => write(process.stderr, `warning: ${message}`),
    error: message => write(process.stderr, `error: ${message}`),
    debug: message => {
      if (options.verbose) write(process.stderr, `debug: ${message}`)
    },
    async group(title, work) {
      write(options.stdoutForData ? process.stderr : process.stdout, `== ${title}`)
      return work()
    },
    mask: secret => redactor.add(secret)
  }
}

/** A duration for the logs, to a tenth of a second: "2.3 s". */
export function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

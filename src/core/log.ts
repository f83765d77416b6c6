/**
 * The logger the core talks to. The Actions entry points adapt @actions/core to it; the CLI prints to
 * the console. Secrets are registered with `mask` before first use, so every sink can redact them.
 */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  mask(secret: string): void
}

/** Replace every registered secret (and each of its lines, as the runner does) in a text. */
export class SecretRedactor {
  private readonly secrets = new Set<string>()

  add(secret: string): void {
    for (const piece of [secret, ...secret.split(/\r?\n/)]) {
      const trimmed = piece.trim()
      if (trimmed.length >= 4) this.secrets.add(trimmed)
    }
  }

  redact(text: string): string {
    let result = text
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('***')
    }
    return result
  }
}

export function consoleLogger(options: { verbose?: boolean } = {}): Logger {
  const redactor = new SecretRedactor()
  const write = (stream: NodeJS.WriteStream, text: string): void => {
    stream.write(`${redactor.redact(text)}\n`)
  }
  return {
    info: message => write(process.stdout, message),
    warning: message => write(process.stderr, `warning: ${message}`),
    debug: message => {
      if (options.verbose) write(process.stderr, `debug: ${message}`)
    },
    async group(title, work) {
      write(process.stdout, `== ${title}`)
      return work()
    },
    mask: secret => redactor.add(secret)
  }
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

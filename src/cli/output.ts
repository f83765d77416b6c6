import { appendFileSync } from 'node:fs'
import { InterruptedError } from '../kernel/interruption.js'
import { InputError, NoBackupError, VerificationError } from '../kernel/errors.js'
import { quietText } from '../kernel/log.js'

/** The command-line tool's exit codes, as the README documents them. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, verificationFailed: 3, noBackup: 4 } as const

/** 2 for bad input, 3 when a backup or its data did not verify, 4 when there is no backup to use, 128+n for a signal, else 1. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return exitCodeForSignal(error.signal)
  if (error instanceof NoBackupError) return EXIT.noBackup
  if (error instanceof InputError) return EXIT.badInput
  if (error instanceof VerificationError || (error instanceof Error && error.name === 'UnverifiedBackupError')) return EXIT.verificationFailed
  return EXIT.failed
}

/** A shell's code for a run a signal ended: 130 for SIGINT (Ctrl-C), 143 for SIGTERM. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGTERM' ? 15 : 2)
}

/**
 * What a command reports when it is done: Markdown goes only where Markdown is read (the job summary file
 * when GITHUB_STEP_SUMMARY is set), a terminal gets plain text, a script asks for --json.
 */
export function report(markdown: string, json: unknown, options: { json: boolean; env?: NodeJS.ProcessEnv }): void {
  const env = options.env ?? process.env
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`)
  writeData(options.json ? `${JSON.stringify(json, null, 2)}\n` : quietText(markdownToText(markdown)))
}

const writeStdout = process.stdout.write.bind(process.stdout) as (chunk: string) => boolean

/** The command's result on stdout: the one writer that reaches it once stdout is kept for data. */
export function writeData(text: string): void {
  writeStdout(text)
}

/**
 * Code written for the runner talks to it on stdout: workflow commands (`::debug::…`) and progress lines.
 * In the command-line tool those go to stderr (debug ones only with --verbose); with --json everything but
 * the result does, so a script can parse stdout.
 */
export function keepStdoutForData(options: { verbose: boolean; json: boolean }): void {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    if (text.startsWith('::debug::') && !options.verbose) return true
    if (!options.json && !text.startsWith('::')) return (writeStdout as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest)
    return process.stderr.write(text)
  }) as typeof process.stdout.write
}

/** The job summary's Markdown as terminal text: headings and emphasis plain, tables in aligned columns. */
export function markdownToText(markdown: string): string {
  const lines = markdown.split('\n')
  const out: string[] = []
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]
    if (line.startsWith('|')) {
      const table: string[][] = []
      while (index < lines.length && lines[index].startsWith('|')) {
        const cells = splitRow(lines[index])
        if (!cells.every(cell => /^:?-{3,}:?$/.test(cell))) table.push(cells.map(plainInline))
        index++
      }
      index--
      const widths = table[0].map((_cell, column) => Math.max(...table.map(row => (row[column] ?? '').length)))
      for (const row of table)
        out.push(
          row
            .map((cell, column) => cell.padEnd(widths[column]))
            .join('  ')
            .trimEnd()
        )
      continue
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line)
    if (heading) {
      const title = plainInline(heading[1])
      out.push(title, '-'.repeat(Math.min(title.length, 100)))
      continue
    }
    if (line.startsWith('```')) continue
    out.push(plainInline(line))
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`
}

function splitRow(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map(cell => cell.trim().replace(/\\\|/g, '|'))
}

/** **bold** and `code` lose their marks; a [label](url) keeps both, as "label (url)". */
function plainInline(text: string): string {
  return text
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
}

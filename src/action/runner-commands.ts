import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'

/**
 * How a step talks to the Actions runner: inputs and state from the environment, log lines and
 * workflow commands (`::name::payload`) on stdout, outputs and state appended to the files the runner
 * names. This is the protocol `@actions/core` speaks, written here because importing `@actions/core`
 * loads its HTTP client for OIDC tokens, and with it undici, whose WebAssembly parser V8 compiles at
 * load: 17 MB of the action's peak memory (a process that only imported it peaked at 60 MB, against 43
 * MB for node alone), for a feature the actions never use. The tests compare every encoding here with
 * `@actions/core`'s own, for hostile values.
 */

/** An input as the runner passes it (`INPUT_` and the name upper-cased, spaces as underscores), trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

/** What the main step saved for the post step (`STATE_` and the name). */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}

export function setOutput(name: string, value: string): void {
  keyValue('GITHUB_OUTPUT', 'set-output', name, value)
}

export function saveState(name: string, value: string): void {
  keyValue('GITHUB_STATE', 'save-state', name, value)
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function debug(message: string): void {
  issueCommand('debug', message)
}

export function warning(message: string): void {
  issueCommand('warning', message)
}

/** The step fails (exit code 1) with `message` as its error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1
  issueCommand('error', message)
}

/** The runner replaces `secret` with *** in every later line of the log. */
export function addMask(secret: string): void {
  issueCommand('add-mask', secret)
}

/** `work` inside a foldable group of the log, closed however it ends. */
export async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  issueCommand('group', title)
  try {
    return await work()
  } finally {
    issueCommand('endgroup', '')
  }
}

/** Appends Markdown to the job summary, when the runner offers one. */
export async function appendSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file) await appendFile(file, markdown, 'utf8')
}

/**
 * `::name::payload` (with `name=` as its one property when given), the payload on one line: % and line
 * breaks percent-encoded, as the runner decodes them; the property also encodes : and , .
 */
function issueCommand(name: string, payload: string, property?: { name: string }): void {
  const properties = property ? ` name=${escapeProperty(property.name)}` : ''
  process.stdout.write(`::${name}${properties}::${escapeData(payload)}${EOL}`)
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/**
 * A line `name<<delimiter`, the value, the delimiter, appended to the runner's file: a delimiter
 * nobody can guess, so no value can end its entry early and add one of its own. Runners without the
 * file take the older command on stdout.
 */
function keyValue(fileVariable: 'GITHUB_OUTPUT' | 'GITHUB_STATE', command: string, name: string, value: string): void {
  const file = process.env[fileVariable]
  if (!file) {
    // As @actions/core writes them: set-output on a line of its own, even after an unfinished one.
    if (command === 'set-output') process.stdout.write(EOL)
    issueCommand(command, value, { name })
    return
  }
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`The ${command} value for ${name} contains its own delimiter.`)
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

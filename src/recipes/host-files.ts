import type { Logger } from '../kernel/log.js'
import { posix } from 'node:path'
import { HostCommandError, InputError, VerificationError } from '../kernel/errors.js'
import { quote, script } from '../kernel/shell.js'
import { extractTarConfined, unsafeTreeError } from '../sources/tar.js'
import type { RunOptions, RunResult, Transport } from '../transport/transport.js'
import { partInput, relativePathProblem, type VerifiedPart } from './recipe.js'

/** A list input of paths relative to the app's root (newline, comma or space separated). */
export function parseRelativePaths(input: string, value: string): string[] {
  const paths = value
    .split(/[\n,]+|\s+/)
    .map(path => path.trim())
    .filter(Boolean)
  for (const path of paths) {
    const problem = relativePathProblem(path)
    if (problem) throw new InputError(input, `"${path}" ${problem}.`, 'write paths like models or logs/old.')
  }
  return paths.map(path => posix.normalize(path).replace(/\/$/, ''))
}

/**
 * Which of `paths` (absolute) exist on the host, as one round trip; `test` is -e (anything) or -d (directories).
 * The host answers with indexes, not paths, because a path may itself contain newlines.
 */
export async function existingOnHost(host: Transport, paths: string[], test: '-e' | '-d', description: string): Promise<string[]> {
  const candidates = paths.filter(Boolean)
  const checks = candidates.map((path, index) => `if [ ${test} ${quote(path)} ]; then echo ${index}; fi`)
  const result = await host.run(script(...checks), { description })
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(index => candidates[Number(index)])
}

/**
 * A host directory pinned by device and inode when first reached. The app's user can rename and replace
 * anything in its own directories while root restores, so every later script opens the directory again,
 * proves it is the same one, and works through its descriptor (/proc/self/fd/N), never its path.
 */
export interface PinnedDirectory {
  /** For messages. */
  path: string
  /** The configured path (opened as it is: the user may point it through a link), then names below it, each a real directory. */
  steps: { name: string; identity: string }[]
}

/** The directory `step` names inside `parent`, pinned by the identity the step holds. */
export function pinnedChild(parent: PinnedDirectory, step: { name: string; identity: string }): PinnedDirectory {
  return { path: posix.join(parent.path, step.name), steps: [...parent.steps, step] }
}

/** The last step of a pinned directory: its own name in its parent, and its identity. */
export function ownStep(dir: PinnedDirectory): { name: string; identity: string } {
  return dir.steps[dir.steps.length - 1]
}

const REFUSED_EXIT_CODE = 87

/** What the pinned scripts need on the host, as [shell test, problem]: checked by each recipe's preflight for a restore. */
export const RESTORE_HOST_NEEDS: [string, string][] = [
  ['[ -d /proc/self/fd ]', '/proc is not mounted; a restore reaches the directories it pinned through /proc/self/fd'],
  ['(( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) ))', 'bash is older than 4.4, which a restore needs (mapfile -d)'],
  ['command -v sha256sum >/dev/null', 'sha256sum (coreutils) is not installed; a restore checks every part with it where it lands on the host'],
  ['tee -p /dev/null < /dev/null 2>/dev/null', 'tee does not take -p (GNU coreutils 8.24 or later), which a restore uses to hash each tarball as it is extracted']
]

/**
 * selfhost_open VARIABLE PATH IDENTITY STEP MODE opens the directory PATH on a descriptor, stored in VARIABLE,
 * and proves it is the one pinned as IDENTITY (empty: not pinned yet); in strict MODE PATH must be that
 * directory itself, not a link to it. Fixed text: every value arrives as an argument.
 */
const PIN_FUNCTIONS = String.raw`selfhost_refuse() { printf 'selfhost-backup-refused %s %s\n' "$1" "$2" >&2; exit ${REFUSED_EXIT_CODE}; }
selfhost_open() {
  local fd actual
  [ -d "$2" ] || selfhost_refuse "$4" missing
  exec {fd}< "$2"
  actual=$(stat -L -c %d:%i -- "/proc/self/fd/$fd")
  if [ -n "$3" ] && [ "$actual" != "$3" ]; then selfhost_refuse "$4" replaced; fi
  if [ "$5" = strict ] && [ "$(stat -c %d:%i -- "$2")" != "$actual" ]; then selfhost_refuse "$4" link; fi
  printf -v "$1" %s "$fd"
}`

function openLines(dirs: Record<string, PinnedDirectory>): string[] {
  return Object.entries(dirs).flatMap(([variable, dir]) =>
    dir.steps.map((step, index) => {
      const path = index === 0 ? quote(step.name) : `"/proc/self/fd/$${variable}"/${quote(step.name)}`
      return `selfhost_open ${variable} ${path} ${quote(step.identity)} ${variable}.${index} ${index === 0 ? 'as-configured' : 'strict'}`
    })
  )
}

/** Shell lines that open every directory of `dirs` on the descriptor in the variable of its key, and cd -P into `enter`. */
export function pinnedLines(dirs: Record<string, PinnedDirectory>, enter?: string): string[] {
  return ['export LC_ALL=C', PIN_FUNCTIONS, ...openLines(dirs), ...(enter ? [`cd -P "/proc/self/fd/$${enter}"`] : [])]
}

/** Runs `lines` after pinning `dirs`; a refusal on the host becomes a VerificationError that names the directory. */
export async function runPinned(host: Transport, dirs: Record<string, PinnedDirectory>, lines: string[], options: RunOptions & { reasons?: Record<string, string> }): Promise<RunResult> {
  return host.run(script(...pinnedLines(dirs), ...lines), options).catch(error => {
    throw explainRefusal(error, dirs, options.reasons)
  })
}

const PIN_REASONS: Record<string, string> = {
  missing: 'is gone or no longer a directory',
  replaced: 'was replaced by another directory while the restore ran',
  link: 'is a symbolic link or not the directory it was (a restore never writes through links)'
}

/** A refusal by the pinning functions on the host, as a VerificationError naming the directory; other errors pass. */
export function explainRefusal(error: unknown, dirs: Record<string, PinnedDirectory>, reasons: Record<string, string> = {}): unknown {
  if (!(error instanceof HostCommandError) || error.exitCode !== REFUSED_EXIT_CODE) return error
  const [, what = '', reason = ''] = /selfhost-backup-refused (\S+) (\S+)/.exec(error.stderr) ?? []
  const [variable, index] = what.split('.')
  const dir = dirs[variable]
  const message = dir && index !== undefined ? `${JSON.stringify(pathAt(dir, Number(index)))} ${PIN_REASONS[reason] ?? reason}` : (reasons[`${what} ${reason}`] ?? `${what} ${reason}`)
  return new VerificationError(
    `The restore stopped: ${message}.`,
    "find out what changed the application's directory while the restore ran (its user's processes should be stopped), then restore again; the safety copy holds the data from before."
  )
}

function pathAt(dir: PinnedDirectory, index: number): string {
  return dir.steps.slice(1, index + 1).reduce((path, step) => posix.join(path, step.name), dir.steps[0].name)
}

function identityFrom(stdout: string, what: string): string {
  const identity = stdout.trim().split('\n').pop() ?? ''
  if (!/^\d+:\d+$/.test(identity)) throw new HostCommandError(what, 0, `unexpected answer ${JSON.stringify(stdout.slice(-200))}`)
  return identity
}

/** Creates `path` if it is missing and pins it: the configured directory itself may be reached through a link. */
export async function pinDirectory(host: Transport, path: string): Promise<PinnedDirectory> {
  const description = `Opening ${path}`
  const result = await host.run(script(`mkdir -p -- ${quote(path)}`, `stat -L -c %d:%i -- ${quote(path)}`), { description })
  return { path, steps: [{ name: path, identity: identityFrom(result.stdout, description) }] }
}

/** Pins `name` inside `parent`, creating it when missing; it must be a real directory, never a link. */
export async function pinChild(host: Transport, parent: PinnedDirectory, name: string): Promise<PinnedDirectory> {
  const child = pinnedChild(parent, { name, identity: '' })
  const description = `Opening ${child.path}`
  const lines = [
    ...pinnedLines({ parent }),
    `entry="/proc/self/fd/$parent"/${quote(name)}`,
    // mkdir never follows a link in the last component: a planted link makes it fail, and the open below refuse.
    '[ -e "$entry" ] || [ -L "$entry" ] || mkdir -- "$entry"',
    ...openLines({ child }),
    'stat -L -c %d:%i -- "/proc/self/fd/$child"'
  ]
  const result = await host.run(script(...lines), { description }).catch(error => {
    throw explainRefusal(error, { parent, child })
  })
  ownStep(child).identity = identityFrom(result.stdout, description)
  return child
}

/**
 * Shell lines that make a fresh 0700 directory of the effective user inside the pinned `$dir` (same filesystem:
 * moving out of it is a rename) and open it as $from, setting $staging_name and $staging_identity. The app's
 * user may rename entries of its own directory at any moment: a link or a directory of anyone else put in
 * its place before it is opened is refused, so nothing is ever written through a name the user chose.
 */
export const OPEN_NEW_STAGING = [
  'staging_name=$(mktemp -d "/proc/self/fd/$dir/.selfhost-restore.XXXXXXXX"); staging_name=${staging_name##*/}',
  'exec {from}< "/proc/self/fd/$dir/$staging_name"',
  'staging_identity=$(stat -L -c %d:%i -- "/proc/self/fd/$from")',
  '[ "$(stat -c %d:%i -- "/proc/self/fd/$dir/$staging_name")" = "$staging_identity" ] || selfhost_refuse staging replaced',
  '[ "$(stat -L -c %u -- "/proc/self/fd/$from")" = "$EUID" ] || selfhost_refuse staging replaced'
]

export const STAGING_REASONS = { 'staging replaced': 'the staging directory beside the data was replaced while the restore ran' }

/** A fresh staging directory in `dir` (see OPEN_NEW_STAGING) with `new` (what the restore puts in place) and `old` (what it replaces, kept by rename). */
export async function createStaging(host: Transport, dir: PinnedDirectory): Promise<PinnedDirectory> {
  const description = `Preparing a staging directory in ${dir.path}`
  const result = await runPinned(host, { dir }, [...OPEN_NEW_STAGING, 'mkdir -- "/proc/self/fd/$from/old" "/proc/self/fd/$from/new"', 'printf \'%s\\n%s\\n\' "$staging_name" "$staging_identity"'], {
    description,
    reasons: STAGING_REASONS
  })
  const [name = '', identity = ''] = result.stdout.trim().split('\n').slice(-2)
  if (!/^\.selfhost-restore\.[A-Za-z0-9]+$/.test(name)) throw new HostCommandError(description, 0, `unexpected answer ${JSON.stringify(result.stdout.slice(-200))}`)
  return pinnedChild(dir, { name, identity: identityFrom(identity, description) })
}

/**
 * A staging directory in `dir` whose `new` holds the tarball part's tree, extracted and checked there (a part
 * the fetch already extracted and checked moves beside the data with its swap instead). A failure removes it.
 */
export async function stagePart(host: Transport, dir: PinnedDirectory, part: VerifiedPart, description: string, logger: Logger): Promise<PinnedDirectory> {
  const staging = await createStaging(host, dir)
  try {
    await extractChecked(host, staging, part, description, logger)
  } catch (error) {
    await removeStaging(host, staging, logger)
    throw error
  }
  return staging
}

/** Removes the staging directory; only the one this restore made, never a link or directory put under its name. */
export async function removeStaging(host: Transport, staging: PinnedDirectory, logger: Logger): Promise<void> {
  const parent: PinnedDirectory = { path: posix.dirname(staging.path), steps: staging.steps.slice(0, -1) }
  const own = ownStep(staging)
  await runPinned(host, { parent }, [`entry="/proc/self/fd/$parent"/${quote(own.name)}`, `if [ "$(stat -c %d:%i -- "$entry" 2>/dev/null)" = ${quote(own.identity)} ]; then rm -rf -- "$entry"; fi`], {
    description: `Removing ${staging.path}`
  }).catch(error => logger.warning(`The staging directory ${JSON.stringify(staging.path)} was not removed: ${(error as Error).message}`))
}

/**
 * Extracts a tarball part into the staging directory's `new`, an incremental one after the links it builds on,
 * in order, deletions included; the tree is checked on disk after each link. Any entry a restore must not
 * write (a link resolving outside, a device, FIFO or socket, a set-id file, a hard link to outside) refuses it.
 */
async function extractChecked(host: Transport, staging: PinnedDirectory, part: VerifiedPart, description: string, logger: Logger): Promise<void> {
  const links = [...(part.chain ?? []), part]
  for (const [index, link] of links.entries()) {
    const step = links.length > 1 ? ` (${index + 1} of ${links.length}: ${link.record.file})` : ''
    const spec = {
      enter: pinnedLines({ staging }, 'staging'),
      dest: 'new',
      compression: link.record.compression,
      description: `${description}${step}`,
      incremental: link.record.incremental !== undefined
    }
    const found = await extractTarConfined(host, spec, partInput(link, `${description}${step}`, logger)).catch(error => {
      throw explainRefusal(error, { staging })
    })
    const unsafe = unsafeTreeError(link.record.file, found)
    if (unsafe) throw unsafe
  }
}

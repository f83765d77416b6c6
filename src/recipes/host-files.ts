import type { Logger } from '../kernel/log.js'
import { posix } from 'node:path'
import { HostCommandError, InputError, VerificationError } from '../kernel/errors.js'
import { quote, script } from '../kernel/shell.js'
import { extractTarConfined } from '../sources/tar.js'
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

const REFUSED_EXIT_CODE = 87

/** What the pinned scripts need on the host, as [shell test, problem]: checked by each recipe's preflight for a restore. */
export const RESTORE_HOST_NEEDS: [string, string][] = [
  ['[ -d /proc/self/fd ]', '/proc is not mounted; a restore reaches the directories it pinned through /proc/self/fd'],
  ['(( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) ))', 'bash is older than 4.4, which a restore needs (mapfile -d)'],
  ['command -v sha256sum >/dev/null', 'sha256sum (coreutils) is not installed; a restore checks every part with it where it lands on the host']
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
  const child: PinnedDirectory = { path: posix.join(parent.path, name), steps: [...parent.steps, { name, identity: '' }] }
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
  child.steps[child.steps.length - 1].identity = identityFrom(result.stdout, description)
  return child
}

/** A fresh 0700 directory of the effective user inside `dir` (same filesystem: moving out of it is a rename), with `new` inside. */
export async function createStaging(host: Transport, dir: PinnedDirectory): Promise<PinnedDirectory> {
  const description = `Preparing a staging directory in ${dir.path}`
  const result = await runPinned(
    host,
    { dir },
    ['staging=$(mktemp -d "/proc/self/fd/$dir/.selfhost-restore.XXXXXXXX")', 'mkdir -- "$staging/new"', 'printf \'%s\\n%s\\n\' "${staging##*/}" "$(stat -c %d:%i -- "$staging")"'],
    { description }
  )
  const [name = '', identity = ''] = result.stdout.trim().split('\n').slice(-2)
  if (!/^\.selfhost-restore\.[A-Za-z0-9]+$/.test(name)) throw new HostCommandError(description, 0, `unexpected answer ${JSON.stringify(result.stdout.slice(-200))}`)
  return { path: posix.join(dir.path, name), steps: [...dir.steps, { name, identity: identityFrom(identity, description) }] }
}

/** Removes the staging directory; only the one this restore made, never a link or directory put under its name. */
export async function removeStaging(host: Transport, staging: PinnedDirectory, logger: Logger): Promise<void> {
  const parent: PinnedDirectory = { path: posix.dirname(staging.path), steps: staging.steps.slice(0, -1) }
  const own = staging.steps[staging.steps.length - 1]
  await runPinned(host, { parent }, [`entry="/proc/self/fd/$parent"/${quote(own.name)}`, `if [ "$(stat -c %d:%i -- "$entry" 2>/dev/null)" = ${quote(own.identity)} ]; then rm -rf -- "$entry"; fi`], {
    description: `Removing ${staging.path}`
  }).catch(error => logger.warning(`The staging directory ${JSON.stringify(staging.path)} was not removed: ${(error as Error).message}`))
}

/**
 * Extracts a tarball part into the staging directory's `new`, an incremental one after the links it builds on,
 * in order, deletions included; the tree is checked on disk after each link. Any entry a restore must not
 * write (a link resolving outside, a device, FIFO or socket, a set-id file, a hard link to outside) refuses it.
 */
export async function extractChecked(host: Transport, staging: PinnedDirectory, part: VerifiedPart, description: string, logger: Logger): Promise<void> {
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
    if (found.count > 0) {
      const more = found.count > found.entries.length ? ` (and ${found.count - found.entries.length} more)` : ''
      throw new VerificationError(
        `${link.record.file} holds ${found.count} entr${found.count === 1 ? 'y' : 'ies'} a restore must not write: ${found.entries.join('; ')}${more}. Nothing on the host was changed.`,
        "restore another backup (set backup-id), and find out how these entries got into the application's directory."
      )
    }
  }
}

/**
 * Moves the staged tree (staging/new) into the target, both pinned: at each level, what is neither kept
 * nor a real directory on the way to a kept path is removed, then each staged entry is renamed in, or merged
 * into the directory the target still has there (after checking it is that directory, not a link), which
 * then takes the backup's mode, times and (as root) owner as tar would give them. Every path goes through a pinned
 * descriptor and ends in one name that rm and mv act on without following it. Expects `keep` and `staging_name`.
 */
const MERGE_SCRIPT = [
  // NUL-separated output of a command into an array, failing when the command fails. Not `wait $!` after a
  // process substitution: under load bash 5.2 can report 255 there for a command that succeeded.
  'collect() {',
  '  local -n collect_into=$1',
  '  shift',
  '  mapfile -d "" -t collect_into < <("$@"; printf "selfhost-status=%s\\0" "$?")',
  '  local last=${collect_into[-1]-}',
  '  if [ "$last" != selfhost-status=0 ]; then echo "selfhost-backup: $1 failed (${last#selfhost-status=})" >&2; exit 1; fi',
  "  unset 'collect_into[-1]'",
  '}',
  'exec {new}< "/proc/self/fd/$staging/new"',
  'device=$(stat -L -c %d -- "/proc/self/fd/$staging")',
  'printf "%s\\0" selfhost-backup-records',
  'is_kept() { local pattern; for pattern in "${keep[@]}"; do [[ $1 == $pattern ]] && return 0; done; return 1; }',
  'on_the_way=()',
  'is_on_the_way() { local known; for known in "${on_the_way[@]}"; do [ "$known" = "$1" ] && return 0; done; return 1; }',
  'if [ ${#keep[@]} -gt 0 ]; then',
  '  wanted=()',
  '  for pattern in "${keep[@]}"; do wanted+=(${wanted[0]+-o} -path "./$pattern"); done',
  '  find_kept() { cd -P "/proc/self/fd/$target" && find . -mindepth 1 -path "./$staging_name" -prune -o \\( "${wanted[@]}" \\) -prune -print0; }',
  '  collect found find_kept',
  '  for path in "${found[@]}"; do',
  '    path=${path#./}',
  '    while [[ $path == */* ]]; do path=${path%/*}; is_on_the_way "$path" || on_the_way+=("$path"); done',
  '  done',
  '  for path in "${on_the_way[@]}"; do',
  '    if [ "$(stat -c %d -- "/proc/self/fd/$target/$path" 2>/dev/null || echo "$device")" != "$device" ]; then selfhost_refuse merge mount; fi',
  '  done',
  'fi',
  'enter() {',
  '  local fd entry=/proc/self/fd/$2/$3',
  '  { [ -d "$entry" ] && [ ! -L "$entry" ]; } || return 1',
  '  exec {fd}< "$entry"',
  '  if [ "$(stat -c %d:%i -- "$entry")" != "$(stat -L -c %d:%i -- "/proc/self/fd/$fd")" ]; then exec {fd}<&-; return 1; fi',
  '  printf -v "$1" %s "$fd"',
  '}',
  'adopt() {',
  '  if [ "$EUID" -eq 0 ]; then chown -- "$(stat -L -c %u:%g -- "/proc/self/fd/$1")" "/proc/self/fd/$2"; fi',
  '  chmod -- "$(printf "0%04d" "$(stat -L -c %a -- "/proc/self/fd/$1")")" "/proc/self/fd/$2"',
  '  touch -r "/proc/self/fd/$1" -- "/proc/self/fd/$2"',
  '}',
  'merge() {',
  '  local into=$1 from=$2 relative=$3 name path entry staged inner_into inner_from names',
  '  collect names find "/proc/self/fd/$into/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
  '  for name in "${names[@]}"; do',
  '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name',
  '    if [ -z "$relative" ] && [ "$name" = "$staging_name" ]; then continue; fi',
  '    if is_kept "$path" || { is_on_the_way "$path" && [ -d "$entry" ] && [ ! -L "$entry" ]; }; then continue; fi',
  '    rm -rf -- "$entry"',
  '  done',
  '  collect names find "/proc/self/fd/$from/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
  '  for name in "${names[@]}"; do',
  '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name; staged=/proc/self/fd/$from/$name',
  '    if [ ! -e "$entry" ] && [ ! -L "$entry" ]; then mv -T -- "$staged" "$entry"; continue; fi',
  '    if is_kept "$path"; then printf "kept\\0%s\\0" "$path"; continue; fi',
  '    if [ -d "$staged" ] && [ ! -L "$staged" ] && enter inner_into "$into" "$name"; then',
  '      exec {inner_from}< "$staged"',
  '      [ "$(stat -L -c %d -- "/proc/self/fd/$inner_into")" = "$device" ] || selfhost_refuse merge mount',
  '      merge "$inner_into" "$inner_from" "$path"',
  '      adopt "$inner_from" "$inner_into"',
  '      exec {inner_into}<&- {inner_from}<&-',
  '      continue',
  '    fi',
  '    printf "conflict\\0%s\\0" "$path"',
  '  done',
  '}',
  'merge "$target" "$new" ""',
  'adopt "$new" "$target"'
].join('\n')

/**
 * Makes the pinned directory `dir` equal to a tarball part (files the backup did not have are gone), except
 * the `keep` paths (globs relative to dir) and the real directories on the way to them. The part is extracted
 * and checked beside the data first; only then is `dir` cleared and the staged entries renamed into it.
 */
export async function replaceTree(host: Transport, dir: PinnedDirectory, part: VerifiedPart, keep: string[], description: string, logger: Logger): Promise<void> {
  const staging = await createStaging(host, dir)
  try {
    await extractChecked(host, staging, part, description, logger)
    const staged = staging.steps[staging.steps.length - 1].name
    const result = await runPinned(host, { target: dir, staging }, [`keep=(${keep.map(quote).join(' ')})`, `staging_name=${quote(staged)}`, MERGE_SCRIPT], {
      description: `Moving the restored files into ${dir.path}`,
      reasons: { 'merge mount': 'a directory on the way to a kept path is on another filesystem than the data, so the restore cannot rename into it' }
    })
    for (const [kind, path] of records(result.stdout)) {
      const what = kind === 'kept' ? "is kept on this host, so the backup's copy was not restored" : "holds kept paths on this host, so the backup's non-directory there was not restored"
      logger.warning(`${JSON.stringify(posix.join(dir.path, path))} ${what}.`)
    }
  } finally {
    await removeStaging(host, staging, logger)
  }
}

/** The kind/path records a host script printed after its mark (a login shell's rc files may print first). */
function records(stdout: string): [string, string][] {
  const mark = stdout.indexOf('selfhost-backup-records\0')
  const fields = mark < 0 ? [] : stdout.slice(mark).split('\0').slice(1, -1)
  return Array.from({ length: Math.floor(fields.length / 2) }, (_, index) => [fields[2 * index], fields[2 * index + 1]])
}

/**
 * Replaces the directory `name` inside the pinned `parent` with the one a tarball part holds at `relative`
 * (relative to the archive's root), or removes it when the part has none.
 */
export async function replaceDirectory(host: Transport, parent: PinnedDirectory, name: string, relative: string, part: VerifiedPart, logger: Logger): Promise<void> {
  const staging = await createStaging(host, parent)
  try {
    await extractChecked(host, staging, part, `Restoring ${relative}`, logger)
    await runPinned(
      host,
      { parent, staging },
      [
        `entry="/proc/self/fd/$parent"/${quote(name)}; staged="/proc/self/fd/$staging/new"/${quote(relative)}`,
        // rm and mv act on the last component itself: a link planted there is removed, never followed.
        'rm -rf -- "$entry"',
        'if [ -e "$staged" ] || [ -L "$staged" ]; then mv -T -- "$staged" "$entry"; fi'
      ],
      { description: `Moving ${relative} into place` }
    )
  } finally {
    await removeStaging(host, staging, logger)
  }
}

/**
 * Places on the host that selfhost-backup itself writes beside the data (the lock file, the incremental
 * state, the safety copies). They often sit in a directory the application's user owns, such as the home
 * of the user tabby, while the work runs as root: whoever can write that directory can put a link where
 * the place will be, and root would then create or write a file of their choosing. So before a place is
 * used, the host checks it: the place is no link, and no directory on the way to it can be written by
 * anyone but root, the effective user, and the user who ran sudo (who could run anything as root anyway).
 */
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import type { Transport } from '../transport/transport.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import { quote, script } from '../kernel/shell.js'

export interface HostPlace {
  path: string
  /** What the place is, for the message: "the lock file", "the incremental state directory". */
  name: string
  /**
   * A directory is written into under names others could guess, so it must not be writable by anyone
   * else at all; a file only needs its directories to be safe, and a sticky directory (like /tmp) is.
   */
  kind: 'file' | 'directory'
  /** How to put the place somewhere safe, for when a directory on its way is not: names the input or setting. */
  fix: string
}

/** A short stable tag of a data root: names the lock, the state and the safety copies kept for it. */
export function dataRootTag(dataRoot: string): string {
  return createHash('sha256').update(dataRoot).digest('hex').slice(0, 12)
}

/** A place of ours beside the data directory (`.selfhost-backup-<what><tag>`), named after the data root it serves. */
export function besideDataRoot(dataRoot: string, what: string, suffix = ''): string {
  return posix.join(posix.dirname(dataRoot), `.selfhost-backup-${what}${dataRootTag(dataRoot)}${suffix}`)
}

/** A root-owned home for places that cannot stay beside the data; only root can use it. */
export const ROOT_PLACE = '/var/lib/selfhost-backup'

/** The exit code and stderr mark of a refusal; the mark makes the code unambiguous. */
export const UNSAFE_PLACE_EXIT_CODE = 86
const UNSAFE_PLACE_MARK = 'selfhost-backup-unsafe-place'

/** A place was refused on the host: the message names it and why, the hint how to fix it. */
export class UnsafeHostPlaceError extends SelfhostBackupError {}

/**
 * Prints why a place is unsafe and returns 2 when a directory on its way is the problem, 1 when the place
 * itself is; returns 0 when it is safe. Fixed text: the place and its kind come in as arguments. The walk
 * goes up the physical path from the nearest existing directory (a missing one will be created by the
 * caller, as the effective user), and owners are compared by uid.
 */
const PROBLEM_FUNCTION = String.raw`selfhost_backup_place_problem() {
  local place=$1 kind=$2 trusted=" 0 $EUID " directory physical info owner group mode owner_name group_name
  if [[ -v SUDO_UID && $SUDO_UID =~ ^[0-9]+$ ]]; then trusted+="$SUDO_UID "; fi
  directory=$(dirname -- "$place")
  while [ ! -e "$directory" ] && [ ! -L "$directory" ]; do directory=$(dirname -- "$directory"); done
  if [ -L "$directory" ]; then echo "its directory $directory is a symbolic link"; return 2; fi
  physical=$(cd -P -- "$directory" && pwd -P) || { echo "its directory $directory cannot be entered"; return 2; }
  while :; do
    info=$(stat -c '%u %g %a %U %G' -- "$physical") || { echo "the directory $physical cannot be examined"; return 2; }
    read -r owner group mode owner_name group_name <<< "$info"
    if [[ "$trusted" != *" $owner "* ]]; then echo "the directory $physical can be written by its owner, the user $owner_name (uid $owner)"; return 2; fi
    if (( 8#$mode & 8#002 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by every user"; return 2; fi
    if (( 8#$mode & 8#020 )) && ! (( 8#$mode & 8#1000 )); then echo "the directory $physical can be written by the group $group_name"; return 2; fi
    [ "$physical" = / ] && break
    physical=$(dirname -- "$physical")
  done
  if [ -L "$place" ]; then echo "it is a symbolic link"; return 1; fi
  [ -e "$place" ] || return 0
  if [ "$kind" = file ] && [ ! -f "$place" ]; then echo "it is not a regular file"; return 1; fi
  if [ "$kind" = directory ] && [ ! -d "$place" ]; then echo "it is not a directory"; return 1; fi
  info=$(stat -c '%u %g %a %U %G' -- "$place") || { echo "it cannot be examined"; return 1; }
  read -r owner group mode owner_name group_name <<< "$info"
  if [[ "$trusted" != *" $owner "* ]]; then echo "it belongs to the user $owner_name (uid $owner)"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#002 )); then echo "it can be written by every user"; return 1; fi
  if [ "$kind" = directory ] && (( 8#$mode & 8#020 )); then echo "it can be written by the group $group_name"; return 1; fi
  return 0
}`

const indent = (lines: string[]): string[] => lines.map(line => `  ${line}`)

/** Leaves the reason in $place_problem and the problem function's answer in $place_code. */
function placeProblemCheck(place: Pick<HostPlace, 'path' | 'kind'>): string {
  return `place_code=0; place_problem=$(selfhost_backup_place_problem ${quote(place.path)} ${place.kind}) || place_code=$?`
}

/** Ends the script with UNSAFE_PLACE_EXIT_CODE and one stderr line: what and why, then how to fix it. */
function refusal(place: HostPlace): string[] {
  const what = `${place.name} ${place.path}`
  // A link at the place is never ours, so it goes; a directory others can write is theirs to keep.
  const linkFix = `remove the link ${place.path} (selfhost-backup never makes one) and find out who made it; or ${place.fix}`
  return [
    `case "$place_problem" in 'it is a symbolic link') place_fix=${quote(linkFix)} ;; *) place_fix=${quote(place.fix)} ;; esac`,
    `printf '%s\\t%s: %s\\t%s\\n' ${UNSAFE_PLACE_MARK} ${quote(what)} "$place_problem" "$place_fix" >&2`,
    `exit ${UNSAFE_PLACE_EXIT_CODE}`
  ]
}

/**
 * Bash lines for a script, before it uses the place: they end it with UNSAFE_PLACE_EXIT_CODE and one
 * line on stderr (turned into an error by `unsafePlaceError`) when the place is unsafe. The place itself
 * is not created.
 */
export function refuseUnsafePlace(place: HostPlace): string[] {
  return [PROBLEM_FUNCTION, placeProblemCheck(place), 'if [ "$place_code" != 0 ]; then', ...indent(refusal(place)), 'fi']
}

/**
 * The clear error for a host command refused by `refuseUnsafePlace`, from a HostCommandError or a
 * RunResult (both carry exitCode and stderr); undefined for any other failure, so callers can write
 * `throw unsafePlaceError(error) ?? error`.
 */
export function unsafePlaceError(failure: unknown): UnsafeHostPlaceError | undefined {
  if (typeof failure !== 'object' || failure === null) return undefined
  const { exitCode, stderr } = failure as { exitCode?: unknown; stderr?: unknown }
  if (exitCode !== UNSAFE_PLACE_EXIT_CODE || typeof stderr !== 'string') return undefined
  const line = stderr
    .split('\n')
    .reverse()
    .find(candidate => candidate.startsWith(`${UNSAFE_PLACE_MARK}\t`))
  if (!line) return undefined
  const [, problem = '', fix = ''] = line.split('\t')
  return new UnsafeHostPlaceError(`Refusing to use ${problem}.`, fix, { cause: failure })
}

/**
 * Bash lines that leave in $place the path to use: `place` itself when it is safe; when a directory on
 * its way is not and the script runs as root, `fallback` (inside ROOT_PLACE, which only root can write),
 * after echoing `<movedMark>\t<why>` on stdout. Anything else is refused as by `refuseUnsafePlace`: a
 * link or a stranger's file at the place, in a directory only trusted users can write, is a sign of
 * tampering that someone should look at, rather than step around.
 */
export function chooseSafePlaceLines(place: HostPlace, fallback: string, movedMark: string): string[] {
  const fallbackPlace: HostPlace = { ...place, path: fallback }
  const directory = place.kind === 'directory' ? fallback : posix.dirname(fallback)
  return [
    PROBLEM_FUNCTION,
    `place=${quote(place.path)}`,
    placeProblemCheck(place),
    'if [ "$place_code" = 2 ] && [ "$EUID" = 0 ]; then',
    `  printf '%s\\t%s\\n' ${quote(movedMark)} "$place_problem"`,
    // umask for every directory mkdir -p makes, not only the last (which is all -m would cover).
    `  (umask 077 && mkdir -p -- ${quote(directory)})`,
    `  place=${quote(fallback)}`,
    `  ${placeProblemCheck(fallbackPlace)}`,
    '  if [ "$place_code" != 0 ]; then',
    ...indent(indent(refusal(fallbackPlace))),
    '  fi',
    'elif [ "$place_code" != 0 ]; then',
    ...indent(refusal(place)),
    'fi'
  ]
}

/**
 * For a caller that needs the path before it builds its own scripts (the incremental state directory):
 * the place, or its fallback when the place is unsafe and the host runs this as root. Creates nothing but
 * the fallback's directory; a refusal throws UnsafeHostPlaceError.
 */
export async function chooseSafePlace(host: Transport, place: HostPlace, fallback: string): Promise<{ path: string; movedBecause?: string }> {
  const result = await host.run(script(...chooseSafePlaceLines(place, fallback, PLACE_MOVED_MARK), 'printf "selfhost-backup-place=%s\\n" "$place"'), {
    allowFailure: true,
    description: `Checking ${place.name} ${place.path}`
  })
  const refused = unsafePlaceError(result)
  if (refused) throw refused
  const chosen = result.stdout.split('\n').find(line => line.startsWith('selfhost-backup-place='))
  if (result.exitCode !== 0 || chosen === undefined) {
    throw new SelfhostBackupError(`Could not check ${place.name} ${place.path} on the host (exit code ${result.exitCode}): ${result.stderr.trim()}`)
  }
  const path = chosen.slice('selfhost-backup-place='.length)
  // Only the two paths this code offered are accepted, whatever the host printed.
  if (path !== place.path && path !== fallback) throw new SelfhostBackupError(`The host answered an unexpected place for ${place.name}: ${path}`)
  return path === fallback ? { path, movedBecause: placeMovedBecause(result.stdout) } : { path }
}

/** The mark chooseSafePlaceLines echoes, for a caller that reads why the place moved (placeMovedBecause). */
export const PLACE_MOVED_MARK = 'selfhost-backup-place-moved'

/** Why chooseSafePlaceLines, run with PLACE_MOVED_MARK, moved the place to its fallback, from the script's stdout. */
export function placeMovedBecause(stdout: string): string {
  const line = stdout.split('\n').find(candidate => candidate.startsWith(`${PLACE_MOVED_MARK}\t`))
  return line?.slice(PLACE_MOVED_MARK.length + 1) ?? ''
}

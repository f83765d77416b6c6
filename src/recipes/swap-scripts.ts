import { HostCommandError } from '../kernel/errors.js'
import { quote } from '../kernel/shell.js'
import { RESTORE_LEFTOVER_NAMES } from '../sources/tar.js'
import { OPEN_NEW_STAGING } from './host-files.js'

/**
 * The shell text of a restore's swaps (see host-swap.ts): the merge of a tree and the move of whole entries,
 * their undo, the keep of what they replaced, and the marks a swap script prints as it goes. Every value
 * reaches the shell quoted; every path goes through a pinned descriptor.
 */

/** How to put a swap back: a tree merged around kept paths, or whole entries of one directory. */
export type SwapUndo = { kind: 'tree'; keep: string[] } | { kind: 'entries'; names: string[] }

/** Paths every tree swap leaves where they are: what earlier restores replaced, and their staging directories. */
const ALWAYS_KEPT = RESTORE_LEFTOVER_NAMES.flatMap(name => [name, `*/${name}`])

/**
 * Moves the tree in `source` into `target` (both descriptors), putting what it replaces into `aside`:
 * at each level, what is neither kept nor a real directory on the way to a kept path is renamed into
 * `aside`, then each entry of `source` is renamed in, or merged into the directory the target still has
 * there (after checking it is that directory, not a link), which then takes the source's mode, times and
 * (as root) owner. `aside` mirrors the directories merged into, with their original mode, owner and times,
 * so the same script with source and aside exchanged puts everything back. Every path goes through a
 * pinned descriptor and ends in one name that mv acts on without following it. Expects `keep`, `skip_name`.
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
  'device=$(stat -L -c %d -- "/proc/self/fd/$aside")',
  'printf "%s\\0" selfhost-backup-records',
  'is_kept() { local pattern; for pattern in "${keep[@]}"; do [[ $1 == $pattern ]] && return 0; done; return 1; }',
  'on_the_way=()',
  'is_on_the_way() { local known; for known in "${on_the_way[@]}"; do [ "$known" = "$1" ] && return 0; done; return 1; }',
  'wanted=()',
  'for pattern in "${keep[@]}"; do wanted+=(${wanted[0]+-o} -path "./$pattern"); done',
  'find_kept() { cd -P "/proc/self/fd/$target" && find . -mindepth 1 -path "./$skip_name" -prune -o \\( "${wanted[@]}" \\) -prune -print0; }',
  'collect found find_kept',
  'for path in "${found[@]}"; do',
  '  path=${path#./}',
  '  while [[ $path == */* ]]; do path=${path%/*}; is_on_the_way "$path" || on_the_way+=("$path"); done',
  'done',
  'for path in "${on_the_way[@]}"; do',
  '  if [ "$(stat -c %d -- "/proc/self/fd/$target/$path" 2>/dev/null || echo "$device")" != "$device" ]; then selfhost_refuse merge mount; fi',
  'done',
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
  '  local into=$1 from=$2 beside=$3 relative=$4 name path entry staged inner_into inner_from inner_beside names when',
  // The directory's own mode, owner and times go with what it held, before any rename changes its mtime.
  '  when=$(stat -L -c %y -- "/proc/self/fd/$into")',
  '  adopt "$into" "$beside"',
  '  collect names find "/proc/self/fd/$into/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
  '  for name in "${names[@]}"; do',
  '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name',
  '    if [ -z "$relative" ] && [ "$name" = "$skip_name" ]; then continue; fi',
  '    if is_kept "$path" || { is_on_the_way "$path" && [ -d "$entry" ] && [ ! -L "$entry" ]; }; then continue; fi',
  '    mv -T -- "$entry" "/proc/self/fd/$beside/$name"',
  '  done',
  '  collect names find "/proc/self/fd/$from/" -mindepth 1 -maxdepth 1 -printf "%f\\0"',
  '  for name in "${names[@]}"; do',
  '    path=${relative:+$relative/}$name; entry=/proc/self/fd/$into/$name; staged=/proc/self/fd/$from/$name',
  '    if [ ! -e "$entry" ] && [ ! -L "$entry" ]; then mv -T -- "$staged" "$entry"; continue; fi',
  '    if is_kept "$path"; then printf "kept\\0%s\\0" "$path"; continue; fi',
  '    if [ -d "$staged" ] && [ ! -L "$staged" ] && enter inner_into "$into" "$name"; then',
  '      exec {inner_from}< "$staged"',
  '      [ "$(stat -L -c %d -- "/proc/self/fd/$inner_into")" = "$device" ] || selfhost_refuse merge mount',
  '      mkdir -- "/proc/self/fd/$beside/$name"',
  '      exec {inner_beside}< "/proc/self/fd/$beside/$name"',
  '      merge "$inner_into" "$inner_from" "$inner_beside" "$path"',
  '      adopt "$inner_from" "$inner_into"',
  '      exec {inner_into}<&- {inner_from}<&- {inner_beside}<&-',
  '      continue',
  '    fi',
  '    printf "conflict\\0%s\\0" "$path"',
  '  done',
  '  touch -d "$when" -- "/proc/self/fd/$beside"',
  '}',
  'merge "$target" "$source" "$aside" ""',
  'adopt "$source" "$target"'
].join('\n')

/** Renames each of `names` in `target` into `aside` (when present), then the same name from `source` in (when present). */
const ENTRIES_SCRIPT = [
  'for name in "${names[@]}"; do',
  '  entry=/proc/self/fd/$target/$name',
  '  if [ -e "$entry" ] || [ -L "$entry" ]; then mv -T -- "$entry" "/proc/self/fd/$aside/$name"; fi',
  'done',
  'for name in "${names[@]}"; do',
  '  staged=/proc/self/fd/$source/$name',
  '  if [ -e "$staged" ] || [ -L "$staged" ]; then mv -T -- "$staged" "/proc/self/fd/$target/$name"; fi',
  'done'
].join('\n')

/**
 * Shell lines that swap `source` (a directory below `from`) into `dir`, moving what it replaces to `aside` below
 * `from`. `skipName` is a shell word: the staging directory's own name, which a tree swap leaves where it is.
 */
export function swapLines(undo: SwapUndo, skipName: string, source: string, aside: string): string[] {
  // A part without the entry has nothing below new/ there: the entry is then only moved aside.
  const descriptors = [`mkdir -p -- "/proc/self/fd/$from"/${source}`, `exec {source}< "/proc/self/fd/$from"/${source}`, `exec {aside}< "/proc/self/fd/$from"/${aside}`, 'target=$dir']
  if (undo.kind === 'entries') return [...descriptors, `names=(${undo.names.map(quote).join(' ')})`, ENTRIES_SCRIPT]
  return [...descriptors, `keep=(${[...ALWAYS_KEPT, ...undo.keep].map(quote).join(' ')})`, `skip_name=${skipName}`, MERGE_SCRIPT]
}

/** What a swap script prints on stderr as it goes, so a failed one tells how far it got. */
const STAGING_MARK = 'selfhost-backup-staging'
const BEGAN_MARK = 'selfhost-backup-swap-began'
const ENDED_MARK = 'selfhost-backup-swap-ended'
const KEPT_MARK = 'selfhost-backup-swap-kept'
const COPIED_MARK = 'selfhost-backup-copied'
const MARK_LINE = /^selfhost-backup-(?:staging|swap-began|swap-ended|swap-kept|copied)\b.*\n?/gm
const STAGING_LINE = new RegExp(`^${STAGING_MARK} (\\.selfhost-restore\\.[A-Za-z0-9]+) (\\d+:\\d+)$`)
const ENDED_LINE = new RegExp(`^${ENDED_MARK} (\\d+)$`)

/**
 * Makes the staging directory beside the data (0700, `old` inside) and moves the extracted tree in as its `new`:
 * a rename when it is on the same filesystem (the restore's staging directory sits beside the data root), else
 * mv's copy, which keeps owners, modes, times, links and hard links, and which the log names.
 */
export function stagingLines(tree: string): string[] {
  return [
    ...OPEN_NEW_STAGING,
    'mkdir -- "/proc/self/fd/$from/old"',
    `if [ "$(stat -c %d -- ${quote(tree)})" != "$(stat -L -c %d -- "/proc/self/fd/$from")" ]; then printf '${COPIED_MARK}\\n' >&2; fi`,
    `mv -T -- ${quote(tree)} "/proc/self/fd/$from/new" || { rm -rf -- "/proc/self/fd/$dir/$staging_name"; exit 1; }`
  ]
}

/**
 * Renames the staging directory (`$staging_name`, proven by `$staging_identity`) to its replaced name in `dir`
 * and writes its record there; a complete swap's `new` goes (what stayed there conflicted with a kept path and
 * is the backup's, not the host's). Idempotent: a keep whose answer was lost finds the rename already made.
 */
export function keepLines(name: string, part: string, undo: SwapUndo, completeTest: string): string[] {
  const record = (complete: boolean): string => quote(JSON.stringify({ part, complete, ...undo }))
  return [
    `from_entry="/proc/self/fd/$dir/$staging_name"; to_entry="/proc/self/fd/$dir"/${quote(name)}`,
    'if [ "$(stat -c %d:%i -- "$to_entry" 2>/dev/null)" != "$staging_identity" ]; then',
    '  [ "$(stat -c %d:%i -- "$from_entry")" = "$staging_identity" ] || selfhost_refuse staging replaced',
    '  mv -T --no-clobber -- "$from_entry" "$to_entry"',
    '  [ "$(stat -c %d:%i -- "$to_entry")" = "$staging_identity" ] || selfhost_refuse staging replaced',
    'fi',
    `if ${completeTest}; then rm -rf -- "$to_entry/new"; record=${record(true)}; else record=${record(false)}; fi`,
    '(umask 077 && printf \'%s\\n\' "$record" > "$to_entry/swap")'
  ]
}

export interface SwapMarks {
  staging?: { name: string; identity: string }
  copied: boolean
  began: boolean
  /** The swap's exit code, once it ended. */
  ended?: number
  kept: boolean
}

/** Reads the marks of a swap script's stderr; a staging name or identity that is not of the expected shape is not believed. */
export function swapMarks(stderr: string): SwapMarks {
  const lines = stderr.split('\n')
  const staging = lines.map(line => STAGING_LINE.exec(line)).find(Boolean)
  const ended = lines.map(line => ENDED_LINE.exec(line)).find(Boolean)
  return {
    ...(staging ? { staging: { name: staging[1], identity: staging[2] } } : {}),
    copied: lines.includes(COPIED_MARK),
    began: lines.includes(BEGAN_MARK),
    ...(ended ? { ended: Number(ended[1]) } : {}),
    kept: lines.includes(KEPT_MARK)
  }
}

/** The failure as the user sees it: the marks are for this code. */
export function withoutMarks(error: unknown): unknown {
  return error instanceof HostCommandError ? error.withStderr(error.stderr.replace(MARK_LINE, '')) : error
}

/**
 * Undoes an entries swap that stopped part-way. It moved every present entry aside before it moved any
 * staged one in, so a name kept in `old` was replaced: what stands there now is the restore's and goes,
 * and the kept entry comes back. A name not in `old` is left alone: it may still be the live one.
 */
export const PART_WAY_ENTRIES_UNDO = [
  'for name in "${names[@]}"; do',
  '  kept=/proc/self/fd/$from/old/$name; entry=/proc/self/fd/$dir/$name',
  '  if [ -e "$kept" ] || [ -L "$kept" ]; then',
  '    if [ -e "$entry" ] || [ -L "$entry" ]; then mv -T -- "$entry" "/proc/self/fd/$from/undone/$name"; fi',
  '    mv -T -- "$kept" "$entry"',
  '  fi',
  'done'
].join('\n')

/** The kind/path records a host script printed after its mark (a login shell's rc files may print first). */
export function records(stdout: string): [string, string][] {
  const mark = stdout.indexOf('selfhost-backup-records\0')
  const fields = mark < 0 ? [] : stdout.slice(mark).split('\0').slice(1, -1)
  return Array.from({ length: Math.floor(fields.length / 2) }, (_, index) => [fields[2 * index], fields[2 * index + 1]])
}

/**
 * One swap and its keep, after the staging lines set $staging_name and $staging_identity and opened the staging
 * directory as $from: `before`, then the swap in a subshell, so whatever it does, even stopping part-way, the
 * staging directory is renamed to `name` before the script ends, and its record says how far the swap got.
 */
export function swapAndKeepLines(swap: { undo: SwapUndo; stagedBelow: string; before: string[]; name: string; part: string }): string[] {
  return [
    `printf '${STAGING_MARK} %s %s\\n' "$staging_name" "$staging_identity" >&2`,
    ...swap.before,
    `printf '${BEGAN_MARK}\\n' >&2`,
    // Not `( … ) || swapped=$?`: bash ignores errexit inside a subshell that is the left side of ||.
    'set +e',
    ['(', 'set -e', ...swapLines(swap.undo, '"$staging_name"', swap.stagedBelow, 'old'), ')'].join('\n'),
    'swapped=$?',
    'set -e',
    `printf '${ENDED_MARK} %s\\n' "$swapped" >&2`,
    ...keepLines(swap.name, swap.part, swap.undo, '[ "$swapped" -eq 0 ]'),
    `printf '${KEPT_MARK}\\n' >&2`,
    'exit "$swapped"'
  ]
}

import { posix } from 'node:path'
import { formatSeconds, type Logger } from '../kernel/log.js'
import { quote } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { RESTORE_LEFTOVER_NAMES } from '../sources/tar.js'
import { removeStaging, runPinned, stagePart, type PinnedDirectory } from './host-files.js'
import type { VerifiedPart } from './recipe.js'

/**
 * A restore swaps the live data out by rename: what it replaces moves into the staging directory's `old`
 * (same filesystem, no copy), and that directory is then renamed to `.selfhost-backup-replaced-<stamp>-<n>`
 * beside what it replaced. It is the safety copy of the files: a failed restore moves it back, a successful
 * one keeps it (or removes it with safety-copy: false), and `selfhost-backup put-back` moves it back later.
 */
export const REPLACED_PREFIX = '.selfhost-backup-replaced-'

/** How to put a swap back: a tree merged around kept paths, or whole entries of one directory. */
export type SwapUndo = { kind: 'tree'; keep: string[] } | { kind: 'entries'; names: string[] }

export interface Swap {
  part: string
  /** The directory the swap changed. */
  dir: PinnedDirectory
  /** The renamed staging directory; its `old` holds what the swap replaced. */
  replaced: PinnedDirectory
  undo: SwapUndo
  /** False when the swap stopped part-way: then some of the live entries are in `old`, some still in place. */
  complete: boolean
}

/** Paths every tree swap leaves where they are: what earlier restores replaced, and their staging directories. */
export const ALWAYS_KEPT = RESTORE_LEFTOVER_NAMES.flatMap(name => [name, `*/${name}`])

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

/** Shell lines that swap `source` (a directory below `from`) into `dir`, moving what it replaces to `aside` below `from`. */
function swapLines(undo: SwapUndo, skipName: string, source: string, aside: string): string[] {
  // A part without the entry has nothing below new/ there: the entry is then only moved aside.
  const descriptors = [`mkdir -p -- "/proc/self/fd/$from"/${source}`, `exec {source}< "/proc/self/fd/$from"/${source}`, `exec {aside}< "/proc/self/fd/$from"/${aside}`, 'target=$dir']
  if (undo.kind === 'entries') return [...descriptors, `names=(${undo.names.map(quote).join(' ')})`, ENTRIES_SCRIPT]
  return [...descriptors, `keep=(${[...ALWAYS_KEPT, ...undo.keep].map(quote).join(' ')})`, `skip_name=${quote(skipName)}`, MERGE_SCRIPT]
}

const SWAP_REASONS = { 'merge mount': 'a directory on the way to a kept path is on another filesystem than the data, so the restore cannot rename into it' }

/**
 * The swaps of one restore, in order. Each staging directory is renamed once its swap ran (or stopped
 * part-way), so nothing it replaced is ever removed by accident; the pipeline then keeps, discards or
 * rolls back all of them.
 */
export class SwapJournal {
  readonly swaps: Swap[] = []
  /** Databases swapped by RENAME TABLE: their old tables are kept in a database of their own. */
  readonly databases: KeptDatabase[] = []

  constructor(
    private readonly host: Transport,
    /** Unique to this restore: names its replaced directories. */
    readonly stamp: string,
    private readonly logger: Logger
  ) {}

  /** Runs the swap of `staging` (its `new`, or for entries `new/<from>`) into `dir` and records it. */
  async swapIn(dir: PinnedDirectory, staging: PinnedDirectory, part: string, undo: SwapUndo, description: string, stagedBelow = 'new'): Promise<void> {
    const stagingName = staging.steps[staging.steps.length - 1].name
    let complete = false
    let failure: unknown
    try {
      const lines = swapLines(undo, stagingName, stagedBelow.split('/').map(quote).join('/'), 'old')
      const result = await runPinned(this.host, { dir, from: staging }, lines, { description, reasons: SWAP_REASONS })
      for (const [kind, path] of records(result.stdout)) {
        const what = kind === 'kept' ? "is kept on this host, so the backup's copy was not restored" : "holds kept paths on this host, so the backup's non-directory there was not restored"
        this.logger.warning(`${JSON.stringify(posix.join(dir.path, path))} ${what}.`)
      }
      complete = true
    } catch (error) {
      failure = error
    }
    // Kept whatever happened: a swap that stopped part-way holds live entries in its `old`.
    await this.keep(dir, staging, part, undo, complete).catch((error: unknown) => {
      if (failure === undefined) throw error
      this.logger.warning(`What the restore of ${part} replaced stays in ${staging.path}/old: ${(error as Error).message}`)
    })
    if (failure !== undefined) throw failure
  }

  /** Renames the staging directory to its replaced name and records how to put it back (in the directory too, for put-back). */
  private async keep(dir: PinnedDirectory, staging: PinnedDirectory, part: string, undo: SwapUndo, complete: boolean): Promise<void> {
    const name = `${REPLACED_PREFIX}${this.stamp}-${this.swaps.length + 1}`
    const own = staging.steps[staging.steps.length - 1]
    const record = `${JSON.stringify({ part, complete, ...undo })}\n`
    await runPinned(
      this.host,
      { dir },
      [
        `from="/proc/self/fd/$dir"/${quote(own.name)}; to="/proc/self/fd/$dir"/${quote(name)}`,
        `[ "$(stat -c %d:%i -- "$from")" = ${quote(own.identity)} ] || selfhost_refuse staging replaced`,
        'mv -T --no-clobber -- "$from" "$to"',
        `[ "$(stat -c %d:%i -- "$to")" = ${quote(own.identity)} ] || selfhost_refuse staging replaced`,
        // What was staged but not moved in (a conflict with a kept path) is the backup's, not the host's: it goes.
        ...(complete ? ['rm -rf -- "$to/new"'] : []),
        '(umask 077 && cat > "$to/swap")'
      ],
      {
        stdin: record,
        description: `Keeping what the restore of ${part} replaced in ${posix.join(dir.path, name)}`,
        reasons: { 'staging replaced': `the staging directory ${JSON.stringify(staging.path)} was replaced while the restore ran` }
      }
    )
    this.swaps.push({ part, dir, replaced: { path: posix.join(dir.path, name), steps: [...dir.steps, { name, identity: own.identity }] }, undo, complete })
  }

  /** Where the replaced data is kept, one path per swap. */
  places(): string[] {
    return this.swaps.map(swap => swap.replaced.path)
  }

  /** The databases that keep the tables the database swaps replaced, one per swap. */
  keptDatabases(): string[] {
    return this.databases.map(database => database.kept)
  }

  /** Records a database swap that happened, so a failure puts it back too. */
  keepDatabase(kept: KeptDatabase): void {
    this.databases.push(kept)
  }

  /** Whether anything live changed: a file swap ran (even part-way) or a database was swapped. */
  get changedAnything(): boolean {
    return this.swaps.length + this.databases.length > 0
  }

  /** Puts every complete swap back, newest first; a part-way one is left for put-back and named. Throws on the first failure. */
  async rollBack(): Promise<string[]> {
    const report: string[] = []
    for (const swap of [...this.swaps].reverse()) {
      if (!swap.complete && swap.undo.kind === 'tree') {
        report.push(`${swap.part}: the swap into ${swap.dir.path} stopped part-way; what it replaced is in ${swap.replaced.path}/old`)
        continue
      }
      await putBack(this.host, swap, this.logger)
      report.push(`${swap.part}: ${swap.dir.path} is as it was`)
    }
    for (const database of [...this.databases].reverse()) {
      await database.putBack()
      report.push(`${database.part}: database ${database.live} is as it was`)
    }
    return report
  }

  /** safety-copy: false: the replaced data goes once the restore succeeded. */
  async discard(): Promise<void> {
    for (const swap of this.swaps) await removeStaging(this.host, swap.replaced, this.logger)
    for (const database of this.databases) await database.drop()
  }
}

/** A database a restore swapped: its old tables wait in `kept` on the same server. */
export interface KeptDatabase {
  part: string
  live: string
  kept: string
  /** Moves the kept tables back into `live`; what the restore put there goes. */
  putBack(): Promise<void>
  /** Drops `kept` (safety-copy: false). */
  drop(): Promise<void>
}

/**
 * Undoes an entries swap that stopped part-way. It moved every present entry aside before it moved any
 * staged one in, so a name kept in `old` was replaced: what stands there now is the restore's and goes,
 * and the kept entry comes back. A name not in `old` is left alone: it may still be the live one.
 */
const PART_WAY_ENTRIES_UNDO = [
  'for name in "${names[@]}"; do',
  '  kept=/proc/self/fd/$from/old/$name; entry=/proc/self/fd/$dir/$name',
  '  if [ -e "$kept" ] || [ -L "$kept" ]; then',
  '    if [ -e "$entry" ] || [ -L "$entry" ]; then mv -T -- "$entry" "/proc/self/fd/$from/undone/$name"; fi',
  '    mv -T -- "$kept" "$entry"',
  '  fi',
  'done'
].join('\n')

/** Swaps a kept `old` back into its directory; what the restore had put there goes. A tree swap must have completed. */
export async function putBack(host: Transport, swap: Pick<Swap, 'dir' | 'replaced' | 'undo' | 'part' | 'complete'>, logger: Logger): Promise<void> {
  const skipName = swap.replaced.steps[swap.replaced.steps.length - 1].name
  const undo = swap.complete || swap.undo.kind === 'tree' ? swapLines(swap.undo, skipName, 'old', 'undone') : [`names=(${swap.undo.names.map(quote).join(' ')})`, PART_WAY_ENTRIES_UNDO]
  await runPinned(host, { dir: swap.dir, from: swap.replaced }, ['rm -rf -- "/proc/self/fd/$from/undone"', 'mkdir -- "/proc/self/fd/$from/undone"', ...undo], {
    description: `Putting back what the restore of ${swap.part} replaced in ${swap.dir.path}`,
    reasons: SWAP_REASONS
  })
  await removeStaging(host, swap.replaced, logger)
}

/**
 * Makes the pinned directory `dir` equal to a tarball part (files the backup did not have move aside), except
 * the `keep` paths (globs relative to dir) and the real directories on the way to them. The part is extracted
 * and checked beside the data first; only then are the live entries swapped out and the staged ones in.
 */
export async function replaceTree(host: Transport, swaps: SwapJournal, target: { dir: PinnedDirectory; part: VerifiedPart; keep: string[] }, description: string, logger: Logger): Promise<void> {
  const { dir, part, keep } = target
  const began = Date.now()
  const staging = await stagePart(host, dir, part, description, logger)
  const extracted = Date.now()
  await swaps.swapIn(dir, staging, part.record.name, { kind: 'tree', keep }, `Moving the restored files into ${dir.path}`)
  logSwapTimes(logger, part, began, extracted)
}

/** "data: extracted and checked in 9.1 s, swapped in 0.2 s": a restore's time per part, for its Stages line and the bench. */
function logSwapTimes(logger: Logger, part: VerifiedPart, began: number, extracted: number): void {
  // An extracted part was extracted and checked while it was staged; here it only moved beside the data.
  logger.info(`${part.record.name}: ${part.extracted ? 'moved beside the data' : 'extracted and checked'} in ${formatSeconds(extracted - began)}, swapped in ${formatSeconds(Date.now() - extracted)}`)
}

/**
 * Replaces the directory `name` inside the pinned `parent` with the one a tarball part holds at `relative`
 * (relative to the archive's root), or moves it aside when the part has none.
 */
export async function replaceDirectory(host: Transport, swaps: SwapJournal, target: { parent: PinnedDirectory; name: string; relative: string; part: VerifiedPart }, logger: Logger): Promise<void> {
  const { parent, name, relative, part } = target
  const began = Date.now()
  const staging = await stagePart(host, parent, part, `Restoring ${relative}`, logger)
  const extracted = Date.now()
  const stagedBelow = posix.join('new', posix.dirname(relative))
  await swaps.swapIn(parent, staging, part.record.name, { kind: 'entries', names: [name] }, `Moving ${relative} into place`, stagedBelow)
  logSwapTimes(logger, part, began, extracted)
}

/** The kind/path records a host script printed after its mark (a login shell's rc files may print first). */
function records(stdout: string): [string, string][] {
  const mark = stdout.indexOf('selfhost-backup-records\0')
  const fields = mark < 0 ? [] : stdout.slice(mark).split('\0').slice(1, -1)
  return Array.from({ length: Math.floor(fields.length / 2) }, (_, index) => [fields[2 * index], fields[2 * index + 1]])
}

import { posix } from 'node:path'
import { formatSeconds, type Logger } from '../kernel/log.js'
import { HostCommandError } from '../kernel/errors.js'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { explainRefusal, ownStep, pinnedChild, pinnedLines, removeStaging, runPinned, stagePart, STAGING_REASONS, type PinnedDirectory } from './host-files.js'
import { keepLines, PART_WAY_ENTRIES_UNDO, records, stagingLines, swapAndKeepLines, swapLines, swapMarks, withoutMarks, type SwapUndo } from './swap-scripts.js'
import type { VerifiedPart } from './recipe.js'

/**
 * A restore swaps the live data out by rename: what it replaces moves into the staging directory's `old`
 * (same filesystem, no copy), and that directory is then renamed to `.selfhost-backup-replaced-<stamp>-<n>`
 * beside what it replaced. It is the safety copy of the files: a failed restore moves it back, a successful
 * one keeps it (or removes it with safety-copy: false), and `selfhost-backup put-back` moves it back later.
 */
export const REPLACED_PREFIX = '.selfhost-backup-replaced-'

export type { SwapUndo } from './swap-scripts.js'

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

const SWAP_REASONS = {
  'merge mount': 'a directory on the way to a kept path is on another filesystem than the data, so the restore cannot rename into it',
  ...STAGING_REASONS
}

/** The directories a swap script pins: the data's, and a staging directory made earlier. */
function pinnedFor(request: SwapRequest): Record<string, PinnedDirectory> {
  return 'staging' in request ? { dir: request.dir, from: request.staging } : { dir: request.dir }
}

/** Shell variables the swap and keep lines read: the staging directory's own name and identity, once known. */
function stagingVariables(own: { name: string; identity: string }): string {
  return `staging_name=${quote(own.name)}; staging_identity=${quote(own.identity)}`
}

/** One swap of a restore: into `dir`, from a staging directory made earlier or from a tree the fetch extracted and checked. */
export type SwapRequest = {
  dir: PinnedDirectory
  part: string
  undo: SwapUndo
  description: string
  /** Below the staging directory: where the swap's source is (`new`, or `new/<path>` for entries). */
  stagedBelow?: string
  /** Shell lines run before the swap, in the same script: the data's directory is open as $dir, the staging directory as $from. */
  before?: string[]
  /** What the refusals of `before` mean. */
  reasons?: Record<string, string>
} & ({ staging: PinnedDirectory } | { tree: string })

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

  /**
   * Runs the swap of `staging` (its `new`, or for entries `new/<from>`) into `dir` and keeps what it replaced,
   * in one script on the host: with `tree`, the staging directory is first made beside the data and the tree
   * the fetch extracted and checked is moved into it; `before` lines run ahead of the swap (the staging
   * directory open as $from). The swap runs in a subshell, so whatever it does, even stopping part-way, the
   * staging directory is renamed to its replaced name before the script ends, and the record says how far it got.
   */
  async swapIn(request: SwapRequest): Promise<void> {
    const { dir, part, undo, description } = request
    const stagedBelow = (request.stagedBelow ?? 'new').split('/').map(quote).join('/')
    const name = `${REPLACED_PREFIX}${this.stamp}-${this.swaps.length + 1}`
    const lines = [
      ...('staging' in request ? [stagingVariables(ownStep(request.staging))] : stagingLines(request.tree)),
      ...swapAndKeepLines({ undo, stagedBelow, before: request.before ?? [], name, part })
    ]
    const result = await this.host.run(script(...pinnedLines(pinnedFor(request)), ...lines), { description }).catch((error: unknown) => this.afterFailedSwap(error, request, name))
    const marks = swapMarks(result.stderr)
    const own = 'staging' in request ? ownStep(request.staging) : marks.staging
    // Exit 0 comes only after the keep; a staging name that did not come back cannot be recorded.
    if (!own) throw new HostCommandError(description, 0, `unexpected answer ${JSON.stringify(result.stderr.slice(-300))}`)
    if (marks.copied) this.logger.info(`${part}: copied beside ${dir.path}, because the restore's staging directory is on another filesystem`)
    for (const [kind, path] of records(result.stdout)) {
      const what = kind === 'kept' ? "is kept on this host, so the backup's copy was not restored" : "holds kept paths on this host, so the backup's non-directory there was not restored"
      this.logger.warning(`${JSON.stringify(posix.join(dir.path, path))} ${what}.`)
    }
    this.record({ part, dir, name, identity: own.identity, undo, complete: true })
  }

  /**
   * A swap script that failed: what it printed on stderr says how far it got. Kept: recorded as it stopped.
   * The swap ended or began but the keep did not happen (or its answer was lost): the keep is tried again on
   * its own. It never began: the staging directory goes, nothing live changed. Always rethrows the failure.
   */
  private async afterFailedSwap(error: unknown, request: SwapRequest, name: string): Promise<never> {
    const marks = swapMarks(error instanceof HostCommandError ? error.stderr : '')
    const failure = explainRefusal(withoutMarks(error), pinnedFor(request), { ...SWAP_REASONS, ...request.reasons })
    const own = 'staging' in request ? ownStep(request.staging) : marks.staging
    if (!own) throw failure
    const swap = { part: request.part, dir: request.dir, name, identity: own.identity, undo: request.undo, complete: marks.ended === 0 }
    if (marks.kept) {
      this.record(swap)
      throw failure
    }
    if (!marks.began) {
      await removeStaging(this.host, pinnedChild(request.dir, own), this.logger)
      throw failure
    }
    // Kept whatever happened: a swap that stopped part-way holds live entries in its `old`.
    try {
      await runPinned(this.host, { dir: request.dir }, [stagingVariables(own), ...keepLines(name, request.part, request.undo, swap.complete ? 'true' : 'false')], {
        description: `Keeping what the restore of ${request.part} replaced in ${posix.join(request.dir.path, name)}`,
        reasons: SWAP_REASONS
      })
      this.record(swap)
    } catch (keepError) {
      this.logger.warning(`What the restore of ${request.part} replaced stays in ${posix.join(request.dir.path, own.name)}/old: ${(keepError as Error).message}`)
    }
    throw failure
  }

  private record(swap: { part: string; dir: PinnedDirectory; name: string; identity: string; undo: SwapUndo; complete: boolean }): void {
    const { part, dir, name, identity, undo, complete } = swap
    this.swaps.push({ part, dir, replaced: pinnedChild(dir, { name, identity }), undo, complete })
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

/** Swaps a kept `old` back into its directory; what the restore had put there goes. A tree swap must have completed. */
export async function putBack(host: Transport, swap: Pick<Swap, 'dir' | 'replaced' | 'undo' | 'part' | 'complete'>, logger: Logger): Promise<void> {
  const skipName = ownStep(swap.replaced).name
  const undo = swap.complete || swap.undo.kind === 'tree' ? swapLines(swap.undo, quote(skipName), 'old', 'undone') : [`names=(${swap.undo.names.map(quote).join(' ')})`, PART_WAY_ENTRIES_UNDO]
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
  await swapPartIn(host, swaps, { dir, part, undo: { kind: 'tree', keep }, description: `Moving the restored files into ${dir.path}` }, description, logger)
}

/**
 * Replaces the directory `name` inside the pinned `parent` with the one a tarball part holds at `relative`
 * (relative to the archive's root), or moves it aside when the part has none.
 */
export async function replaceDirectory(host: Transport, swaps: SwapJournal, target: { parent: PinnedDirectory; name: string; relative: string; part: VerifiedPart }, logger: Logger): Promise<void> {
  const { parent, name, relative, part } = target
  const stagedBelow = posix.join('new', posix.dirname(relative))
  await swapPartIn(host, swaps, { dir: parent, part, undo: { kind: 'entries', names: [name] }, description: `Moving ${relative} into place`, stagedBelow }, `Restoring ${relative}`, logger)
}

/**
 * A tarball part into `dir`: a tree the fetch already extracted and checked moves beside the data and in by one
 * script ("data: moved beside the data and swapped in 0.1 s"); any other part is extracted and checked in a
 * staging directory beside the data first ("extracted and checked in 9.1 s, swapped in 0.1 s"). The times go
 * to the restore's Stages line and the bench.
 */
async function swapPartIn(
  host: Transport,
  swaps: SwapJournal,
  swap: { dir: PinnedDirectory; part: VerifiedPart; undo: SwapUndo; description: string; stagedBelow?: string },
  extraction: string,
  logger: Logger
): Promise<void> {
  const { part, ...request } = swap
  const began = Date.now()
  if (part.extracted) {
    await swaps.swapIn({ ...request, part: part.record.name, tree: part.path })
    logger.info(`${part.record.name}: moved beside the data and swapped in ${formatSeconds(Date.now() - began)}`)
    return
  }
  const staging = await stagePart(host, swap.dir, part, extraction, logger)
  const extracted = Date.now()
  await swaps.swapIn({ ...request, part: part.record.name, staging })
  logger.info(`${part.record.name}: extracted and checked in ${formatSeconds(extracted - began)}, swapped in ${formatSeconds(Date.now() - extracted)}`)
}

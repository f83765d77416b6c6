import { posix } from 'node:path'
import type { Logger } from '../kernel/log.js'
import type { Compression, Manifest, PartKind, PartRecord } from '../kernel/manifest.js'
import type { Writable } from 'node:stream'
import type { TarSnapshot } from '../sources/tar.js'
import type { PartInput } from '../sources/compression.js'
import { readWithProgress } from '../kernel/progress.js'
import type { Transport } from '../transport/transport.js'
import type { SwapJournal } from './host-swap.js'
import type { PinnedDirectory } from './host-files.js'
import type { AppVersion } from '../kernel/app-version.js'

export interface PartSpec {
  name: string
  kind: PartKind
  compression: Compression
  /** File name ending, e.g. ".tar.zst". */
  extension: string
  /**
   * Facts known before the bytes flow, for whoever reads the part as it streams: the drill creates a
   * dump's database with the recorded default character set and collation from here.
   */
  details?: Record<string, unknown>
}

export type PartExtras = Pick<PartRecord, 'tables' | 'details' | 'warnings' | 'incremental'>

/** Where a recipe's backup() puts its parts. The producer writes the part's bytes into `out`. */
export interface PartSink {
  addPart(spec: PartSpec, produce: (out: Writable) => Promise<PartExtras | void>): Promise<PartRecord>
}

/** Input values by their action.yml names ('tabby-root'), already defaulted; '' means not given. */
export type RawInputs = Readonly<Record<string, string>>

export interface RecipeContext {
  logger: Logger
  /** Set for a backup with incremental: true; data-directory tarballs take their snapshot files from it. */
  incremental?: { snapshotFor(part: string): TarSnapshot }
}

/** A restore's context: its swaps keep what they replace, for the safety copy and a rollback. */
export interface RestoreContext extends RecipeContext {
  swaps: SwapJournal
  /** The parts prepareSwap prepared beside the live data, by name: restore swaps them in. */
  prepared: ReadonlyMap<string, PreparedPart>
}

/** What prepareSwap made beside the live data, until the restore swaps it in. */
export interface PreparedPart {
  part: string
  /** After the stop: swaps it in, recording in `swaps` what it replaced; a line for the report. */
  swapIn(swaps: SwapJournal): Promise<string>
  /** Removes what was prepared if it was not swapped in; nothing once it was. */
  discard(): Promise<void>
}

/**
 * A verified part. A restore stages it on the host (`on: 'host'`, in a private directory beside the data,
 * its sha256 checked there) before anything live changes; tests also hand recipes files on the runner.
 */
export interface VerifiedPart {
  record: PartRecord
  on: 'host' | 'runner'
  /** The part's file; for an `extracted` tarball, the directory its tree was extracted into and checked. */
  path: string
  /** A full tarball extracted while it streamed in: a swap moves the tree instead of extracting it again. */
  extracted?: boolean
  /** For an incremental tarball: the same part of every backup it builds on, full backup first, also verified. */
  chain?: VerifiedPart[]
}

/**
 * One application's backup and restore. A recipe never touches the store, the manifest file or
 * @actions/*: it reads and writes the host through the transport and hands parts to the sink.
 */
export interface Recipe<Options> {
  readonly id: string
  readonly title: string
  /** Inputs this recipe reads, for the "unknown input for this app" check and the README. */
  readonly inputs: readonly string[]
  /**
   * The format revision of this recipe's backups, recorded as application.recipe: raised when a backup's parts
   * change in a way an older restore would get wrong, so an older selfhost-backup refuses them instead.
   */
  readonly revision: number
  /** Whether a backup makes SQL dumps: the drill then starts its throwaway database server at once, beside the first steps. */
  readonly makesDatabaseDumps: boolean
  parseOptions(raw: RawInputs): Options
  /** Evidence that the app lives on this host (a sentence), or null; options carry path overrides. */
  detect(host: Transport, options: Options): Promise<string | null>
  /** Checks every tool, path and permission the job needs and reports all problems at once; fills in host-derived options. */
  preflight(host: Transport, options: Options, purpose: 'backup' | 'restore', context: RecipeContext): Promise<Options>
  /** Every directory a restore swaps entries in (pinned), where put-back finds what it replaced. */
  restoredDirectories(host: Transport, options: Options): Promise<PinnedDirectory[]>
  /** The app's data directory on the host (resolved by preflight): safety copies go beside it. */
  dataRoot(options: Options): string
  /**
   * The CLI flags that name this installation, for the command that puts a safety copy back after a failed
   * restore (e.g. `--tabby-root '/srv/tabby'`): explicit, because on the host $TABBY_ROOT or ~ may differ.
   */
  recoveryFlags(options: Options): string
  /**
   * The version of the app this host runs now (release, image, schema), with what could not be read left out:
   * recorded by a backup, compared by a restore. Reads only; never fails a backup for a version it cannot read.
   */
  readVersion(host: Transport, options: Options, context: RecipeContext): Promise<Omit<AppVersion, 'recipe'>>
  /**
   * What this host cannot take from a verified backup that only the host can tell (e.g. a collation its
   * database server lacks), empty when it can. Called before anything is downloaded or changed.
   */
  restorable?(host: Transport, options: Options, manifest: Manifest): Promise<string[]>
  /**
   * What this install keeps that a backup of it will not hold (components, volumes, buckets, missing secrets),
   * one sentence each, after preflight: in the manifest and the summary, and fatal with coverage: strict.
   */
  notCovered?(options: Options): string[]
  /** Files the backup would store that hold the app's own secrets (path and what it holds); stored plain only by explicit choice. */
  secretFiles?(host: Transport, options: Options): Promise<string[]>
  /** Non-secret options to keep in the manifest so a restore knows how the backup was taken. */
  describeOptions(options: Options): Record<string, unknown>
  backup(host: Transport, options: Options, sink: PartSink, context: RecipeContext): Promise<void>
  /**
   * What this host's restore cannot take from a (signed) manifest, empty when it can: parts the recipe does
   * not make or of another kind, parts this host has no place for, databases outside the configured ones,
   * recorded paths that are not plain relative paths. Called after preflight, before any part is downloaded.
   */
  acceptManifest(options: Options, manifest: Manifest): string[]
  /** Human-readable steps a restore of these parts will take (printed by dry-run and before a restore). */
  planRestore(options: Options, manifest: Manifest): string[]
  /**
   * Copies into `sink`, before the restore, what a restore of `parts` replaces in place rather than by rename
   * (databases: an import drops them). Everything else a restore swaps out by rename, which keeps it anyway.
   */
  copyBeforeImport?(host: Transport, options: Options, sink: PartSink, parts: PartRecord[], context: RecipeContext): Promise<void>
  /**
   * Prepares a verified part beside the live data while the app still runs, started as soon as the part is
   * staged (SeaTable: a dump imported into a side database, swapped in by RENAME TABLE after the stop).
   * Undefined when the part is restored in place instead; then copyBeforeImport keeps a copy of it.
   */
  prepareSwap?(host: Transport, options: Options, part: VerifiedPart, context: RecipeContext & { stamp: string }): Promise<PreparedPart | undefined>
  /** put-back: moves back what the restore with this stamp swapped out besides files (databases); one line per item. */
  putBackSwapped?(host: Transport, options: Options, stamp: string, context: RecipeContext): Promise<string[]>
  restore(host: Transport, options: Options, parts: VerifiedPart[], manifest: Manifest, context: RestoreContext): Promise<string[]>
  /** Steps that need the app running again, after the user's start-command (e.g. the app's own restore tool). */
  afterStart?(host: Transport, options: Options, parts: VerifiedPart[], manifest: Manifest, context: RecipeContext): Promise<string[]>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRecipe = Recipe<any>

/** Parts the recipe does not make, or of another kind than it makes them: `kindOf` is the recipe's own list. */
export function partKindProblems(manifest: Manifest, kindOf: (name: string) => PartKind | undefined, title: string): string[] {
  return manifest.parts.flatMap(part => {
    const expected = typeof part.name === 'string' ? kindOf(part.name) : undefined
    if (expected === undefined) return [`part ${JSON.stringify(part.name)} is not one a ${title} backup has`]
    return part.kind === expected ? [] : [`part ${part.name} is of kind ${JSON.stringify(part.kind)}; a ${title} backup's ${part.name} is ${expected}`]
  })
}

/** A recipe's fixed part names and their kinds as a lookup; a name like "constructor" is not one of them. */
export function fixedParts(table: Record<string, PartKind>): (name: string) => PartKind | undefined {
  return name => (Object.hasOwn(table, name) ? table[name] : undefined)
}

/** Why `path` cannot name something inside an app's root; null when it can. Also the rule for paths a manifest records. */
export function relativePathProblem(path: string): string | null {
  if (path.startsWith('/') || posix.normalize(path).startsWith('..')) return 'must be a path relative to the application\'s root, without ".."'
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters'
  return null
}

/** Problems with a list of relative paths a manifest recorded in its options, which a restore keeps on the host. */
export function recordedPathProblems(option: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some(path => typeof path !== 'string')) return [`options.${option} is not a list of paths`]
  return (value as string[]).flatMap(path => {
    const problem = relativePathProblem(path)
    return problem ? [`options.${option}: ${JSON.stringify(path)} ${problem}`] : []
  })
}

/** What a host command reads a verified part from: the staged file on the host, or the runner's file streamed with progress. */
export function partInput(part: VerifiedPart, what: string, logger: Logger): PartInput {
  if (part.extracted) throw new Error(`${part.record.name} was extracted while it was staged; it has no file to read`)
  return part.on === 'host' ? { hostFile: part.path } : readWithProgress(part.path, what, logger)
}

import type { IncrementalPlan } from '../core/incremental.js'
import type { Logger } from '../core/log.js'
import type { Manifest, PartRecord } from '../core/manifest.js'
import type { PartSink } from '../core/staging.js'
import type { Transport } from '../transport/transport.js'

/** Input values by their action.yml names ('tabby-root'), already defaulted; '' means not given. */
export type RawInputs = Readonly<Record<string, string>>

export interface RecipeContext {
  logger: Logger
  /** Set for a backup with incremental: true; data-directory tarballs take their snapshot files from it. */
  incremental?: IncrementalPlan
}

/** A verified part on the runner, ready to stream to the host. */
export interface VerifiedPart {
  record: PartRecord
  path: string
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
  parseOptions(raw: RawInputs): Options
  /** Evidence that the app lives on this host (a sentence), or null; options carry path overrides. */
  detect(host: Transport, options: Options): Promise<string | null>
  /** Checks every tool, path and permission the job needs and reports all problems at once; fills in host-derived options. */
  preflight(host: Transport, options: Options, purpose: 'backup' | 'restore', context: RecipeContext): Promise<Options>
  /** Whether there is current data worth a safety copy before a restore overwrites it. */
  hasExistingData(host: Transport, options: Options): Promise<boolean>
  /** The app's data directory on the host (resolved by preflight): safety copies go beside it. */
  dataRoot(options: Options): string
  /** Files the backup would store that hold the app's own secrets (path and what it holds); stored plain only by explicit choice. */
  secretFiles?(host: Transport, options: Options): Promise<string[]>
  /** Non-secret options to keep in the manifest so a restore knows how the backup was taken. */
  describeOptions(options: Options): Record<string, unknown>
  backup(host: Transport, options: Options, sink: PartSink, context: RecipeContext): Promise<void>
  /** Human-readable steps a restore of these parts will take (printed by dry-run and before a restore). */
  planRestore(options: Options, manifest: Manifest): string[]
  restore(host: Transport, options: Options, parts: VerifiedPart[], manifest: Manifest, context: RecipeContext): Promise<string[]>
  /** Steps that need the app running again, after the user's start-command (e.g. the app's own restore tool). */
  afterStart?(host: Transport, options: Options, parts: VerifiedPart[], manifest: Manifest, context: RecipeContext): Promise<string[]>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRecipe = Recipe<any>

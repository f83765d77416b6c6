import type { AppVersion } from '../kernel/app-version.js'
import { PassThrough, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { posix } from 'node:path'
import type { AnyRecipe } from '../recipes/recipe.js'
import type { Transport } from '../transport/transport.js'
import { assembleManifest, manifestFileName, newBackupId, partFileName, type PartRecord } from '../kernel/manifest.js'
import { signedManifestText } from '../kernel/manifest-file.js'
import type { ManifestSigner } from '../kernel/manifest-signature.js'
import { quote, script } from '../kernel/shell.js'
import { refuseUnsafePlace, unsafePlaceError } from './host-places.js'
import { PartSlots, streamPart } from './staging.js'
import type { PartExtras, PartSink, PartSpec } from '../recipes/recipe.js'

/**
 * Writes parts into a directory on the host itself. A safety copy is just the recipe's own backup of
 * the current state into this sink, so it has a manifest and restores with the same tool.
 */
class HostDirectorySink implements PartSink {
  private readonly slots = new PartSlots()

  get parts(): PartRecord[] {
    return this.slots.records()
  }

  constructor(
    private readonly host: Transport,
    private readonly dir: string,
    private readonly backupId: string
  ) {}

  async addPart(spec: PartSpec, produce: (out: Writable) => Promise<PartExtras | void>): Promise<PartRecord> {
    const file = partFileName(this.backupId, spec.name, spec.extension)
    const path = posix.join(this.dir, file)
    return streamPart(this.slots, { ...spec, file }, produce, {
      write: content => {
        const upload = new PassThrough()
        // noclobber: the part is a new file in our own fresh directory, never something that was already there.
        const writing = this.host.run(script('set -o noclobber', `cat > ${quote(path)}`), { stdin: upload, description: `Writing the safety copy of ${spec.name}` })
        return { stored: content, done: Promise.all([pipeline(content, upload), writing]).then(() => undefined) }
      },
      discard: async () => {
        await this.host.run(script(`rm -f -- ${quote(path)}`), { allowFailure: true, description: `Removing the incomplete safety copy of ${spec.name}` }).catch(() => undefined)
      }
    })
  }
}

export const SAFETY_COPY_FIX = 'set safety-copy-dir to a directory only root (or the user the restore runs as) can write, e.g. /var/lib/selfhost-backup/safety.'

/** A signed backup on the host of what a restore imports (databases). */
export interface DatabaseSafetyCopy {
  dir: string
  backupId: string
}

/** What a restore kept of the data it replaced: files and swapped databases by rename, databases imported in place as a backup taken before. */
export interface SafetyCopy {
  /** The directories that keep what each swap replaced, beside it. */
  files: string[]
  databases?: DatabaseSafetyCopy
  /** The databases that keep the tables a database swap replaced, on the same server. */
  keptDatabases: string[]
  /** The restore's stamp, which names those directories and databases (put-back --replaced). */
  stamp: string
}

/**
 * A signed backup, on the host, of what `produce` writes into the sink (the parts a restore replaces by
 * import); undefined, and no directory left, when it wrote nothing.
 */
export async function takeSafetyCopy(
  host: Transport,
  source: { recipe: AnyRecipe; options: unknown; signer: ManifestSigner; produce: (sink: PartSink) => Promise<void>; application?: AppVersion },
  parentDir: string
): Promise<DatabaseSafetyCopy | undefined> {
  const { recipe, options, signer } = source
  const backupId = newBackupId(recipe.id, host.hostId, new Date())
  const dir = posix.join(parentDir, backupId)
  // Root writes the copy: no directory on its way may be one the application's user could plant a link in.
  const parent = { path: parentDir, name: 'the safety copy directory', kind: 'directory' as const, fix: SAFETY_COPY_FIX }
  await host
    .run(script(...refuseUnsafePlace(parent), `(umask 077 && mkdir -p -- ${quote(parentDir)})`, `mkdir -m 700 -- ${quote(dir)}`), { description: `Creating the safety copy directory ${dir}` })
    .catch((error: unknown) => {
      throw unsafePlaceError(error) ?? error
    })
  const sink = new HostDirectorySink(host, dir, backupId)
  const startedAt = new Date().toISOString()
  await source.produce(sink)
  if (sink.parts.length === 0) {
    await host.run(script(`rmdir -- ${quote(dir)}`), { description: `Removing the empty safety copy directory ${dir}` })
    return undefined
  }
  const manifest = assembleManifest({
    backupId,
    app: recipe.id,
    host: host.label,
    hostId: host.hostId,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: recipe.describeOptions(options),
    parts: sink.parts,
    ...(source.application ? { application: source.application } : {})
  })
  const manifestPath = posix.join(dir, manifestFileName(backupId))
  await host.run(script(`cat > ${quote(`${manifestPath}.partial`)}`, `mv -- ${quote(`${manifestPath}.partial`)} ${quote(manifestPath)}`), {
    stdin: await signedManifestText(manifest, signer),
    description: 'Writing the safety copy manifest'
  })
  return { dir, backupId }
}

/** Every host path that keeps data from before a restore. */
export function safetyCopyPaths(safetyCopy: SafetyCopy | undefined): string[] {
  return safetyCopy ? [...safetyCopy.files, ...(safetyCopy.databases ? [safetyCopy.databases.dir] : [])] : []
}

import { PassThrough, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { posix } from 'node:path'
import type { AnyRecipe } from '../recipes/recipe.js'
import type { Transport } from '../transport/transport.js'
import { HashingCounter } from './checksum.js'
import type { Logger } from './log.js'
import { MANIFEST_FORMAT, manifestFileName, newBackupId, partFileName, type Manifest, type PartRecord } from './manifest.js'
import { signedManifestText } from './manifest-file.js'
import type { ManifestSigner } from './manifest-signature.js'
import { quote, script } from './shell.js'
import { refuseUnsafePlace, unsafePlaceError } from './host-places.js'
import { PartSlots, type PartExtras, type PartSink, type PartSpec } from './staging.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'

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
    const slot = this.slots.reserve(spec.name)
    const file = partFileName(this.backupId, spec.name, spec.extension)
    const counter = new HashingCounter()
    const upload = new PassThrough()
    const started = Date.now()
    const writing = this.host.run(script(`cat > ${quote(posix.join(this.dir, file))}`), { stdin: upload, description: `Writing the safety copy of ${spec.name}` })
    const piping = pipeline(counter, upload)
    let extras: PartExtras | void
    try {
      extras = await produce(counter)
      counter.end()
      await piping
      await writing
    } catch (error) {
      counter.destroy()
      await Promise.allSettled([piping, writing])
      throw error
    }
    const record: PartRecord = { name: spec.name, file, kind: spec.kind, compression: spec.compression, bytes: counter.bytes, sha256: counter.digest(), durationMs: Date.now() - started, ...(extras ?? {}) }
    this.slots.fill(slot, record)
    return record
  }
}

export const SAFETY_COPY_FIX = 'set safety-copy-dir to a directory only root (or the user the restore runs as) can write, e.g. /var/lib/selfhost-backup/safety.'

export interface SafetyCopy {
  dir: string
  backupId: string
}

export async function takeSafetyCopy(
  host: Transport,
  source: { recipe: AnyRecipe; options: unknown; signer: ManifestSigner },
  parentDir: string,
  logger: Logger
): Promise<SafetyCopy> {
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
  await recipe.backup(host, options, sink, { logger })
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    backupId,
    app: recipe.id,
    host: host.label,
    hostId: host.hostId,
    startedAt,
    finishedAt: new Date().toISOString(),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    options: recipe.describeOptions(options),
    parts: sink.parts
  }
  const manifestPath = posix.join(dir, manifestFileName(backupId))
  await host.run(script(`cat > ${quote(`${manifestPath}.partial`)}`, `mv -- ${quote(`${manifestPath}.partial`)} ${quote(manifestPath)}`), {
    stdin: await signedManifestText(manifest, signer),
    description: 'Writing the safety copy manifest'
  })
  return { dir, backupId }
}

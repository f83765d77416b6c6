import { join } from 'node:path'
import type { StoreError } from '../kernel/errors.js'
import { formatSeconds, type Logger } from '../kernel/log.js'
import { itemsInOrder, StoringQueue, type SaveResult, type StoreSession } from './store.js'

type StoredItem = SaveResult['items'][number]

/** What a store that uploads (artifacts, S3) brings to the session they share. */
export interface UploadSpec {
  /** The staging directory the files are in. */
  dir: string
  /** Stores one file; says where it went. */
  upload(file: string): Promise<StoredItem>
  /** The error for a file that could not be stored. */
  failed(file: string, error: unknown): StoreError
  /** "artifacts", "objects": for the log line that sums the uploads. */
  noun: string
  /** Human-readable place, for SaveResult.where. */
  where: string
  /** Between the last part and the manifest (S3: extend the locks of the chain this backup builds on). */
  beforeManifest?(): Promise<void>
  /** Removes what a failed backup stored, best effort. */
  removeStored(items: StoredItem[]): Promise<void>
  /** After a commit or an abandon (artifacts: forget cached listings). */
  settled?(): void
}

/**
 * The session of a store that uploads: files go up one after another in the background while the backup
 * goes on, the manifest last, after every part is stored, so a listing only ever shows a complete backup.
 * One at a time: with three at once a SeaTable backup to the artifact emulator took 59.8 s instead of
 * 54.1 s and peaked at 363 MB instead of 281 MB (each upload holds its client's blocks), and small backups
 * gained nothing.
 */
export function uploadSession(spec: UploadSpec, logger: Logger): StoreSession {
  const queue = new StoringQueue()
  const stored = new Map<string, StoredItem>()
  // Upload time, summed over the files: it overlaps the parts, so it is reported apart from the stages.
  const uploads = { count: 0, milliseconds: 0 }
  const place = (file: string): Promise<void> =>
    queue.push(async () => {
      const began = Date.now()
      try {
        stored.set(file, await spec.upload(file))
      } catch (error) {
        throw spec.failed(file, error)
      } finally {
        uploads.count++
        uploads.milliseconds += Date.now() - began
      }
    })
  return {
    addPart: place,
    commit: async (manifestFile, partFiles) => {
      await queue.drain()
      try {
        itemsInOrder(stored, partFiles)
      } catch (error) {
        throw spec.failed(manifestFile, error)
      }
      await spec.beforeManifest?.()
      void place(manifestFile)
      await queue.drain()
      spec.settled?.()
      logger.info(`Uploads: ${uploads.count} ${spec.noun} in ${formatSeconds(uploads.milliseconds)}, one after another while the parts were made`)
      return { items: itemsInOrder(stored, [...partFiles, manifestFile]), where: spec.where, manifestPath: join(spec.dir, manifestFile) }
    },
    abandon: async () => {
      await queue.settle()
      await spec.removeStored([...stored.values()])
      spec.settled?.()
    }
  }
}

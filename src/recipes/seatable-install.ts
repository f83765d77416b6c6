import { posix } from 'node:path'
import { parseImage, versionFromImage } from '../kernel/app-version.js'
import { PreflightError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { Transport } from '../transport/transport.js'
import { containerImage, envFileValue } from './app-probes.js'
import { existingOnHost } from './host-files.js'
import { findAiDirectory, surveySeaTable } from './seatable-coverage.js'
import type { SeaTableOptions } from './seatable-options.js'

/** The release and image of the SeaTable this host runs. */
export async function readSeaTableVersion(host: Transport, options: SeaTableOptions): Promise<{ image?: string; version?: string }> {
  // The container's own image; a stopped or renamed container leaves the image the compose .env names.
  const fromContainer = options.seatableContainer ? await containerImage(host, options.seatableContainer) : undefined
  const fromCompose = fromContainer || !options.composeDir ? undefined : parseImage((await envFileValue(host, posix.join(options.composeDir, '.env'), 'SEATABLE_IMAGE')) ?? '')
  const image = fromContainer ?? fromCompose
  const version = image ? versionFromImage(image) : undefined
  return { ...(image ? { image } : {}), ...(version ? { version } : {}) }
}

/**
 * SeaTable AI's directory (the input, else the compose project's), and for a backup the survey of what the
 * install keeps beyond it; S3 storage refuses a backup that would look complete unless seatable-s3: skip.
 */
export async function surveyInstall(host: Transport, options: SeaTableOptions, purpose: 'backup' | 'restore', logger: Logger): Promise<Pick<SeaTableOptions, 'aiDir' | 'survey'>> {
  // A restore needs only where the ai part goes; what a backup would not hold is a backup's question.
  if (purpose === 'restore') return { aiDir: options.aiDir || (await findAiDirectory(host, options.composeDir)) }
  // Read beside the survey, and kept: the backup records it (readVersion) without asking the host again.
  const running = readSeaTableVersion(host, options)
  const dbContainer = options.access.mode === 'docker' ? options.access.container : ''
  const survey = await surveySeaTable(
    host,
    { root: options.root, composeDir: options.composeDir, caddyDir: options.caddyDir, dbContainer },
    running.then(read => read.version),
    logger
  )
  survey.running = await running
  const aiDir = options.aiDir || survey.aiDir
  if (survey.s3 && options.s3Mode === 'refuse') {
    throw new PreflightError(
      [
        `SeaTable keeps files in S3, not on this disk: ${survey.s3.evidence.join('; ')}`,
        `a backup would hold the databases and the data directory, but not the files in the buckets${survey.s3.buckets.length > 0 ? ` (${survey.s3.buckets.join(', ')})` : ''}`
      ],
      "back the buckets up with your object storage's own tools (versioning, replication or a copy), then set seatable-s3: skip to back up the rest; the manifest and summary will say the buckets are not in it."
    )
  }
  const present = aiDir ? await existingOnHost(host, [aiDir], '-d', "Looking for SeaTable AI's directory") : []
  if (aiDir && present.length === 0) survey.notCovered.push(`SeaTable AI's directory ${aiDir} does not exist on the host, so there is no ai part (set seatable-ai-dir if it lives elsewhere)`)
  return { aiDir: present.length > 0 ? aiDir : '', survey }
}

/** What a backup of this install will not hold: the survey's findings, and the buckets when seatable-s3: skip. */
export function notCoveredBy(options: SeaTableOptions): string[] {
  const s3 = options.survey?.s3
  const buckets = s3
    ? `SeaTable keeps files in S3 (${s3.evidence.join('; ')}), and the buckets${s3.buckets.length > 0 ? ` ${s3.buckets.join(', ')}` : ''} are not in this backup (seatable-s3: skip): back them up with your object storage's own tools`
    : undefined
  return [...(options.survey?.notCovered ?? []), ...(buckets ? [buckets] : [])]
}

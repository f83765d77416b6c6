import type { BackupResult } from './backup.js'
import { formatBytes, formatSeconds } from '../kernel/log.js'
import { storedFilesOf, type Manifest } from '../kernel/manifest.js'
import { describeAppVersion } from '../kernel/app-version.js'
import { isRepositoryName } from '../kernel/repository-name.js'
import type { RestoreResult } from './restore.js'
import type { PruneResult } from './prune.js'
import type { BackupOutcome } from './backup-command.js'
import { safetyCopyPaths, type SafetyCopy } from './safety-copy.js'

/** Hex digits of a sha256 a summary shows: enough to compare by eye; the manifest keeps every sum in full. */
export const SHORT_CHECKSUM_LENGTH = 12
const shortChecksum = (sha256: string): string => `\`${sha256.slice(0, SHORT_CHECKSUM_LENGTH)}\``
const CHECKSUM_NOTE = `Checksums are shortened to their first ${SHORT_CHECKSUM_LENGTH} hex digits; the manifest holds them in full.`

/** The restore action's `uses:` when the running action's own cannot be told (a local action, the CLI). */
export const RESTORE_ACTION_PLACEHOLDER = 'your-org/selfhost-backup/restore@v1'

/** Where a backup summary's links and restore snippet point (the actions only; the CLI prints none). */
export interface SummaryContext {
  /** What the restore step of the snippet needs besides the backup id. */
  restore: {
    /** `uses:` of the restore action: this action's repository and ref, or RESTORE_ACTION_PLACEHOLDER. */
    action: string
    transport: 'ssh' | 'local'
    store: 'github' | 's3' | 'local'
    /** The manifest was signed with signing-key (not ssh-key): a restore needs that key too. */
    signingKey: boolean
  }
  /** The workflow run that holds the backup's artifacts (store: github): the snippet's run-id and the link to them. */
  run?: { id: string; url: string }
}

/** Only plain http(s) addresses reach a Markdown link: nothing that could end or extend it. */
const isLinkable = (url: string | undefined): url is string => url !== undefined && /^https?:\/\/[^\s()<>[\]`"'\\]+$/.test(url)

/**
 * The summary context from the runner's environment: GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF
 * name the running action (unset for a local `uses: ./`), GITHUB_SERVER_URL, GITHUB_REPOSITORY and
 * GITHUB_RUN_ID the run. Values that do not look like what they name are left out, as they go into the summary.
 */
export function actionSummaryContext(env: Readonly<Record<string, string | undefined>>, restore: Omit<SummaryContext['restore'], 'action'>): SummaryContext {
  const actionRepository = env.GITHUB_ACTION_REPOSITORY
  const actionRef = env.GITHUB_ACTION_REF ?? ''
  const action = isRepositoryName(actionRepository) && /^[A-Za-z0-9_./-]{1,255}$/.test(actionRef) ? `${actionRepository}/restore@${actionRef}` : RESTORE_ACTION_PLACEHOLDER
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  const runUrl = `${(server ?? '').replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`
  const run = restore.store === 'github' && isRepositoryName(repository) && /^\d+$/.test(runId ?? '') && isLinkable(runUrl) ? { id: runId as string, url: runUrl } : undefined
  return { restore: { ...restore, action }, run }
}

/** Markdown for the job summary; shared by the actions (GITHUB_STEP_SUMMARY, with `context`) and the CLI (stdout). */
export function backupSummary(result: BackupResult, context?: SummaryContext): string {
  const { manifest, saved } = result
  const urls = partUrls(result)
  const rows = manifest.parts.map(
    (part, index) =>
      `| ${part.name} | ${fileCell(part.file, part.chunks?.length, urls?.parts[index])} | ${formatBytes(part.bytes)} | ${formatSeconds(part.durationMs)} | ${shortChecksum(part.sha256)} |`
  )
  const seconds = (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000
  const restorable = manifest.verification?.ok !== false
  return [
    `## ${restorable ? '✅' : '❌'} Backup ${manifest.backupId}`,
    '',
    `Backup id: \`${manifest.backupId}\``,
    '',
    `${manifest.app} on ${manifest.host}: ${manifest.parts.length} parts, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s, stored in ${saved.where}${saved.expiresAt ? `; they expire ${saved.expiresAt}` : ''}.`,
    ...artifactLinks(context, urls?.manifest),
    '',
    `Application version: ${describeAppVersion(manifest.application)}.`,
    '',
    '| part | file | size | time | sha256 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    CHECKSUM_NOTE,
    ...verificationOf(result.manifest),
    ...warningsOf(result),
    ...leftOutOf(manifest),
    ...(restorable && context ? restoreSnippet(manifest, context) : []),
    ''
  ].join('\n')
}

/** Each part's artifact address (a part stored whole), and the manifest's; undefined when the store gives none. */
function partUrls(result: BackupResult): { parts: (string | undefined)[]; manifest?: string } | undefined {
  const { items } = result.saved
  const counts = result.manifest.parts.map(part => storedFilesOf(part).length)
  // The store lists the parts' files in the manifest's order, the manifest last; anything else gets no links.
  if (!items.some(item => item.url) || items.length !== counts.reduce((sum, count) => sum + count, 0) + 1) return undefined
  let next = 0
  const parts = counts.map(count => {
    const url = count === 1 ? items[next].url : undefined
    next += count
    return url
  })
  return { parts, manifest: items.at(-1)?.url }
}

function fileCell(file: string, chunks: number | undefined, url: string | undefined): string {
  if (chunks) return `${file} (${chunks} chunks)`
  return isLinkable(url) ? `[${file}](${url})` : file
}

function artifactLinks(context: SummaryContext | undefined, manifestUrl: string | undefined): string[] {
  const links = [...(context?.run ? [`[the artifacts of run ${context.run.id}](${context.run.url})`] : []), ...(isLinkable(manifestUrl) ? [`[the manifest](${manifestUrl})`] : [])]
  return links.length > 0 ? ['', `Download: ${links.join(' · ')}`] : []
}

/**
 * A restore step to paste into a workflow: what identifies this backup, and secrets only as `secrets.*`
 * references (never a value); the host, user and directories are the backup step's, so it says so.
 */
function restoreSnippet(manifest: Manifest, context: SummaryContext): string[] {
  const { restore, run } = context
  const secret = (input: string, name: string): string => `    ${input}: \${{ secrets.${name} }}`
  const lines = [
    `- uses: ${restore.action}`,
    '  with:',
    `    app: ${manifest.app}`,
    `    backup-id: ${manifest.backupId}`,
    ...(run ? [`    run-id: ${run.id}   # the run that stored it; the job needs permissions: actions: read`] : []),
    ...(restore.store === 'github' ? [] : [`    store: ${restore.store}`]),
    ...(restore.transport === 'local' ? ['    transport: local'] : [secret('ssh-key', 'BACKUP_SSH_KEY'), secret('known-hosts', 'BACKUP_KNOWN_HOSTS')]),
    ...(restore.signingKey || restore.transport === 'local' ? [secret('signing-key', 'BACKUP_SIGNING_KEY')] : []),
    ...(manifest.encryption ? [secret('age-identity', 'BACKUP_AGE_IDENTITY')] : []),
    '    dry-run: true   # verifies and prints the plan; false restores',
    `    # plus the backup step's ${restore.transport === 'ssh' ? 'host, user, ' : ''}sudo and directory inputs`,
    ...(restore.store === 's3' ? ['    # and its s3-* inputs'] : restore.store === 'local' ? ['    # and its store-path'] : [])
  ]
  return ['', '**Restore it**', '', '```yaml', ...lines, '```']
}

export function checkSummary(manifest: Manifest): string {
  return [
    `## ✅ Verified backup found`,
    '',
    `\`${manifest.backupId}\` (${manifest.app} on ${manifest.host}) finished ${manifest.finishedAt} and passed its restore drill.`,
    '',
    `Application version: ${describeAppVersion(manifest.application)}.`,
    ''
  ].join('\n')
}

export function restoreSummary(result: RestoreResult): string {
  const title = result.dryRun ? `## Restore plan for ${result.backupId} (dry-run: nothing changed)` : `## ✅ Restored ${result.backupId}`
  return [
    title,
    '',
    `Downloaded and verified in ${result.seconds.verify.toFixed(1)} s${result.dryRun ? '' : `; the host was restored in ${result.seconds.host.toFixed(1)} s`}.`,
    '',
    result.versions,
    '',
    '| part | size | sha256 (verified) |',
    '| --- | --- | --- |',
    ...result.manifest.parts.filter(part => result.parts.includes(part.name)).map(part => `| ${part.name} | ${formatBytes(part.bytes)} | ${shortChecksum(part.sha256)} |`),
    '',
    CHECKSUM_NOTE,
    '',
    ...result.plan.map(step => `- ${step}`),
    ...(result.report.length > 0 ? ['', '**Result**', ...result.report.map(line => `- ${line}`)] : []),
    ...safetyCopyLines(result.safetyCopy),
    ''
  ].join('\n')
}

export function failureSummary(action: 'Backup' | 'Restore', message: string): string {
  return [`## ❌ ${action} failed`, '', '```', message, '```', ''].join('\n')
}

function verificationOf(manifest: Manifest): string[] {
  const verification = manifest.verification
  if (!verification) return []
  const lines = ['', `**Verification (${verification.method})**: ${verification.ok ? 'passed' : 'FAILED'}`]
  for (const part of verification.parts ?? []) lines.push(`- ${part.ok ? '✅' : '❌'} ${part.name}: ${part.detail}`)
  for (const shrunk of verification.sizeCheck?.shrunk ?? []) lines.push(`- ⚠️ ${shrunk}`)
  return lines
}

function warningsOf(result: BackupResult): string[] {
  const warnings = result.manifest.parts.flatMap(part => part.warnings ?? [])
  return warnings.length > 0 ? ['', '**Warnings**', ...warnings.map(warning => `- ${warning}`)] : []
}

/**
 * What this backup does not hold: what the recipe left out on purpose (e.g. Tabby's pre-migration copies) and
 * what the install keeps beyond the recipe (other components, volumes, buckets), so nobody expects it there.
 */
function leftOutOf(manifest: Manifest): string[] {
  const lines = [
    ...manifest.parts.flatMap(part => ((part.details?.leftOut ?? []) as string[]).map(line => `- ${part.name}: ${line}`)),
    ...(manifest.notCovered ?? []).map(line => `- ⚠️ not covered: ${line}`)
  ]
  return lines.length > 0 ? ['', '**Not in this backup**', ...lines] : []
}

function safetyCopyLines(safetyCopy: SafetyCopy | undefined): string[] {
  const paths = safetyCopyPaths(safetyCopy)
  if (!safetyCopy || paths.length + safetyCopy.keptDatabases.length === 0) return []
  return [
    '',
    `Safety copy of the data from before the restore (\`${safetyCopy.stamp}\`):`,
    ...paths.map(path => `- \`${path}\``),
    ...safetyCopy.keptDatabases.map(database => `- database \`${database}\``)
  ]
}

/** The retention section of a job summary: what stays and why, what went, what the store refused. */
export function pruneSummary(pruned: PruneResult): string {
  const lines = [
    `## Retention${pruned.dryRun ? ' (dry-run: nothing was deleted)' : ''}`,
    '',
    `${pruned.kept.length} kept, ${pruned.deleted.length} ${pruned.dryRun ? 'would be deleted' : 'deleted'}${pruned.refused.length > 0 ? `, ${pruned.refused.length} refused by the store` : ''}.`,
    '',
    '| backup | kept because |',
    '| --- | --- |',
    ...pruned.kept.map(kept => `| ${kept.backupId} | ${kept.reasons.join(', ')} |`),
    ''
  ]
  if (pruned.deleted.length > 0) lines.push(`${pruned.dryRun ? 'Would delete' : 'Deleted'}: ${pruned.deleted.join(', ')}`, '')
  for (const refused of pruned.refused) lines.push(`- ${refused.backupId} stays: ${refused.reason}`)
  for (const skipped of pruned.leftAlone) lines.push(`- ${skipped.backupId} was left alone (not verifiable as ours): ${skipped.reason}`)
  return lines.join('\n')
}

/** The summary of whatever a backup command did: the gate's answer, a prune, or a backup with its retention and storage lines. */
export function backupOutcomeSummary(outcome: BackupOutcome, context?: SummaryContext): string {
  if (outcome.mode === 'check') return checkSummary(outcome.manifest)
  if (outcome.mode === 'prune') return pruneSummary(outcome.pruned)
  return backupSummary(outcome.result, context) + (outcome.pruned ? `\n${pruneSummary(outcome.pruned)}` : '') + (outcome.storage ? `\n**Storage:** ${outcome.storage}\n` : '')
}

import type { BackupResult } from './backup.js'
import { formatBytes, formatSeconds } from '../kernel/log.js'
import type { Manifest } from '../kernel/manifest.js'
import { describeAppVersion } from '../kernel/app-version.js'
import type { RestoreResult } from './restore.js'
import type { PruneResult } from './prune.js'
import type { BackupOutcome } from './backup-command.js'
import { safetyCopyPaths, type SafetyCopy } from './safety-copy.js'

/** Markdown for the job summary; shared by the actions (GITHUB_STEP_SUMMARY) and the CLI (stdout). */
export function backupSummary(result: BackupResult): string {
  const { manifest } = result
  const rows = manifest.parts.map(part => `| ${part.name} | ${part.file} | ${formatBytes(part.bytes)} | ${formatSeconds(part.durationMs)} | \`${part.sha256}\` |`)
  const seconds = (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000
  return [
    `## ${manifest.verification?.ok === false ? '❌' : '✅'} Backup ${manifest.backupId}`,
    '',
    `${manifest.app} on ${manifest.host}: ${manifest.parts.length} parts, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s, stored in ${result.saved.where}.`,
    '',
    `Application version: ${describeAppVersion(manifest.application)}.`,
    '',
    '| part | file | size | time | sha256 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...verificationOf(result.manifest),
    ...warningsOf(result),
    ...leftOutOf(manifest),
    ''
  ].join('\n')
}

export function checkSummary(manifest: Manifest): string {
  return [
    `## ✅ Verified backup found`,
    '',
    `${manifest.backupId} (${manifest.app} on ${manifest.host}) finished ${manifest.finishedAt} and passed its restore drill.`,
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
    ...result.manifest.parts.map(part => `| ${part.name} | ${formatBytes(part.bytes)} | \`${part.sha256}\` |`),
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
  if (!safetyCopy || paths.length === 0) return []
  return ['', `Safety copy of the data from before the restore (\`${safetyCopy.stamp}\`):`, ...paths.map(path => `- \`${path}\``)]
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
export function backupOutcomeSummary(outcome: BackupOutcome): string {
  if (outcome.mode === 'check') return checkSummary(outcome.manifest)
  if (outcome.mode === 'prune') return pruneSummary(outcome.pruned)
  return backupSummary(outcome.result) + (outcome.pruned ? `\n${pruneSummary(outcome.pruned)}` : '') + (outcome.storage ? `\n**Storage:** ${outcome.storage}\n` : '')
}

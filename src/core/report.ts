import type { BackupResult } from './backup.js'
import { formatBytes } from './log.js'
import type { RestoreResult } from './restore.js'

/** Markdown for the job summary; shared by the actions (GITHUB_STEP_SUMMARY) and the CLI (stdout). */
export function backupSummary(result: BackupResult): string {
  const { manifest } = result
  const rows = manifest.parts.map(part => `| ${part.name} | ${part.file} | ${formatBytes(part.bytes)} | ${(part.durationMs / 1000).toFixed(1)} s | \`${part.sha256}\` |`)
  const seconds = (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000
  return [
    `## ✅ Backup ${manifest.backupId}`,
    '',
    `${manifest.app} on ${manifest.host}: ${manifest.parts.length} parts, ${formatBytes(result.bytes)} in ${seconds.toFixed(1)} s, stored in ${result.saved.where}.`,
    '',
    '| part | file | size | time | sha256 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...warningsOf(result),
    ''
  ].join('\n')
}

export function restoreSummary(result: RestoreResult): string {
  const title = result.dryRun ? `## Restore plan for ${result.backupId} (dry-run: nothing changed)` : `## ✅ Restored ${result.backupId}`
  return [
    title,
    '',
    '| part | size | sha256 (verified) |',
    '| --- | --- | --- |',
    ...result.manifest.parts.map(part => `| ${part.name} | ${formatBytes(part.bytes)} | \`${part.sha256}\` |`),
    '',
    ...result.plan.map(step => `- ${step}`),
    ...(result.report.length > 0 ? ['', '**Result**', ...result.report.map(line => `- ${line}`)] : []),
    ...(result.safetyCopy ? ['', `Safety copy of the data from before the restore: \`${result.safetyCopy.dir}\``] : []),
    ''
  ].join('\n')
}

export function failureSummary(action: 'Backup' | 'Restore', message: string): string {
  return [`## ❌ ${action} failed`, '', '```', message, '```', ''].join('\n')
}

function warningsOf(result: BackupResult): string[] {
  const warnings = result.manifest.parts.flatMap(part => part.warnings ?? [])
  return warnings.length > 0 ? ['', '**Warnings**', ...warnings.map(warning => `- ${warning}`)] : []
}

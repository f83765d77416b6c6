/**
 * The fault suite's closing table (issue 6): every fault, bad input and secret scan appends one
 * JSON line to a report file, and global-teardown prints the totals after the last test file.
 * A file rather than module state because jest gives each test file its own module registry
 * (and, without --runInBand, its own worker process); appends of one short line are atomic.
 *
 * No relative imports on purpose: global-teardown loads this file without the test module
 * mapper, where a `./x.js` import of a TypeScript sibling does not resolve.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type CaseKind = 'fault' | 'bad-input' | 'secret-scan' | 'forged'

export interface CaseRecord {
  /** Test file (or describe block) the case belongs to. */
  suite: string
  case: string
  kind: CaseKind
  /** passed: the case held (fault survived, error was clear, scan found nothing). */
  outcome: 'passed' | 'failed'
  /** Faults only: the host's data and the store were checked and nothing was lost. */
  nothingLost?: boolean
  /** Secret scans only: where each leak was found, described by label, never by value. */
  leaks?: string[]
}

export interface ClosingTotals {
  faults: number
  faultsSurvived: number
  badInputs: number
  clearErrors: number
  secretScans: number
  leaksFound: number
  /** Backups, manifests and data forged from genuine ones (issue 10), and how many were refused or confined. */
  forged: number
  forgedRefused: number
}

/** global-setup points this at a per-run file, so two jest runs on one machine do not mix their figures. */
export function faultReportPath(): string {
  return process.env.SELFHOST_FAULT_REPORT ?? join(tmpdir(), 'selfhost-backup-fault-report.jsonl')
}

export function recordCase(record: CaseRecord, reportPath = faultReportPath()): void {
  appendFileSync(reportPath, `${JSON.stringify(record)}\n`)
}

export function readCases(reportPath = faultReportPath()): CaseRecord[] {
  if (!existsSync(reportPath)) return []
  return readFileSync(reportPath, 'utf8')
    .split('\n')
    .filter(line => line.trim() !== '')
    .map(line => JSON.parse(line) as CaseRecord)
}

export function closingTotals(cases: CaseRecord[]): ClosingTotals {
  const of = (kind: CaseKind) => cases.filter(record => record.kind === kind)
  return {
    faults: of('fault').length,
    faultsSurvived: of('fault').filter(record => record.outcome === 'passed' && record.nothingLost === true).length,
    badInputs: of('bad-input').length,
    clearErrors: of('bad-input').filter(record => record.outcome === 'passed').length,
    secretScans: of('secret-scan').length,
    leaksFound: of('secret-scan').reduce((sum, record) => sum + (record.leaks?.length ?? 0), 0),
    forged: of('forged').length,
    forgedRefused: of('forged').filter(record => record.outcome === 'passed').length
  }
}

/** Plain text with fixed columns, so the README's reliability section can quote CI's output as is. */
export function formatClosingTable(totals: ClosingTotals): string {
  const rows: [string, number, string, number][] = [
    ['faults injected', totals.faults, 'survived with nothing lost', totals.faultsSurvived],
    ['bad inputs tried', totals.badInputs, 'clear errors', totals.clearErrors],
    ['secret scans', totals.secretScans, 'leaks found (must be 0)', totals.leaksFound],
    ['forged backups tried', totals.forged, 'refused or confined', totals.forgedRefused]
  ]
  const width = (column: 0 | 2) => Math.max(...rows.map(row => row[column].length))
  const lines = rows.map(([what, count, held, heldCount]) => `  ${what.padEnd(width(0))} ${String(count).padStart(5)}   ${held.padEnd(width(2))} ${String(heldCount).padStart(5)}`)
  return ['Fault, bad-input, secret and forgery checks:', ...lines].join('\n')
}

/** Prints the table and the leaks by name; returns the totals so the caller can fail the run on a leak. */
export function printClosingTable(reportPath = faultReportPath()): ClosingTotals {
  const cases = readCases(reportPath)
  const totals = closingTotals(cases)
  const leakLines = cases.flatMap(record => (record.leaks ?? []).map(leak => `  ${record.suite} › ${record.case}: ${leak}`))
  console.log([formatClosingTable(totals), ...(leakLines.length > 0 ? ['Secret leaks:', ...leakLines] : [])].join('\n'))
  return totals
}

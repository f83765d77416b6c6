/**
 * Which backups a retention policy keeps: the rules of restic's `forget`. Each rule walks the backups
 * newest first and keeps the newest backup of each of its N most recent periods (days, ISO weeks, months,
 * years) that hold a backup; keep-last keeps the N newest. A backup is kept when any rule keeps it.
 * Periods are UTC, so a policy means the same on every runner.
 */
export interface RetentionPolicy {
  last: number
  daily: number
  weekly: number
  monthly: number
  yearly: number
}

export const RETENTION_RULES = ['last', 'daily', 'weekly', 'monthly', 'yearly'] as const
export type RetentionRule = (typeof RETENTION_RULES)[number]

export interface RetentionCandidate {
  backupId: string
  /** When the backup was taken, from its signed manifest. */
  takenAt: Date
}

export interface RetentionVerdict {
  /** The kept backups, newest first, each with the rules that keep it (e.g. "daily 2026-12-05"). */
  kept: { backupId: string; reasons: string[] }[]
  /** The rest, newest first. */
  forgotten: string[]
}

/** True when the policy keeps anything at all: an all-zero policy is "no retention", never "delete everything". */
export function hasRetention(policy: RetentionPolicy): boolean {
  return RETENTION_RULES.some(rule => policy[rule] > 0)
}

const pad = (value: number): string => String(value).padStart(2, '0')

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
  const weekday = day.getUTCDay() || 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday)
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${day.getUTCFullYear()}-W${pad(week)}`
}

const PERIOD: Record<Exclude<RetentionRule, 'last'>, (date: Date) => string> = {
  daily: date => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
  weekly: isoWeek,
  monthly: date => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}`,
  yearly: date => String(date.getUTCFullYear())
}

/** Applies `policy` to `candidates` (any order; sorted newest first here, ties by id). */
export function decideRetention(candidates: RetentionCandidate[], policy: RetentionPolicy): RetentionVerdict {
  const newestFirst = [...candidates].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.backupId < b.backupId ? 1 : -1))
  const reasons = new Map<string, string[]>()
  const keep = (backupId: string, reason: string): void => {
    reasons.set(backupId, [...(reasons.get(backupId) ?? []), reason])
  }
  newestFirst.slice(0, policy.last).forEach((candidate, index) => keep(candidate.backupId, `last ${index + 1}`))
  for (const rule of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
    let left = policy[rule]
    let previous: string | undefined
    for (const candidate of newestFirst) {
      if (left <= 0) break
      const period = PERIOD[rule](candidate.takenAt)
      if (period === previous) continue
      previous = period
      left--
      keep(candidate.backupId, `${rule} ${period}`)
    }
  }
  return {
    kept: newestFirst.filter(candidate => reasons.has(candidate.backupId)).map(candidate => ({ backupId: candidate.backupId, reasons: reasons.get(candidate.backupId)! })),
    forgotten: newestFirst.filter(candidate => !reasons.has(candidate.backupId)).map(candidate => candidate.backupId)
  }
}

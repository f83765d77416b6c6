import { decideRetention, hasRetention, type RetentionPolicy } from '../../../src/pipeline/retention.js'
import { LAST_NIGHT, NIGHTLY_POLICY, NIGHTLY_POLICY_KEEPS } from '../../support/retention-nights.js'

const policy = (rules: Partial<RetentionPolicy>): RetentionPolicy => ({ last: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, ...rules })
const at = (iso: string): { backupId: string; takenAt: Date } => ({ backupId: iso, takenAt: new Date(iso) })

/** 400 nightly backups at 02:00 UTC, the last on Saturday 2026-12-05. */
function nightly(count: number, last = LAST_NIGHT): { backupId: string; takenAt: Date }[] {
  return Array.from({ length: count }, (_, index) => at(new Date(Date.parse(last) - index * 86_400_000).toISOString()))
}

const day = (date: string): string => `${date}T02:00:00.000Z`

describe('decideRetention (the rules of restic forget)', () => {
  test('400 nightly backups, keep-daily 7 keep-weekly 4 keep-monthly 12: exactly these 19 stay', () => {
    const verdict = decideRetention(nightly(400), NIGHTLY_POLICY)
    expect(verdict.kept.map(kept => kept.backupId)).toEqual(NIGHTLY_POLICY_KEEPS.map(day))
    expect(verdict.forgotten).toHaveLength(400 - 19)
    expect(verdict.kept.find(kept => kept.backupId === day('2026-12-05'))?.reasons).toEqual(['daily 2026-12-05', 'weekly 2026-W49', 'monthly 2026-12'])
    expect(verdict.kept.find(kept => kept.backupId === day('2026-11-30'))?.reasons).toEqual(['daily 2026-11-30', 'monthly 2026-11'])
  })

  test('several backups a day: only the newest of each day counts for keep-daily; keep-last counts backups', () => {
    const backups = ['2026-12-05T23:00:00Z', '2026-12-05T12:00:00Z', '2026-12-05T01:00:00Z', '2026-12-04T22:00:00Z', '2026-12-03T03:00:00Z'].map(at)
    expect(decideRetention(backups, policy({ daily: 2 })).kept.map(kept => kept.backupId)).toEqual(['2026-12-05T23:00:00Z', '2026-12-04T22:00:00Z'])
    expect(decideRetention(backups, policy({ last: 2 })).kept.map(kept => kept.backupId)).toEqual(['2026-12-05T23:00:00Z', '2026-12-05T12:00:00Z'])
  })

  test('periods without a backup are skipped, not counted (a paused server keeps its older backups)', () => {
    const backups = ['2026-12-05', '2026-09-10', '2026-09-01', '2025-03-02'].map(date => at(`${date}T02:00:00Z`))
    expect(decideRetention(backups, policy({ monthly: 3 })).kept.map(kept => kept.backupId.slice(0, 10))).toEqual(['2026-12-05', '2026-09-10', '2025-03-02'])
    expect(decideRetention(backups, policy({ yearly: 1 })).kept.map(kept => kept.backupId.slice(0, 10))).toEqual(['2026-12-05'])
  })

  test('ISO weeks cross the year: 2026-01-01 (Thursday) is in 2026-W01, 2027-01-01 (Friday) in 2026-W53', () => {
    const verdict = decideRetention(
      ['2027-01-01', '2026-12-28', '2026-01-01', '2025-12-29'].map(date => at(`${date}T02:00:00Z`)),
      policy({ weekly: 10 })
    )
    expect(verdict.kept.map(kept => kept.reasons[0])).toEqual(['weekly 2026-W53', 'weekly 2026-W01'])
    expect(verdict.forgotten.map(id => id.slice(0, 10))).toEqual(['2026-12-28', '2025-12-29'])
  })

  test('an all-zero policy is no retention at all', () => {
    expect(hasRetention(policy({}))).toBe(false)
    expect(hasRetention(policy({ yearly: 1 }))).toBe(true)
  })
})

/**
 * 400 nightly backups at 02:00 UTC, the last on Saturday 2026-12-05, under keep-daily 7 keep-weekly 4
 * keep-monthly 12: the days that stay, derived by hand (the unit test checks the rules against it, the
 * store tests check each store deletes exactly the rest).
 */
export const LAST_NIGHT = '2026-12-05T02:00:00Z'
export const NIGHTLY_POLICY = { last: 0, daily: 7, weekly: 4, monthly: 12, yearly: 0 }
export const NIGHTLY_POLICY_KEEPS = [
  // daily: the seven newest days
  '2026-12-05',
  '2026-12-04',
  '2026-12-03',
  '2026-12-02',
  '2026-12-01',
  '2026-11-30',
  '2026-11-29',
  // weekly: the newest of each of the four newest ISO weeks: 12-05 and 11-29 (already kept), then the Sundays 11-22 and 11-15
  '2026-11-22',
  '2026-11-15',
  // monthly: the last day of each earlier month, back to January
  '2026-10-31',
  '2026-09-30',
  '2026-08-31',
  '2026-07-31',
  '2026-06-30',
  '2026-05-31',
  '2026-04-30',
  '2026-03-31',
  '2026-02-28',
  '2026-01-31'
]

/** Strings that break naive quoting; every string input is tried with them. */
export const HOSTILE_VALUES: readonly string[] = [
  "it's",
  'say "hi"',
  '$(touch /tmp/selfhost-backup-pwned)',
  '`touch /tmp/selfhost-backup-pwned`',
  'a; touch /tmp/selfhost-backup-pwned',
  'line one\nline two',
  '$HOME ${PATH} $((1+1))',
  '* ? [a-z] ~root',
  '-rf --no-preserve-root',
  "'; rm -rf / #",
  'tab\tand\\backslash',
  'ünïcødé 日本語 🚀',
  ' leading and trailing ',
  ''
]

/**
 * Every input of both actions with its default, mirrored from action.yml and restore/action.yml (a
 * test keeps them equal). The CLI reads its flag defaults and --help from here.
 */
export type ActionName = 'backup' | 'restore'

export interface InputDefinition {
  name: string
  description: string
  default: string
  actions: readonly ActionName[]
  secret?: boolean
  /** Default only in the CLI, where there is no GitHub. */
  cliDefault?: string
}

const BOTH = ['backup', 'restore'] as const

export const INPUTS: readonly InputDefinition[] = [
  { name: 'app', description: 'Application: auto (detect on the host), tabby.', default: 'auto', actions: BOTH },
  { name: 'transport', description: 'How to reach the host: ssh, or local (the runner itself, for self-hosted runners).', default: 'ssh', actions: BOTH, cliDefault: 'local' },
  { name: 'host', description: 'Host name or IP address of the server (ssh).', default: '', actions: BOTH },
  { name: 'port', description: 'SSH port.', default: '22', actions: BOTH },
  { name: 'user', description: 'SSH login user.', default: '', actions: BOTH },
  { name: 'ssh-key', description: 'Private key (the file content) that logs in as user; store it as a secret.', default: '', actions: BOTH, secret: true },
  { name: 'known-hosts', description: 'known_hosts lines for the host (and jump host), e.g. from ssh-keyscan checked against the server.', default: '', actions: BOTH },
  { name: 'insecure-skip-host-key-check', description: 'true skips host key verification (prints a warning). Use known-hosts instead.', default: 'false', actions: BOTH },
  { name: 'jump-host', description: 'Optional bastion as [user@]host[:port]; uses the same key and known-hosts.', default: '', actions: BOTH },
  { name: 'sudo', description: 'true runs the host-side commands through sudo -n (for root-owned data).', default: 'false', actions: BOTH },
  { name: 'tabby-root', description: 'Tabby data directory; empty: $TABBY_ROOT on the host, else ~/.tabby.', default: '', actions: BOTH },
  { name: 'exclude', description: 'Paths under the app root left out of the home part (space, comma or newline separated); empty: models index repositories.', default: '', actions: ['backup'] },
  { name: 'compression', description: 'Compression on the host: auto (zstd if installed, else gzip), zstd, gzip, none.', default: 'auto', actions: ['backup'] },
  { name: 'store', description: 'Where backups live: github (workflow artifacts) or local (a directory on the runner).', default: 'github', actions: BOTH, cliDefault: 'local' },
  { name: 'store-path', description: 'Directory of the local store.', default: '', actions: BOTH, cliDefault: '~/selfhost-backups' },
  { name: 'retention-days', description: 'Days GitHub keeps the artifacts (1-400); empty: the repository setting.', default: '', actions: ['backup'] },
  { name: 'backup-id', description: 'Backup to restore; empty: the newest complete backup of this app and host.', default: '', actions: ['restore'] },
  { name: 'run-id', description: 'Workflow run that made the backup, when it was another run.', default: '', actions: ['restore'] },
  { name: 'github-token', description: 'Token with actions: read, to find and download artifacts of other runs.', default: '${{ github.token }}', actions: ['restore'], secret: true, cliDefault: '' },
  { name: 'dry-run', description: 'true prints the plan after verifying the backup, and changes nothing.', default: 'false', actions: ['restore'] },
  { name: 'stop-command', description: 'Shell command run on the host before the restore, e.g. docker compose stop tabby.', default: '', actions: ['restore'] },
  { name: 'start-command', description: 'Shell command run on the host after a successful restore.', default: '', actions: ['restore'] },
  { name: 'safety-copy', description: 'Keep a copy of the current data on the host before overwriting it.', default: 'true', actions: ['restore'] },
  { name: 'safety-copy-dir', description: 'Where on the host the safety copy goes; empty: selfhost-backup-safety beside the app data directory.', default: '', actions: ['restore'] }
]

export function inputsOf(action: ActionName): InputDefinition[] {
  return INPUTS.filter(input => input.actions.includes(action))
}

export const OUTPUTS: Readonly<Record<ActionName, readonly { name: string; description: string }[]>> = {
  backup: [
    { name: 'backup-id', description: 'Id of the stored backup.' },
    { name: 'manifest', description: 'Path of the manifest file on the runner.' },
    { name: 'artifacts', description: 'JSON list of the stored files: [{"name", "id"}].' },
    { name: 'bytes', description: 'Total size of the stored parts in bytes.' }
  ],
  restore: [
    { name: 'backup-id', description: 'Id of the backup that was restored (or planned, with dry-run).' },
    { name: 'safety-copy', description: 'Path on the host of the safety copy; empty when none was taken.' },
    { name: 'restored', description: 'true when the host was changed; false for dry-run.' }
  ]
}

/**
 * The runner passes inputs (secrets included) as INPUT_* variables, and the CLI takes secrets as
 * SELFHOST_BACKUP_* variables; no child process needs them, nor the runtime's tokens.
 */
export function childEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(source).filter(
      ([name]) => !name.startsWith('INPUT_') && !name.startsWith('SELFHOST_BACKUP_') && !['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'GITHUB_TOKEN'].includes(name)
    )
  )
}

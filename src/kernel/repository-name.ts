/** A GitHub repository as `owner/name`: the one shape accepted from an input, the environment or a summary's context. */
export function isRepositoryName(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value)
}

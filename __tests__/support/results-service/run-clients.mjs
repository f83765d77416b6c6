// Runs the real @actions/artifact and @actions/cache clients the way an action
// step would: in its own Node process, configured only by environment variables.
// argv[2] is a JSON list of operations; the results are printed as one JSON line
// after a marker, because the clients themselves write log lines to stdout.
import { DefaultArtifactClient } from '@actions/artifact'
import * as cache from '@actions/cache'

// Must match client-process.ts.
const resultMarker = '@@results-service-client-result@@'

const artifactClient = new DefaultArtifactClient()

/** Errors become data so one failing operation does not hide the others' results. */
async function settle(run) {
  try {
    return { ok: true, value: await run() }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

const operations = {
  upload: ({ name, files, rootDirectory, skipArchive, retentionDays }) => artifactClient.uploadArtifact(name, files, rootDirectory, { skipArchive, retentionDays }),
  list: ({ latest, findBy }) => artifactClient.listArtifacts({ latest, findBy }),
  get: ({ name, findBy }) => artifactClient.getArtifact(name, { findBy }),
  download: ({ artifactId, path, findBy, expectedHash, skipDecompress }) => artifactClient.downloadArtifact(artifactId, { path, findBy, expectedHash, skipDecompress }),
  delete: ({ name, findBy }) => artifactClient.deleteArtifact(name, { findBy }),
  cacheSave: ({ paths, key }) => cache.saveCache(paths, key),
  cacheRestore: ({ paths, primaryKey, restoreKeys, lookupOnly }) => cache.restoreCache(paths, primaryKey, restoreKeys, { lookupOnly })
}

const requested = JSON.parse(process.argv[2] ?? '[]')
const results = []
for (const { op, ...args } of requested) {
  const operation = operations[op]
  results.push(operation ? await settle(() => operation(args)) : { ok: false, error: `unknown operation ${op}` })
}
// Dates in the results become ISO strings.
process.stdout.write(`\n${resultMarker}${JSON.stringify(results)}\n`)

import { readFile, rename, writeFile } from 'node:fs/promises'
import { VerificationError } from './errors.js'
import type { Manifest } from './manifest.js'
import { verifySignature, type ManifestSigner, type ManifestTrust } from './manifest-signature.js'
import { manifestProblems } from './manifest-validation.js'

/** The exact text a signature covers: the manifest without its signature, as JSON.stringify writes it. */
function canonicalText(manifest: Omit<Manifest, 'signature'>): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/** The manifest as stored: its canonical text signed, the signature added as the last field. */
export async function signedManifestText(manifest: Manifest, signer: ManifestSigner): Promise<string> {
  const { signature: _unsigned, ...content } = manifest
  const signature = await signer.sign(canonicalText(content))
  return `${JSON.stringify({ ...content, signature }, null, 2)}\n`
}

/** Written to a temp name and renamed, so a half-written manifest never exists under its real name. */
export async function writeManifest(path: string, manifest: Manifest, signer: ManifestSigner): Promise<Manifest> {
  const text = await signedManifestText(manifest, signer)
  // 0600 like the parts: it names the host, paths and tables, which are nobody else's business on the runner.
  await writeFile(`${path}.partial`, text, { mode: 0o600 })
  await rename(`${path}.partial`, path)
  return JSON.parse(text) as Manifest
}

/**
 * Reads a stored manifest and trusts nothing in it until its signature verified against `trust`
 * (house rule 11); only then is its shape checked and its content used.
 */
export async function readManifest(path: string, expectedBackupId: string, trust: ManifestTrust): Promise<Manifest> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new VerificationError(`The manifest of ${expectedBackupId} is not valid JSON.`, 'the stored backup is damaged; pick another backup-id.', { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VerificationError(`The manifest of ${expectedBackupId} is not a JSON object.`, 'the stored backup is damaged; pick another backup-id.')
  }
  const { signature, ...content } = parsed as Manifest
  await verifySignature(canonicalText(content), signature, trust, `The manifest of ${expectedBackupId}`)
  // The signature was checked above (its armored block spans lines); the shape check covers the content.
  return { ...validateManifest(content, expectedBackupId), signature }
}

/** The shape of a (verified) manifest: every field a restore acts on, whole (house rule 11). */
export function validateManifest(value: unknown, expectedBackupId?: string): Manifest {
  const problems = manifestProblems(value, expectedBackupId)
  if (problems.length > 0) {
    const shown = problems.slice(0, 10)
    throw new VerificationError(
      `The manifest is not valid: ${shown.join('; ')}${problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : ''}.`,
      'the stored backup is damaged or was edited; pick another backup-id.'
    )
  }
  return value as Manifest
}

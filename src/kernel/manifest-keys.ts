import { createSigner, type ManifestSigner, type ManifestTrust } from './manifest-signature.js'

export interface SigningSettings {
  /** The private key that signs, and whose public key verifies; '' when the run only verifies with trusted-signers. */
  privateKey: string
  /** Which input it came from, for errors. */
  privateKeyInput: 'signing-key' | 'ssh-key' | ''
  trustedSigners: string[]
}

export interface ManifestKeys {
  signer?: ManifestSigner
  trust: ManifestTrust
}

/** Derives the public key from the private one (checking it), and the set of keys whose signatures count. */
export async function loadManifestKeys(settings: SigningSettings): Promise<ManifestKeys> {
  const signer = settings.privateKey ? await createSigner(settings.privateKey, settings.privateKeyInput || 'signing-key') : undefined
  const publicKeys = [...new Set([...(signer ? [signer.publicKey] : []), ...settings.trustedSigners])]
  return { signer, trust: { publicKeys } }
}

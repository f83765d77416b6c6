import { InputReader } from '../core/input-reader.js'
import { readRecipeInputs } from '../core/recipe-inputs.js'
import type { RawInputs } from '../recipes/recipe.js'
import { APP_CHOICES, recipeById } from '../recipes/registry.js'
import { parseStoreInputs, type StoreSettings } from '../store/settings.js'
import { parseTransportInputs, type TransportSettings } from '../transport/settings.js'

export interface BackupInputs {
  app: string
  transport: TransportSettings
  store: StoreSettings
  recipeInputs: RawInputs
}

/** All backup inputs, validated before any connection is made. */
export function parseBackupInputs(get: (name: string) => string): BackupInputs {
  const reader = new InputReader(get)
  const app = reader.choice('app', APP_CHOICES)
  const transport = parseTransportInputs(reader)
  const store = parseStoreInputs(reader, 'backup')
  const recipeInputs = readRecipeInputs(reader)
  if (app !== 'auto') recipeById(app).parseOptions(recipeInputs)
  return { app, transport, store, recipeInputs }
}

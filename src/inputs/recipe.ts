import type { InputReader } from '../kernel/input-reader.js'
import type { RawInputs } from '../recipes/recipe.js'
import { RECIPES } from '../recipes/registry.js'

/** The raw values of every recipe's inputs; each recipe parses (and validates) its own. */
export function readRecipeInputs(reader: InputReader): RawInputs {
  const names = new Set(RECIPES.flatMap(recipe => recipe.inputs))
  return Object.fromEntries([...names].map(name => [name, reader.string(name, { multiline: true })]))
}

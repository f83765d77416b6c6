import { InputError } from '../kernel/errors.js'
import type { Transport } from '../transport/transport.js'
import type { AnyRecipe, RawInputs } from './recipe.js'
import { seatableRecipe } from './seatable.js'
import { tabbyRecipe } from './tabby.js'

/** Every supported application, in the order `app: auto` tries them. */
export const RECIPES: readonly AnyRecipe[] = [tabbyRecipe, seatableRecipe]

export const APP_CHOICES = ['auto', ...RECIPES.map(recipe => recipe.id)]

export function recipeById(id: string, input = 'app'): AnyRecipe {
  const recipe = RECIPES.find(candidate => candidate.id === id)
  if (!recipe) {
    throw new InputError(input, `"${id}" is not a supported application.`, `use one of: ${APP_CHOICES.join(', ')}.`)
  }
  return recipe
}

/** `app: auto`: exactly one recipe must recognise the host. */
export async function detectRecipe(host: Transport, inputs: RawInputs): Promise<{ recipe: AnyRecipe; evidence: string }> {
  const found: { recipe: AnyRecipe; evidence: string }[] = []
  for (const recipe of RECIPES) {
    const evidence = await recipe.detect(host, recipe.parseOptions(inputs))
    if (evidence) found.push({ recipe, evidence })
  }
  if (found.length === 1) return found[0]
  if (found.length === 0) {
    throw new InputError('app', `no supported application was found on ${host.label}.`, `set \`app\` to one of ${RECIPES.map(recipe => recipe.id).join(', ')} and its root input (e.g. tabby-root).`)
  }
  throw new InputError('app', `several applications were found on ${host.label}: ${found.map(item => `${item.recipe.id} (${item.evidence})`).join('; ')}.`, 'set `app` to the one to back up.')
}

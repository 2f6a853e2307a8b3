/**
 * Recipes: published settings for a method on a dataset, named so a config
 * can start from them (`"recipe": "mocov2-cifar-hpt"`). The file's own
 * fields override the recipe's, which override the schema defaults.
 */
export const RECIPES = {
  /** Reed et al. 2022 (HPT), table 2.4: MoCo v2 on CIFAR-10. */
  "mocov2-cifar-hpt": {
    method: "moco",
    imageSize: 32,
    model: { backbone: "resnet18" },
    moco: { temperature: 0.2, momentum: 0.999, queueSize: 65536 },
    augment: { preset: "mocov2" },
    train: { batchSize: 512, optimizer: "sgd", lr: 0.4, momentum: 0.9 },
  },
} as const;

export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` on top of `base`, objects merged field by field, anything else replaced. */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(base[k]) ? merge(base[k] as Json, v) : v;
  return out;
}

/** The raw config with its recipe's fields filled in under the file's own; unchanged without a (known) recipe. */
export function applyRecipe(raw: Json): Json {
  const recipe = RECIPES[raw.recipe as RecipeName];
  return recipe ? merge(structuredClone(recipe) as unknown as Json, raw) : raw;
}

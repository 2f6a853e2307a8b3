/**
 * Datasets shipped with SSL Studio, under examples/data/<name>/ in the
 * package. The package root is found by walking up from this file's folder to
 * the package.json named "ssl-studio", which works from the TypeScript
 * sources (src/core/data/) and from the bundles (dist/).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LoadedData } from "./dataset";
import { loadIdxImages } from "./idx";

export const PACKAGE_NAME = "ssl-studio";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

export const EMBEDDED_DATASETS = {
  "fashion-mnist-5k": { classNames: FASHION_MNIST_CLASSES },
} as const;
export type EmbeddedName = keyof typeof EMBEDDED_DATASETS;

/** The folder of the package.json named "ssl-studio" at or above `from`. */
export function findPackageRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, "package.json");
    try {
      if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === PACKAGE_NAME) return dir;
    } catch {
      // no package.json here, or not JSON: keep walking
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
    dir = parent;
  }
}

export function embeddedDatasetDir(name: EmbeddedName, root: string = findPackageRoot()): string {
  return path.join(root, "examples", "data", name);
}

/** Load an embedded dataset: train and labelled test split, 28x28 grayscale for fashion-mnist-5k. */
export async function loadEmbedded(name: EmbeddedName, root?: string): Promise<LoadedData> {
  const info = EMBEDDED_DATASETS[name];
  if (!info) throw new Error(`unknown embedded dataset "${name}" (known: ${Object.keys(EMBEDDED_DATASETS).join(", ")})`);
  const dir = embeddedDatasetDir(name, root);
  const f = (n: string) => path.join(dir, n);
  const classNames = [...info.classNames];
  const train = await loadIdxImages(f("train-images-idx3-ubyte.gz"), f("train-labels-idx1-ubyte.gz"), classNames);
  const test = await loadIdxImages(f("t10k-images-idx3-ubyte.gz"), f("t10k-labels-idx1-ubyte.gz"), classNames);
  train.source = `embedded:${name} (train)`;
  test.source = `embedded:${name} (test)`;
  return { train, test, skipped: [] };
}

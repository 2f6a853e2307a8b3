/**
 * Makes the embedded default dataset "fashion-mnist-5k" from Debian's
 * dataset-fashion-mnist package: the first 500 training and first 100 test
 * images of each class, in file order, written as gzipped IDX files to
 * examples/data/fashion-mnist-5k/. Deterministic: the same input gives the
 * same bytes.
 *
 *   npx tsx scripts/makeEmbeddedDataset.ts [sourceDir]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { encodeIdx, readIdxFile } from "../src/core/data/idx";

const SOURCE = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const OUT = path.join(__dirname, "..", "examples", "data", "fashion-mnist-5k");
const CLASSES = 10;

async function subset(prefix: "train" | "t10k", perClass: number): Promise<void> {
  const images = await readIdxFile(path.join(SOURCE, `${prefix}-images-idx3-ubyte.gz`));
  const labels = await readIdxFile(path.join(SOURCE, `${prefix}-labels-idx1-ubyte.gz`));
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) throw new Error(`${prefix}: ${labels.shape[0]} labels for ${n} images`);
  const per = h * w;
  const taken = new Array<number>(CLASSES).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < n && picked.length < CLASSES * perClass; i++) {
    const l = labels.data[i]!;
    if (taken[l]! < perClass) {
      taken[l]!++;
      picked.push(i);
    }
  }
  if (taken.some((t) => t < perClass)) throw new Error(`${prefix}: not enough images per class: ${taken.join(", ")}`);
  const outImages = new Uint8Array(picked.length * per);
  const outLabels = new Uint8Array(picked.length);
  picked.forEach((src, k) => {
    outImages.set(images.data.subarray(src * per, (src + 1) * per), k * per);
    outLabels[k] = labels.data[src]!;
  });
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(OUT, name);
    fs.writeFileSync(file, zlib.gzipSync(bytes, { level: 9 }));
    console.log(`${file}: ${fs.statSync(file).size} bytes`);
  };
  write(`${prefix}-images-idx3-ubyte.gz`, encodeIdx([picked.length, h, w], outImages));
  write(`${prefix}-labels-idx1-ubyte.gz`, encodeIdx([picked.length], outLabels));
  console.log(`${prefix}: ${picked.length} images, ${perClass} per class, last source index ${picked[picked.length - 1]}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  await subset("train", 500);
  await subset("t10k", 100);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FASHION_MNIST_CLASSES, embeddedDatasetDir, findPackageRoot, loadEmbedded } from "../../src/core/data/embedded";
import { loadDataset } from "../../src/core/data/load";
import type { Experiment } from "../../src/core/config/schema";

const repoRoot = path.resolve(__dirname, "..", "..");

function perClass(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

test("the package root is found from the sources and from dist/", () => {
  assert.equal(findPackageRoot(), repoRoot);
  assert.equal(findPackageRoot(path.join(repoRoot, "dist")), repoRoot);
  assert.equal(findPackageRoot(path.join(repoRoot, "src", "core", "data")), repoRoot);
});

test("a folder outside the package, or under a package of another name, is an error", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-embedded-"));
  try {
    fs.writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ name: "something-else" }));
    fs.mkdirSync(path.join(tmp, "dist"));
    assert.throws(() => findPackageRoot(path.join(tmp, "dist")), /cannot find the ssl-studio package root/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("the embedded files are checked in under examples/data/fashion-mnist-5k", () => {
  const dir = embeddedDatasetDir("fashion-mnist-5k");
  assert.equal(dir, path.join(repoRoot, "examples", "data", "fashion-mnist-5k"));
  for (const f of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "README.md"]) {
    assert.ok(fs.statSync(path.join(dir, f)).size > 0, f);
  }
});

test("fashion-mnist-5k: 5000 train / 1000 test, 28x28x1, 500 / 100 per class", async () => {
  const { train, test: testSplit, skipped } = await loadEmbedded("fashion-mnist-5k");
  assert.deepEqual(skipped, []);
  for (const [ds, n, per] of [[train, 5000, 500], [testSplit!, 1000, 100]] as const) {
    assert.equal(ds.count, n);
    assert.equal(ds.height, 28);
    assert.equal(ds.width, 28);
    assert.equal(ds.channels, 1);
    assert.equal(ds.pixels.length, n * 28 * 28);
    assert.equal(ds.labels!.length, n);
    assert.deepEqual(perClass(ds.labels!, 10), new Array(10).fill(per));
    assert.deepEqual(ds.classNames, FASHION_MNIST_CLASSES);
    // Real images, not zeros: a Fashion-MNIST image averages roughly 70 of 255.
    let sum = 0;
    for (const p of ds.pixels) sum += p;
    const mean = sum / ds.pixels.length;
    assert.ok(mean > 40 && mean < 110, `mean pixel ${mean}`);
  }
  assert.equal(FASHION_MNIST_CLASSES.length, 10);
  assert.equal(FASHION_MNIST_CLASSES[9], "Ankle boot");
});

test("the subset is the first 500 / 100 of each class of Debian's Fashion-MNIST, in file order", { skip: !fs.existsSync("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") && "dataset-fashion-mnist is not installed" }, async () => {
  const { loadIdxImages } = await import("../../src/core/data/idx");
  const src = "/usr/share/datasets/fashion-mnist";
  const { train, test: testSplit } = await loadEmbedded("fashion-mnist-5k");
  for (const [ds, prefix, per] of [[train, "train", 500], [testSplit!, "t10k", 100]] as const) {
    const full = await loadIdxImages(path.join(src, `${prefix}-images-idx3-ubyte.gz`), path.join(src, `${prefix}-labels-idx1-ubyte.gz`));
    const taken = new Array<number>(10).fill(0);
    let k = 0;
    for (let i = 0; i < full.count && k < ds.count; i++) {
      const l = full.labels![i]!;
      if (taken[l]! >= per) continue;
      taken[l]!++;
      assert.equal(ds.labels![k], l, `${prefix} image ${k}`);
      assert.ok(Buffer.from(ds.pixels.subarray(k * 784, (k + 1) * 784)).equals(full.pixels.subarray(i * 784, (i + 1) * 784)), `${prefix} image ${k} = source ${i}`);
      k++;
    }
    assert.equal(k, ds.count);
  }
});

test("loadDataset(embedded) applies the limit and does not resize", async () => {
  const config = { dataset: { format: "embedded", name: "fashion-mnist-5k" }, imageSize: 32, limit: { train: 100, test: 50 } } as unknown as Experiment;
  const data = await loadDataset(config, os.tmpdir());
  assert.equal(data.train.count, 100);
  assert.equal(data.train.pixels.length, 100 * 784);
  assert.equal(data.train.labels!.length, 100);
  assert.equal(data.test!.count, 50);
  assert.equal(data.train.height, 28);
  assert.equal(data.train.channels, 1);
});

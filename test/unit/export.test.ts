// The export writers: a backbone as a TF.js Layers model that
// tf.loadLayersModel reads and runs to the same features as our backbone
// (ResNet-18 and the ConvNet, with BatchNorm statistics and affine
// parameters that are not the identity, so a mix-up shows), the ViT
// refused with a reason, the projector's TSV files, and atomic folders.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment } from "../../src/core/config/schema";
import { evalContext } from "../../src/core/eval/features";
import { projectorTsv } from "../../src/core/export/embeddingsTsv";
import { writeFolderAtomic } from "../../src/core/export/folder";
import { exportProblem, layersModelFiles } from "../../src/core/export/layersModel";
import { buildModel, disposeModel, savedVariables } from "../../src/core/models/build";
import type { NamedArray } from "../../src/core/run/checkpoint";
import { Rng } from "../../src/core/random";

function config(model: object, extra: object = {}): Experiment {
  const { config, issues } = parseExperiment(
    JSON.stringify({ method: "simclr", seed: 3, dataset: { format: "embedded", name: "fashion-mnist-5k" }, imageSize: 16, model: { projectorHidden: 16, projectorOut: 8, ...model }, ...extra }),
    "/tmp/export.ssl.json",
    { checkPaths: false },
  );
  assert.ok(config, JSON.stringify(issues));
  return config;
}

/** Loads the files as tf.loadLayersModel would read them from disk, and compares its output with the backbone's on random images. */
async function roundTrip(c: Experiment, channels: number): Promise<{ diff: number; layers: string[]; scale: number }> {
  await tf.setBackend("cpu");
  const model = buildModel(c, channels);
  const rng = new Rng(11);
  // Every saved variable away from its init (BatchNorm variances positive), as a trained checkpoint's are.
  for (const { name, variable } of savedVariables(model)) {
    if (name.endsWith(".kernel")) continue;
    const positive = name.endsWith(".runningVar") || name.endsWith(".gamma");
    variable.assign(tf.tensor(Float32Array.from({ length: variable.size }, () => (positive ? rng.uniform(0.5, 1.5) : rng.uniform(-0.3, 0.3))), variable.shape));
  }
  const arrays = new Map<string, NamedArray>(savedVariables(model).map(({ name, variable }) => [name, { name, shape: variable.shape, values: variable.dataSync() as Float32Array }]));
  const { modelJson, weights } = layersModelFiles({ config: c, inChannels: channels, arrays, source: "/runs/x/checkpoints/3" });
  // Through the bytes a file would hold.
  const text = JSON.stringify(modelJson);
  const parsed = JSON.parse(text) as typeof modelJson;
  const bytes = new Uint8Array(weights.buffer.slice(0));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest[0]!.weights, weightData: bytes.buffer }));
  try {
    const x = tf.randomUniform([4, 16, 16, channels], 0, 1, "float32", 5) as tf.Tensor4D;
    const ours = model.backbone.apply(x, evalContext());
    const theirs = loaded.predict(x) as tf.Tensor2D;
    assert.deepEqual(theirs.shape, [4, model.backbone.outDim]);
    const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!;
    const scale = tf.max(tf.abs(ours)).dataSync()[0]!;
    tf.dispose([x, ours, theirs]);
    return { diff, layers: loaded.layers.map((l) => l.getClassName()), scale };
  } finally {
    loaded.dispose();
    disposeModel(model);
  }
}

test("ResNet-18 (width 1/8) exports to a Layers model with the backbone's features", async () => {
  const { diff, layers, scale } = await roundTrip(config({ backbone: "resnet18", width: 0.125 }), 3);
  assert.ok(diff < 1e-4, `max difference ${diff}`);
  assert.ok(scale > 1e-3, `features are not ~0 (${scale})`);
  const count = (k: string) => layers.filter((l) => l === k).length;
  // Stem + 8 blocks x 2 convs + 3 projection shortcuts.
  assert.deepEqual([count("Conv2D"), count("BatchNormalization"), count("Add"), count("GlobalAveragePooling2D")], [20, 20, 8, 1]);
});

test("the ConvNet exports too, for 1-channel input", async () => {
  const { diff, layers } = await roundTrip(config({ backbone: "convnet", width: 0.25 }), 1);
  assert.ok(diff < 1e-4, `max difference ${diff}`);
  assert.deepEqual(layers.slice(0, 4), ["InputLayer", "Conv2D", "BatchNormalization", "Activation"]);
  assert.equal(layers.length, 1 + 4 * 3 + 1);
});

test("ViT backbones are refused with the reason; a checkpoint of another backbone is named", () => {
  const vit = config({ backbone: "vit", vit: { patchSize: 4, depth: 1, dim: 16, heads: 2 } }, { method: "mae" });
  assert.match(exportProblem(vit.model)!, /ViT backbones cannot be exported as a TensorFlow\.js Layers model/);
  assert.throws(() => layersModelFiles({ config: vit, inChannels: 1, arrays: new Map(), source: "x" }), /ViT backbones cannot be exported/);
  assert.equal(exportProblem(config({ backbone: "resnet18" }).model), undefined);
  assert.throws(() => layersModelFiles({ config: config({ backbone: "resnet18" }), inChannels: 1, arrays: new Map(), source: "x" }), /the checkpoint has no "backbone\.stem\.conv\.kernel"/);
});

test("projector TSV: one tab-separated vector per row; metadata with a header, labels cleaned of tabs", () => {
  const tsv = projectorTsv(Float32Array.from([1, 0.5, -2, 0.25, 3, 4]), 3, 2, ["Bag", "T-shirt\ttop", "Coat"]);
  assert.equal(tsv.vectors, "1\t0.5\n-2\t0.25\n3\t4\n");
  assert.equal(tsv.metadata, "index\tlabel\n0\tBag\n1\tT-shirt top\n2\tCoat\n");
  assert.equal(projectorTsv(Float32Array.from([0.1, 1 / 3]), 1, 2, []).vectors, "0.1\t0.3333333\n", "float32's digits, not the double's");
  assert.equal(projectorTsv(Float32Array.from([1, 2]), 2, 1, []).metadata, "index\tlabel\n0\t\n1\t\n", "unlabelled data: empty labels");
  assert.throws(() => projectorTsv(new Float32Array(5), 3, 2, []), /5 values are not 3 rows of 2/);
  assert.throws(() => projectorTsv(new Float32Array(6), 3, 2, ["a"]), /1 labels for 3 rows/);
});

test("an export folder is replaced whole: the old files go, no temporary folder stays", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "export-folder-"));
  try {
    const out = path.join(root, "exports", "epoch-1-tfjs");
    writeFolderAtomic(out, [{ name: "old.txt", data: "x" }]);
    const files = writeFolderAtomic(out, [
      { name: "model.json", data: "{}" },
      { name: "weights.bin", data: new Uint8Array(12) },
    ]);
    assert.deepEqual(files, [
      { name: "model.json", bytes: 2 },
      { name: "weights.bin", bytes: 12 },
    ]);
    assert.deepEqual(fs.readdirSync(out).sort(), ["model.json", "weights.bin"]);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ["epoch-1-tfjs"]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/**
 * The experiment file (`*.ssl.json`) schema: the one source of truth. The
 * TypeScript type `Experiment` and the JSON Schema contributed to VS Code
 * (dist/experiment.schema.json, written by esbuild.mjs) both come from here.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { AugmentSchema } from "./augmentSchema";
import { SaliencySchema } from "./saliencySchema";
import { RECIPE_NAMES } from "./recipes";
import { METHODS, METHOD_SCHEMAS, METHOD_SUMMARIES, type MethodName } from "./methodSchema";

export { METHODS };

const Num = (def: number, description: string, extra: object = {}) =>
  Type.Number({ default: def, description, ...extra });
const Int = (def: number, description: string, extra: object = {}) =>
  Type.Integer({ default: def, description, ...extra });
const Str = (description: string, extra: object = {}) => Type.String({ description, ...extra });
/** One of a fixed list of strings, with the first-class completion VS Code gives literal unions. */
const OneOf = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: def, description },
  );
const Obj = <T extends Record<string, TSchema>>(props: T, description: string) =>
  Type.Object(props, { description, additionalProperties: false, default: {} });

export const BACKENDS = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export const BACKBONES = ["resnet18", "convnet", "vit"] as const;
export const OPTIMIZERS = ["sgd", "lars", "adam"] as const;
/** Evaluation protocols, by the name configs and `ssl-studio eval --protocol` use. */
export const EVAL_PROTOCOLS = ["knn", "linear", "layers", "rotation", "collapse"] as const;
const PROTOCOLS_HELP =
  "knn: weighted kNN on backbone features (needs labels). linear: linear probes at the label fractions (needs labels). layers: kNN and a linear probe on the features after each backbone stage (needs labels). rotation: SelfAugment's label-free proxy, a linear 4-way rotation probe. collapse: per-dimension std and effective rank of the method's embeddings.";
const Protocols = (def: readonly string[], when: string) =>
  Type.Array(
    Type.Union(EVAL_PROTOCOLS.map((p) => Type.Literal(p))),
    { default: [...def], uniqueItems: true, description: `Protocols run ${when}. ${PROTOCOLS_HELP}` },
  );

const Embedded = Type.Object(
  {
    format: Type.Literal("embedded", { description: "A dataset shipped with SSL Studio." }),
    name: Type.Literal("fashion-mnist-5k", {
      description:
        "Fashion-MNIST subset (Xiao et al. 2017, MIT licence): 5,000 train / 1,000 test 28x28 grayscale images, 10 balanced classes.",
    }),
  },
  { additionalProperties: false, title: "Embedded dataset" },
);

const Folder = Type.Object(
  {
    format: Type.Literal("folder", { description: "A folder of PNG/JPEG images (searched recursively)." }),
    train: Str(
      "Training images folder, relative to the experiment file. Images in sub-folders are labelled by the sub-folder name.",
    ),
    test: Type.Optional(Str("Labelled test images folder (same layout as train), used for kNN evaluation.")),
    channels: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(3)], {
        description: "Decode as grayscale (1) or RGB (3, the default).",
      }),
    ),
  },
  { additionalProperties: false, title: "Image folder" },
);

const Idx = Type.Object(
  {
    format: Type.Literal("idx", { description: "IDX files as published for MNIST and Fashion-MNIST (gzipped or not)." }),
    trainImages: Str("Training images IDX file (e.g. train-images-idx3-ubyte.gz), relative to the experiment file."),
    trainLabels: Type.Optional(Str("Training labels IDX file (e.g. train-labels-idx1-ubyte.gz).")),
    testImages: Type.Optional(Str("Test images IDX file (e.g. t10k-images-idx3-ubyte.gz), used for kNN evaluation.")),
    testLabels: Type.Optional(Str("Test labels IDX file (e.g. t10k-labels-idx1-ubyte.gz).")),
  },
  { additionalProperties: false, title: "IDX files" },
);

const Cifar10 = Type.Object(
  {
    format: Type.Literal("cifar10", { description: "CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin)." }),
    dir: Str("Folder holding the CIFAR-10 .bin batches, relative to the experiment file."),
  },
  { additionalProperties: false, title: "CIFAR-10 binary" },
);

export const DatasetSchema = Type.Union([Embedded, Folder, Idx, Cifar10], {
  description: 'Where the images come from; `format` selects the loader. The embedded dataset: {"format": "embedded", "name": "fashion-mnist-5k"}.',
});

export const ExperimentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.Optional(Str("Experiment name, used for the runs folder. Defaults to the file name without .ssl.json.")),
    recipe: Type.Optional(
      Type.Union(
        RECIPE_NAMES.map((n) => Type.Literal(n)),
        {
          description:
            "Start from a published recipe; the file's own fields override it. mocov2-cifar-hpt: MoCo v2 on CIFAR-10 as in Reed et al. 2022 (HPT), table 2.4: ResNet-18, batch 512, queue 65536, momentum 0.999, SGD lr 0.4, temperature 0.2.",
        },
      ),
    ),
    method: OneOf(
      METHODS,
      "simclr",
      `Self-supervised method; its settings are in the object of the same name. ${METHODS.map((m) => `${m}: ${METHOD_SUMMARIES[m]}.`).join(" ")}`,
    ),
    seed: Int(0, "Seed for weight init, shuffling and augmentation. Same seed + same backend = same weights.", {
      minimum: 0,
    }),
    backend: OneOf(BACKENDS, "auto", "TensorFlow.js backend. auto tries tensorflow-gpu (@tensorflow/tfjs-node-gpu), tensorflow (@tensorflow/tfjs-node), wasm, then cpu (plain JS, slowest)."),
    dataset: DatasetSchema,
    limit: Type.Optional(
      Type.Object(
        {
          train: Type.Optional(Type.Integer({ minimum: 1, description: "Use at most this many training images." })),
          test: Type.Optional(Type.Integer({ minimum: 1, description: "Use at most this many test images." })),
        },
        { additionalProperties: false, description: "Subsample the dataset (first N images), e.g. for quick runs." },
      ),
    ),
    imageSize: Int(32, "Side of the square crops fed to the network (SimCLR's CIFAR setting: 32).", {
      minimum: 8,
      maximum: 512,
    }),
    model: Obj(
      {
        backbone: OneOf(BACKBONES, "resnet18", "resnet18: ResNet-18 adapted to small images (3x3 stem, no max-pool), as in SimCLR's CIFAR experiments. convnet: a 4-stage ConvNet for quick runs. vit: a small Vision Transformer (settings in model.vit); MAE needs it."),
        width: Num(1, "Width multiplier on the channel counts (ResNet-18: 64-128-256-512 at width 1).", {
          exclusiveMinimum: 0,
          maximum: 4,
        }),
        projectorHidden: Int(512, "Hidden units of the 2-layer MLP projection head (SimCLR: same as the backbone output).", {
          minimum: 1,
        }),
        projectorOut: Int(128, "Output dimension of the projection head (SimCLR: 128).", { minimum: 1 }),
        vit: Obj(
          {
            patchSize: Int(4, "Side p of the square patches; it must divide the image size (and every view's size). 4 gives 7x7 patches at 28 px, 8x8 at 32 px (ViT-B/16 at 224 px has 14x14).", { minimum: 1 }),
            depth: Int(6, "Transformer blocks (ViT-B: 12).", { minimum: 1 }),
            dim: Int(128, "Token width D; a multiple of 4 (2D sin-cos position embeddings) and of heads (ViT-B: 768).", { minimum: 4 }),
            heads: Int(4, "Attention heads; they divide dim (ViT-B: 12, i.e. 64 per head).", { minimum: 1 }),
            mlpRatio: Num(4, "Hidden width of each block's MLP as a multiple of dim (ViT: 4).", { exclusiveMinimum: 0 }),
            pool: OneOf(["mean", "cls"] as const, "mean", "Image feature for evaluation and the heads: mean: the mean of the patch tokens (no CLS token); cls: a learned CLS token's output (as MAE's linear probe)."),
          },
          "Vision Transformer settings (model.backbone \"vit\"): MAE's design (fixed 2D sin-cos position embeddings, pre-norm blocks, final LayerNorm) at a size for 28-32 px images. model.width does not apply to it.",
        ),
      },
      "Backbone and projection head. Evaluation uses the backbone output (before the head).",
    ),
    ...METHOD_SCHEMAS,
    init: Type.Optional(
      Type.Object(
        {
          checkpoint: Str(
            "A checkpoint folder (runs/<experiment>/<run>/checkpoints/<n>) or a run folder (its last checkpoint), relative to the experiment file. Its backbone weights start this run.",
          ),
          trainable: OneOf(
            ["all", "batchnorm"] as const,
            "all",
            "all: train every weight. batchnorm: train only the backbone's BatchNorm gamma/beta (and the method's new heads), the cheapest adaptation in Reed et al.'s HPT.",
          ),
          bnBatches: Int(50, "Batches of the new training data used to re-estimate the backbone's BatchNorm statistics before training (0 = keep the checkpoint's).", {
            minimum: 0,
          }),
        },
        {
          additionalProperties: false,
          description:
            "Hierarchical pretraining (Reed et al. 2022, Self-Supervised Pretraining Improves Self-Supervised Pretraining): start from another run's backbone instead of random weights; about 5k steps are enough.",
        },
      ),
    ),
    augment: AugmentSchema,
    saliency: SaliencySchema,
    train: Obj(
      {
        epochs: Int(100, "Training epochs over the training split.", { minimum: 1 }),
        batchSize: Int(256, "Images per step; each gives two views, so the loss sees 2x this many embeddings (SimCLR: 512 on CIFAR-10).", {
          minimum: 2,
        }),
        optimizer: OneOf(OPTIMIZERS, "lars", "sgd: SGD with momentum. lars: layer-wise adaptive rate scaling (You et al. 2017), SimCLR's choice for large batches. adam: Adam (Kingma & Ba 2015)."),
        lr: Num(0.3, "Base learning rate, scaled by batchSize/256 (SimCLR: 0.3 x batch/256 with LARS; Adam: ~1e-3).", {
          exclusiveMinimum: 0,
        }),
        momentum: Num(0.9, "Momentum for sgd and lars (beta1 for adam).", { minimum: 0, maximum: 1 }),
        weightDecay: Num(1e-6, "Weight decay (SimCLR: 1e-6 with LARS; 5e-4 is common with SGD on CIFAR).", { minimum: 0 }),
        warmupEpochs: Num(10, "Linear warm-up epochs before cosine decay (SimCLR: 10).", { minimum: 0 }),
        microBatch: Type.Optional(
          Type.Integer({
            minimum: 1,
            description:
              "Back-propagate the batch in chunks of this many images (gradient cache, Gao et al. 2021): the loss still contrasts the whole batch, memory follows the chunk. Use when a batch does not fit (the wasm backend's heap stops near 2 GB). BatchNorm statistics become per chunk. Unset: the whole batch at once.",
          }),
        ),
        logEvery: Int(10, "Write a metrics line every N steps (and at the end of each epoch).", { minimum: 1 }),
      },
      "Optimisation: warm-up, then cosine decay of the learning rate to 0.",
    ),
    eval: Obj(
      {
        every: Int(10, "Run kNN evaluation every N epochs (also at epoch 0 and at the end).", { minimum: 1 }),
        knnK: Int(20, "Neighbours in the kNN classifier.", { minimum: 1 }),
        knnTemperature: Num(0.07, "Temperature of the kNN vote weights exp(sim/T) (Wu et al. 2018: 0.07).", {
          exclusiveMinimum: 0,
        }),
        protocols: Protocols(["knn", "collapse"], "every `every` epochs and at epoch 0"),
        final: Protocols(["knn", "linear", "layers", "rotation", "collapse"], "at the end of training"),
        linearFractions: Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 1 }), {
          default: [0.01, 0.1, 1],
          minItems: 1,
          description: "Label fractions of the linear probe, class-balanced (semi-supervised protocol of SimCLR: 1% and 10%; 1 = all labels). The learning rate is chosen on a held-out 10% of the train split, never on test.",
        }),
      },
      "Evaluation of the frozen backbone on a schedule: kNN (cosine, temperature-weighted votes; Wu et al. 2018), linear probes, per-stage probes, the rotation proxy (Reed et al. 2021) and collapse indicators.",
    ),
    checkpoint: Obj(
      {
        every: Int(1, "Save a checkpoint every N epochs (and at the end).", { minimum: 1 }),
        keep: Int(3, "Keep the last N checkpoints (0 = keep all).", { minimum: 0 }),
      },
      "Checkpoints under runs/<experiment>/<run>/checkpoints/<epoch>/.",
    ),
    runsDir: Str("Where run folders go, relative to the experiment file.", { default: "runs" }),
  },
  {
    additionalProperties: false,
    title: "SSL Studio experiment",
    description: "A self-supervised pretraining experiment run by SSL Studio.",
  },
);

export type Experiment = Static<typeof ExperimentSchema>;
export type DatasetConfig = Static<typeof DatasetSchema>;
export type Method = MethodName;
export type BackendName = (typeof BACKENDS)[number];

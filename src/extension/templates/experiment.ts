/**
 * The starter experiment written by "SSL: New Experiment". It is JSON with
 * comments (*.ssl.json opens as jsonc): the comments teach the sections, and
 * completion/hover come from the contributed schema, so no "$schema" line.
 * Values follow examples/fashion-mnist-simclr.ssl.json, which is tuned to
 * finish in minutes on a 2-core CPU with a clear kNN gain.
 */

export const EXPERIMENT_SUFFIX = ".ssl.json";

/** The file name for a name the user typed ("my run" is refused; "foo.ssl.json" is accepted as "foo"). */
export function experimentFileName(name: string): string {
  return stripSuffix(name.trim()) + EXPERIMENT_SUFFIX;
}

function stripSuffix(name: string): string {
  return name.replace(/\.ssl\.json$/i, "").replace(/\.json$/i, "");
}

/** Why a name cannot be a file name (undefined when it can). */
export function validateExperimentName(name: string): string | undefined {
  const base = stripSuffix(name.trim());
  if (!base) return "Enter a name, e.g. simclr-convnet";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(base)) return "Use letters, digits, '.', '-' and '_' only (it becomes the file and runs-folder name)";
  if (base.length > 100) return "Keep the name under 100 characters";
  return undefined;
}

export function experimentTemplate(name: string): string {
  const base = stripSuffix(name.trim());
  return `// SSL Studio experiment "${base}": self-supervised pretraining with SimCLR.
// Hover a field for its documentation (with the paper's value where there is one);
// Ctrl+Space inside an object lists the fields you can add.
// Run it with "SSL: Pretrain" or the ▷ button in the editor title bar. Each run gets
// its own folder under runs/${base}/ next to this file (see the SSL Experiments view).
{
  // "name": "${base}",  // defaults to the file name; names the runs folder

  // SimCLR (Chen et al. 2020): two augmented views of each image are pulled together
  // and pushed away from the other images in the batch (NT-Xent loss).
  // Other methods: "moco", "byol", "simsiam", "barlowtwins", "vicreg", "swav", "dino",
  // "rotnet", "jigsaw", "colorization", "mae"; each has its settings in the object of
  // its name (e.g. "byol": { "tau": 0.996 }) and its paper's augmentations unless "augment" says otherwise.
  "method": "simclr",
  "seed": 0,
  // "auto" picks the fastest TensorFlow.js backend that loads here; "SSL: Check Environment" shows which.
  "backend": "auto",

  // The Fashion-MNIST subset shipped with SSL Studio: 5,000 training and 1,000 labelled
  // test images (the labels are only used to measure kNN accuracy, never to train).
  // Your own data: {"format": "folder", "train": "images/train", "test": "images/test"},
  // or "idx" (MNIST-style files), or "cifar10" (the binary batches).
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  // Side of the crops fed to the network; 28 is Fashion-MNIST's own size.
  "imageSize": 28,

  // The small ConvNet trains in minutes on a CPU; "resnet18" is the paper's CIFAR backbone.
  // Evaluation uses the backbone's features; the projection head only serves the loss.
  "model": { "backbone": "convnet", "width": 0.5, "projectorHidden": 256, "projectorOut": 64 },

  // Lower temperature = sharper contrast between positives and negatives
  // (SimCLR: 0.5 on CIFAR-10 with batch 512).
  "simclr": { "temperature": 0.2 },

  // How each of the two views of an image is made: ops applied in order, each with
  // probability p. Stronger crops and colour jitter make the task harder and the
  // features better, up to a point. Presets: "simclr", "mocov2", "byol", "randaugment".
  // "SSL: Preview Augmentations" shows exactly what the network will see.
  "augment": {
    "views": [
      {
        "name": "view",
        "count": 2,
        "ops": [
          { "op": "randomResizedCrop", "scale": [0.2, 1] },
          { "op": "hflip", "p": 0.5 },
          { "op": "colorJitter", "p": 0.8, "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1 },
          { "op": "grayscale", "p": 0.2 }
        ]
      }
    ]
  },

  // A few epochs to see the loss fall and kNN accuracy rise; papers train for hundreds.
  // Bigger batches give SimCLR more negatives per step.
  "train": {
    "epochs": 10,
    "batchSize": 256,
    "optimizer": "adam",
    "lr": 0.002,
    "weightDecay": 1e-6,
    "warmupEpochs": 1,
    "logEvery": 5
  },

  // kNN accuracy on the test split at epoch 0 (random weights), every N epochs and at the end.
  "eval": { "every": 2, "knnK": 20 },

  // A checkpoint per epoch: "SSL: Stop Run" keeps the last one and a run can resume from it.
  "checkpoint": { "every": 1, "keep": 3 }
}
`;
}

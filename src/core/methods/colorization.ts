/**
 * Colorization (Zhang et al. 2016, "Colorful Image Colorization"): the
 * network sees only the lightness L of a colour image (CIE Lab, as a
 * 1-channel image in [0, 1]) and predicts, for each place in the image, a
 * distribution over the quantised ab colours (the in-gamut bins of a grid of
 * side 10: color/abBins.ts); the target is each pixel's true ab spread over
 * its 5 nearest bins with a Gaussian kernel (sigma 5), and the loss is the
 * cross-entropy. Predicting a distribution rather than regressing ab keeps
 * the multimodal colours of objects (a car may be red or blue) from
 * averaging out to grey.
 *
 * Spatial head: the backbone's last feature map (Backbone.featureMap, at
 * 1/8 of the view in the convnet and the small-image ResNet-18: 4x4 for a
 * 32x32 view) goes through a per-location MLP (1x1 convolutions, as the
 * paper's last layer) to Q logits per location. Each location predicts the
 * colours of its cell of the view: the target is the average of the cell's
 * per-pixel soft encodings, which gives exactly the mean per-pixel
 * cross-entropy with the cell's prediction for every pixel of the cell (the
 * paper predicts at 1/4 of the input and upsamples). This keeps the
 * prediction spatial, where a pooled feature vector could only describe the
 * image's colours as a whole.
 *
 * The backbone is built for 1 input channel and always sees lightness, in
 * evaluation too (`colorization.input`: buildModel wraps it), so the
 * features evaluated are those trained, as in the paper's transfer
 * experiments on grayscale input. Its checkpoints therefore hold a 1-channel
 * first layer.
 *
 * Left out: the paper's class rebalancing (weighting pixels by the inverse
 * of the smoothed empirical ab prior, lambda 0.5) and the annealed-mean
 * decoding of colours, which only matter for the colours' look, not for the
 * representation.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../config/schema";
import { abBins, cellTargets } from "../color/abBins";
import { rgbToLab, rgbToLightness } from "../color/lab";
import { mlp } from "../models/mlp";
import type { MethodFactory } from "./method";
import { softCrossEntropy } from "./pretext/crossEntropy";

/** The dataset as the experiment names it, for messages. */
function datasetName(dataset: Experiment["dataset"]): string {
  switch (dataset.format) {
    case "embedded":
      return dataset.name;
    case "folder":
      return dataset.train;
    case "idx":
      return dataset.trainImages;
    case "cifar10":
      return dataset.dir;
  }
}

const factory: MethodFactory = ({ config, backbone, vars }) => {
  const { binSize, neighbours, sigma, headHidden } = config.colorization;
  const bins = abBins(binSize);
  if (!backbone.featureMap) {
    throw new Error(`method "colorization" predicts colours per region and needs a backbone with a spatial feature map (convnet or resnet18), not "${config.model.backbone}"`);
  }
  const featureMap = backbone.featureMap.bind(backbone);
  const head = mlp(vars, "head", [backbone.outDim, headHidden, bins.count], { batchNorm: true });
  return {
    forward(views, ctx) {
      const x = views[0]!;
      const map = featureMap(x, ctx); // the backbone sees the lightness only
      const [n, gh, gw, d] = map.shape;
      const logits = tf.reshape(head.apply(tf.reshape(map, [n * gh * gw, d]), ctx), [n, gh, gw, bins.count]);
      const ab = tf.slice(rgbToLab(x), [0, 0, 0, 1], [-1, -1, -1, 2]);
      return { logits, target: cellTargets(ab, [gh, gw], bins, neighbours, sigma) };
    },
    objective: ({ logits, target }) => softCrossEntropy(logits!, target!),
  };
};

export const colorization: MethodFactory = Object.assign(factory, {
  input(config: Experiment, datasetChannels: number) {
    if (datasetChannels !== 3) {
      throw new Error(
        `method "colorization" predicts colour from lightness: the dataset "${datasetName(config.dataset)}" is grayscale (${datasetChannels} channel); use an RGB dataset, or another method`,
      );
    }
    return { channels: 1, transform: (x: tf.Tensor) => rgbToLightness(x as tf.Tensor4D) };
  },
});

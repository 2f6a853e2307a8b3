/**
 * A checkpoint's backbone as a TensorFlow.js Layers model (the Keras
 * functional format `tf.loadLayersModel` reads): model.json with the
 * topology and the weights manifest, and one weights file. Our networks are
 * plain functions over named variables (src/core/models), so the topology is
 * written here layer by layer, mirroring convnet.ts and resnet18.ts; the
 * export test checks that the loaded model gives the backbone's features.
 * Built from the checkpoint's arrays alone: no TensorFlow.js needed.
 */
import type { Experiment } from "../config/schema";
import type { NamedArray } from "../run/checkpoint";

export const WEIGHTS_FILE = "weights.bin";
/** Same as batchNorm.ts (PyTorch's); Keras's default would be 1e-3. */
const BN_EPSILON = 1e-5;

interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, Record<string, never>][][];
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32";
}

export interface LayersModelFiles {
  /** The content of model.json. */
  modelJson: {
    format: "layers-model";
    generatedBy: string;
    convertedBy: null;
    modelTopology: Record<string, unknown>;
    weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
    userDefinedMetadata: Record<string, unknown>;
  };
  /** The weights, in the manifest's order. */
  weights: Float32Array;
}

/** Why this config's backbone cannot be exported, or undefined when it can. */
export function exportProblem(model: Pick<Experiment["model"], "backbone">): string | undefined {
  if (model.backbone === "vit") {
    return "ViT backbones cannot be exported as a TensorFlow.js Layers model: tfjs-layers has no multi-head attention layer that tf.loadLayersModel reads without custom code. Export the embeddings instead.";
  }
  return undefined;
}

/** Builds the functional graph: layers in order, each fed by named earlier ones, and the weights they own. */
class Graph {
  readonly layers: KerasLayer[] = [];
  readonly specs: WeightSpec[] = [];
  private readonly values: Float32Array[] = [];

  constructor(private readonly arrays: Map<string, NamedArray>) {}

  add(className: string, name: string, config: Record<string, unknown>, inputs: string[], weights: [string, string][] = []): string {
    this.layers.push({ class_name: className, name, config: { name, trainable: true, dtype: "float32", ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [] });
    for (const [kerasName, ourName] of weights) {
      const a = this.arrays.get(ourName);
      if (!a) throw new Error(`the checkpoint has no "${ourName}": it was not made with this backbone`);
      this.specs.push({ name: `${name}/${kerasName}`, shape: a.shape, dtype: "float32" });
      this.values.push(a.values);
    }
    return name;
  }

  /** conv (no bias) → BatchNorm [→ ReLU], our `backbone.<prefix>.<conv>` and `.<bn>` variables. */
  convBn(input: string, prefix: string, conv: string, bn: string, stride: number, relu?: string): string {
    const kernel = this.arrays.get(`backbone.${prefix}${conv}.kernel`);
    if (!kernel) throw new Error(`the checkpoint has no "backbone.${prefix}${conv}.kernel": it was not made with this backbone`);
    const [k, , , filters] = kernel.shape;
    let x = this.add(
      "Conv2D",
      `${prefix}${conv}`,
      { filters, kernel_size: [k, k], strides: [stride, stride], padding: "same", data_format: "channels_last", dilation_rate: [1, 1], activation: "linear", use_bias: false },
      [input],
      [["kernel", `backbone.${prefix}${conv}.kernel`]],
    );
    x = this.add("BatchNormalization", `${prefix}${bn}`, { axis: -1, momentum: 0.9, epsilon: BN_EPSILON, center: true, scale: true }, [x], [
      ["gamma", `backbone.${prefix}${bn}.gamma`],
      ["beta", `backbone.${prefix}${bn}.beta`],
      ["moving_mean", `backbone.${prefix}${bn}.runningMean`],
      ["moving_variance", `backbone.${prefix}${bn}.runningVar`],
    ]);
    return relu ? this.relu(x, `${prefix}${relu}`) : x;
  }

  relu(input: string, name: string): string {
    return this.add("Activation", name, { activation: "relu" }, [input]);
  }

  weights(): Float32Array {
    const out = new Float32Array(this.values.reduce((n, v) => n + v.length, 0));
    let offset = 0;
    for (const v of this.values) {
      out.set(v, offset);
      offset += v.length;
    }
    return out;
  }
}

/** convnet.ts: four conv-BN-ReLU stages, strides 1, 2, 2, 2. */
function convnetLayers(g: Graph, input: string): string {
  let x = input;
  for (let i = 1; i <= 4; i++) x = g.convBn(x, "", `conv${i}`, `bn${i}`, i === 1 ? 1 : 2, `relu${i}`);
  return x;
}

/** resnet18.ts: a 3x3 stem, then four stages of two basic blocks (the first of stages 2-4 with stride 2 and a projection shortcut). */
function resnet18Layers(g: Graph, input: string, arrays: Map<string, NamedArray>): string {
  let x = g.convBn(input, "stem.", "conv", "bn", 1, "relu");
  for (let stage = 1; stage <= 4; stage++) {
    for (let i = 0; i < 2; i++) {
      const p = `layer${stage}.${i}.`;
      const stride = stage > 1 && i === 0 ? 2 : 1;
      const y = g.convBn(g.convBn(x, p, "conv1", "bn1", stride, "relu1"), p, "conv2", "bn2", 1);
      const skip = arrays.has(`backbone.${p}shortcut.conv.kernel`) ? g.convBn(x, `${p}shortcut.`, "conv", "bn", stride) : x;
      x = g.relu(g.add("Add", `${p}add`, {}, [y, skip]), `${p}relu`);
    }
  }
  return x;
}

export interface ExportInput {
  config: Experiment;
  /** Channels the backbone reads (1 for colorization, which feeds it lightness). */
  inChannels: number;
  arrays: Map<string, NamedArray>;
  /** Recorded in model.json's userDefinedMetadata. */
  source: string;
}

/** model.json and the weights of the backbone of a convnet or ResNet-18 checkpoint; its output is the globally pooled last stage, as `backbone.apply`. */
export function layersModelFiles({ config, inChannels, arrays, source }: ExportInput): LayersModelFiles {
  const problem = exportProblem(config.model);
  if (problem) throw new Error(problem);
  const g = new Graph(arrays);
  const size = config.imageSize;
  const input = g.add("InputLayer", "input", { batch_input_shape: [null, size, size, inChannels], sparse: false }, []);
  const features = config.model.backbone === "resnet18" ? resnet18Layers(g, input, arrays) : convnetLayers(g, input);
  const output = g.add("GlobalAveragePooling2D", "features", { data_format: "channels_last" }, [features]);
  const pixels = config.method === "colorization" ? "CIE L*/100 of the sRGB image (colorization's backbone sees lightness only)" : `pixels in [0, 1]`;
  return {
    modelJson: {
      format: "layers-model",
      generatedBy: "SSL Studio",
      convertedBy: null,
      modelTopology: {
        class_name: "Model",
        config: { name: `${config.name ?? "ssl"}-${config.model.backbone}`, layers: g.layers, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]] },
        keras_version: "tfjs-layers 4.22.0",
        backend: "tensor_flow.js",
      },
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: g.specs }],
      userDefinedMetadata: {
        source,
        method: config.method,
        backbone: config.model.backbone,
        input: `float32 [N, ${size}, ${size}, ${inChannels}]: ${pixels}, resized to ${size}x${size}`,
        output: "backbone features (global average of the last stage), before any projection head",
      },
    },
    weights: g.weights(),
  };
}

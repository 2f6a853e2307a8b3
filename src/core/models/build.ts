/** Builds the backbone and the method's networks around it for an experiment. */
import type { Experiment } from "../config/schema";
import { METHOD_FACTORIES, type SslMethod } from "../methods";
import { Rng } from "../random";
import { ParamBuilder } from "./layers";
import { withInput, type Backbone } from "./network";
import { resnet18 } from "./resnet18";
import { convnet } from "./convnet";
import { vit } from "./vit";

export interface SslModel {
  /** What evaluation and transfer use. */
  backbone: Backbone;
  method: SslMethod;
  /** Trained by the optimiser; saved. */
  vars: ParamBuilder;
  /** Saved, not trained: EMA targets, queues, centres. */
  state: ParamBuilder;
}

export function makeBackbone(model: Experiment["model"], b: ParamBuilder, prefix: string, inChannels: number): Backbone {
  if (model.backbone === "vit") return vit(b, prefix, inChannels, model.vit);
  return (model.backbone === "resnet18" ? resnet18 : convnet)(b, prefix, inChannels, model.width);
}

export function buildModel(config: Experiment, inChannels: number): SslModel {
  const vars = new ParamBuilder(Rng.derive(config.seed, "init"));
  const state = new ParamBuilder(Rng.derive(config.seed, "state"));
  const factory = METHOD_FACTORIES[config.method];
  // A method may feed its backbone something else than the images (colorization: lightness only).
  const input = factory.input?.(config, inChannels);
  const make = (b: ParamBuilder, prefix: string) => {
    const net = makeBackbone(config.model, b, prefix, input?.channels ?? inChannels);
    return input ? withInput(net, input.transform) : net;
  };
  const backbone = make(vars, "backbone");
  const method = factory({ config, backbone, vars, state, inChannels, makeBackbone: make });
  return { backbone, method, vars, state };
}

/** Every saved variable: the trained ones, then the method's state. */
export function savedVariables(model: SslModel) {
  return [...model.vars.all(), ...model.state.all()];
}

export function disposeModel(model: SslModel): void {
  model.vars.dispose();
  model.state.dispose();
}

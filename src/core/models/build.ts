/** Builds the backbone + projection head an experiment asks for. */
import type { Experiment } from "../config/schema";
import { Rng } from "../random";
import { ParamBuilder } from "./layers";
import type { Network } from "./network";
import { resnet18 } from "./resnet18";
import { convnet } from "./convnet";
import { projector } from "./projector";

export interface SslModel {
  backbone: Network;
  head: Network;
  /** Every variable, trainable and not, by name. */
  vars: ParamBuilder;
}

export function buildModel(model: Experiment["model"], inChannels: number, seed: number): SslModel {
  const vars = new ParamBuilder(Rng.derive(seed, "init"));
  const make = model.backbone === "resnet18" ? resnet18 : convnet;
  const backbone = make(vars, "backbone", inChannels, model.width);
  const head = projector(vars, "head", backbone.outDim, model.projectorHidden, model.projectorOut);
  return { backbone, head, vars };
}

/**
 * DINO (Caron et al. 2021): a student matches the sharpened, centred output
 * distribution of an EMA teacher. The teacher sees the two global crops (the
 * first two views), the student every crop; the centre (an EMA of the
 * teacher's mean output) and sharpening (a low teacher temperature, warmed
 * up from 0.04) together prevent collapse.
 *
 * Head: MLP (GELU) → bottleneck → L2 normalisation → weight-normalised
 * linear layer with its norm fixed to 1 (the paper's norm_last_layer).
 */
import * as tf from "@tensorflow/tfjs-core";
import { dino as dinoLoss, dinoCenter } from "../losses";
import { l2normalize } from "../losses/normalize";
import { mlp } from "../models/mlp";
import type { ForwardContext, ParamBuilder } from "../models/layers";
import type { Network } from "../models/network";
import { applyToViews } from "./applyToViews";
import { cosineMomentum, emaUpdate, initTargets, TARGET_PREFIX } from "./ema";
import type { MethodFactory, StepProgress } from "./method";

function dinoHead(b: ParamBuilder, prefix: string, inDim: number, hidden: number, bottleneck: number, outDim: number) {
  const body = mlp(b, prefix, [inDim, hidden, bottleneck], { activation: "gelu" });
  const last = b.normal(`${prefix}.last`, [bottleneck, outDim]);
  const features = (x: tf.Tensor2D, ctx: ForwardContext) => l2normalize(body.apply(x, ctx));
  return {
    features,
    logits: (x: tf.Tensor2D, ctx: ForwardContext) => tf.matMul(features(x, ctx), tf.div(last, tf.norm(last, "euclidean", 0, true))) as tf.Tensor2D,
  };
}

/** Linear warm-up of the teacher temperature, then constant. */
export function teacherTemperature(c: { teacherTemp: number; warmupTeacherTemp: number; warmupTeacherTempEpochs: number }, p: StepProgress): number {
  const warm = c.warmupTeacherTempEpochs * p.stepsPerEpoch;
  if (p.step >= warm) return c.teacherTemp;
  return c.warmupTeacherTemp + ((c.teacherTemp - c.warmupTeacherTemp) * p.step) / warm;
}

export const dino: MethodFactory = ({ config, backbone, vars, state, makeBackbone }) => {
  const c = config.dino;
  const hidden = config.model.projectorHidden;
  const student = dinoHead(vars, "head", backbone.outDim, hidden, c.bottleneck, c.outDim);
  const teacherBackbone: Network = makeBackbone(state, `${TARGET_PREFIX}backbone`);
  const teacher = dinoHead(state, `${TARGET_PREFIX}head`, backbone.outDim, hidden, c.bottleneck, c.outDim);
  const pairs = initTargets(vars, state);
  const center = state.buffer("dino.center", [c.outDim], 0);

  const stack = (outputs: Record<string, tf.Tensor>, prefix: string) =>
    tf.stack(
      Object.keys(outputs)
        .filter((key) => key.startsWith(prefix))
        .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
        .map((key) => outputs[key]!),
    ) as tf.Tensor3D;

  return {
    embed: (x, ctx) => student.features(backbone.apply(x, ctx), ctx),
    forward(views, ctx) {
      const s = applyToViews((x) => student.logits(backbone.apply(x, ctx), ctx), views);
      const t = applyToViews((x) => teacher.logits(teacherBackbone.apply(x, ctx), ctx), views.slice(0, 2));
      return Object.fromEntries([...s.map((y, i) => [`s${i}`, y]), ...t.map((y, i) => [`t${i}`, y])]);
    },
    objective: (outputs, progress) =>
      dinoLoss(
        { student: stack(outputs, "s"), teacher: stack(outputs, "t"), center: center as tf.Tensor1D },
        { studentTemp: c.studentTemp, teacherTemp: teacherTemperature(c, progress) },
      ),
    afterStep(outputs, progress) {
      tf.tidy(() => center.assign(dinoCenter({ teacher: stack(outputs, "t"), center: center as tf.Tensor1D }, c)));
      emaUpdate(pairs, cosineMomentum(c.momentum, progress));
    },
  };
};

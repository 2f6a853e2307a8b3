/**
 * Settings of each SSL method, one object per method with its paper's
 * defaults. Only the object of the selected `method` is read.
 */
import { Type, type TSchema } from "@sinclair/typebox";

const Num = (def: number, description: string, extra: object = {}) => Type.Number({ default: def, description, ...extra });
const Int = (def: number, description: string, extra: object = {}) => Type.Integer({ default: def, description, ...extra });
const Obj = <T extends Record<string, TSchema>>(props: T, description: string) =>
  Type.Object(props, { description, additionalProperties: false, default: {} });

const temperature = (def: number, what: string) => Num(def, what, { exclusiveMinimum: 0, maximum: 1 });
const momentum = (def: number, what: string) => Num(def, what, { minimum: 0, maximum: 1 });

export const METHOD_SCHEMAS = {
  simclr: Obj(
    {
      temperature: temperature(0.5, "NT-Xent temperature tau. SimCLR uses 0.5 on CIFAR-10 and 0.1 on ImageNet with large batches."),
    },
    "SimCLR settings (Chen et al. 2020, A Simple Framework for Contrastive Learning of Visual Representations).",
  ),
  moco: Obj(
    {
      temperature: temperature(0.2, "InfoNCE temperature (MoCo v2: 0.2)."),
      momentum: momentum(0.99, "Momentum m of the key encoder: key = m·key + (1−m)·query weights (MoCo: 0.999 on ImageNet; 0.99 suits short runs; HPT's CIFAR setting, Reed et al. table 2.4: 0.999)."),
      queueSize: Int(4096, "Negatives kept in the queue K (MoCo: 65536 on ImageNet and in HPT's CIFAR setting; keep it well below the number of training images, or the queue holds stale keys of the same images).", { minimum: 1 }),
      bnGroups: Int(4, "Shuffled BatchNorm: the batch is split into this many groups with their own BatchNorm statistics, keys shuffled across them, as MoCo does across GPUs, so the key encoder cannot leak which key is the positive through batch statistics.", { minimum: 1 }),
    },
    "MoCo v2 settings (Chen et al. 2020, Improved Baselines with Momentum Contrastive Learning): momentum key encoder and a queue of negatives.",
  ),
  byol: Obj(
    {
      tau: momentum(0.996, "Base EMA rate of the target network, raised to 1 along a cosine over training (BYOL: 0.996)."),
      predictorHidden: Int(512, "Hidden units of the predictor MLP (BYOL: 4096 on ImageNet).", { minimum: 1 }),
    },
    "BYOL settings (Grill et al. 2020, Bootstrap Your Own Latent): an online network predicts an EMA target's projection.",
  ),
  simsiam: Obj(
    {
      predictorHidden: Int(128, "Bottleneck of the predictor MLP (SimSiam: 512 for a 2048-d projection, a quarter of it).", { minimum: 1 }),
    },
    "SimSiam settings (Chen & He 2021, Exploring Simple Siamese Representation Learning): predictor + stop-gradient, no negatives, no EMA.",
  ),
  barlowtwins: Obj(
    {
      lambda: Num(0.0051, "Weight of the redundancy-reduction (off-diagonal) term (Barlow Twins: 0.0051).", { minimum: 0 }),
    },
    "Barlow Twins settings (Zbontar et al. 2021): the cross-correlation of the two views' standardised embeddings is pushed to the identity.",
  ),
  vicreg: Obj(
    {
      simCoeff: Num(25, "Invariance (MSE) coefficient lambda (VICReg: 25).", { minimum: 0 }),
      stdCoeff: Num(25, "Variance (hinge on the std) coefficient mu (VICReg: 25).", { minimum: 0 }),
      covCoeff: Num(1, "Covariance coefficient nu (VICReg: 1).", { minimum: 0 }),
    },
    "VICReg settings (Bardes et al. 2022): variance, invariance and covariance regularisation.",
  ),
  swav: Obj(
    {
      prototypes: Int(100, "Number of prototypes K (SwAV: 3000 on ImageNet; about 10x the classes for small datasets).", { minimum: 2 }),
      temperature: temperature(0.1, "Softmax temperature of the swapped prediction (SwAV: 0.1)."),
      epsilon: Num(0.05, "Entropy regularisation of Sinkhorn-Knopp (SwAV: 0.05).", { exclusiveMinimum: 0 }),
      sinkhornIterations: Int(3, "Sinkhorn-Knopp iterations (SwAV: 3).", { minimum: 1 }),
      freezePrototypesEpochs: Int(1, "Epochs during which the prototypes are not updated (SwAV: 1).", { minimum: 0 }),
    },
    "SwAV settings (Caron et al. 2020): online clustering with Sinkhorn-Knopp codes swapped between views; multi-crop.",
  ),
  dino: Obj(
    {
      outDim: Int(1024, "Output dimension K of the DINO head (DINO: 65536 on ImageNet).", { minimum: 2 }),
      bottleneck: Int(128, "Bottleneck dimension before the weight-normalised last layer (DINO: 256).", { minimum: 1 }),
      studentTemp: temperature(0.1, "Student softmax temperature (DINO: 0.1)."),
      teacherTemp: temperature(0.07, "Teacher softmax temperature after the warm-up (DINO: 0.04-0.07)."),
      warmupTeacherTemp: temperature(0.04, "Teacher temperature at the start of the warm-up (DINO: 0.04)."),
      warmupTeacherTempEpochs: Int(30, "Epochs of the linear teacher temperature warm-up (DINO: 30).", { minimum: 0 }),
      centerMomentum: momentum(0.9, "Momentum of the teacher output centre (DINO: 0.9)."),
      momentum: momentum(0.996, "Base EMA rate of the teacher, raised to 1 along a cosine (DINO: 0.996)."),
    },
    "DINO settings (Caron et al. 2021, Emerging Properties in Self-Supervised Vision Transformers): self-distillation with a centred, sharpened EMA teacher; multi-crop.",
  ),
};

export type MethodName = keyof typeof METHOD_SCHEMAS;
export const METHODS = Object.keys(METHOD_SCHEMAS) as MethodName[];

export const METHOD_SUMMARIES: Record<MethodName, string> = {
  simclr: "contrastive, NT-Xent over two views in the batch (Chen et al. 2020)",
  moco: "MoCo v2: contrastive against a queue of momentum-encoder keys (Chen et al. 2020)",
  byol: "an online network predicts an EMA target, no negatives (Grill et al. 2020)",
  simsiam: "predictor + stop-gradient, no negatives, no EMA (Chen & He 2021)",
  barlowtwins: "cross-correlation of the views pushed to the identity (Zbontar et al. 2021)",
  vicreg: "variance-invariance-covariance regularisation (Bardes et al. 2022)",
  swav: "online clustering, swapped Sinkhorn codes, multi-crop (Caron et al. 2020)",
  dino: "self-distillation with a centred EMA teacher, multi-crop (Caron et al. 2021)",
};

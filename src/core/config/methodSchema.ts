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
  mae: Obj(
    {
      maskRatio: Num(0.75, "Fraction of each image's patches hidden from the encoder; round((1 − maskRatio) · patches) stay visible (MAE: 0.75).", { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
      normPixLoss: Type.Boolean({ default: true, description: "Predict each patch normalised by its own pixel mean and standard deviation (MAE's default: true; it sharpens the representation)." }),
      decoderDepth: Int(2, "Transformer blocks of the decoder (MAE: 8; the paper's ablation shows 1-2 nearly as good for fine-tuning).", { minimum: 1 }),
      decoderWidth: Int(64, "Token width of the decoder; a multiple of 4 and of decoderHeads (MAE: 512, lighter than the encoder).", { minimum: 4 }),
      decoderHeads: Int(2, "Attention heads of the decoder (MAE: 16, i.e. 32 per head; 2 keeps 32 per head at width 64).", { minimum: 1 }),
    },
    "MAE settings (He et al. 2022, Masked Autoencoders Are Scalable Vision Learners): the encoder sees a random quarter of the patches, a light decoder reconstructs the pixels of the rest. Needs model.backbone \"vit\"; one view per image.",
  ),
  rotnet: Obj(
    {
      headHidden: Int(0, "Hidden units of the rotation classifier on the pooled backbone features; 0: a linear classifier (Gidaris et al. 2018 classify from the network's last, pooled features).", { minimum: 0 }),
    },
    "RotNet settings (Gidaris et al. 2018, Unsupervised Representation Learning by Predicting Image Rotations): each image is shown rotated by 0, 90, 180 and 270 degrees, all four in the batch, and the network tells which. One view per image.",
  ),
  jigsaw: Obj(
    {
      permutations: Int(100, "Size P of the permutation set, the classes of the puzzle, chosen greedily for maximal Hamming distance and fixed by the seed (Noroozi & Favaro 2016 compare sets of 100 and 1000; 1000 in their final model, a harder task).", { minimum: 2, maximum: 362880 }),
      gap: Num(0.15, "Fraction of a cell's side each tile gives up: tiles are (1 − gap) of the cell, at a random offset in it, so neighbouring tiles share no edge (Noroozi & Favaro: 64-pixel tiles in 75-pixel cells, 0.15).", { minimum: 0, maximum: 0.9 }),
      normalizeTiles: Type.Boolean({ default: true, description: "Normalise each tile to zero mean and unit variance on its own, so low-level statistics cannot place it (Noroozi & Favaro: true)." }),
      headHidden: Int(1024, "Hidden units of the MLP over the 9 concatenated tile features (Noroozi & Favaro: 4096 on ImageNet).", { minimum: 1 }),
    },
    "Jigsaw settings (Noroozi & Favaro 2016, Unsupervised Learning of Visual Representations by Solving Jigsaw Puzzles): the view is cut into 3x3 tiles, shuffled by one of P permutations; the shared backbone embeds each tile and an MLP tells the permutation. One view per image.",
  ),
  colorization: Obj(
    {
      binSize: Int(10, "Side of the ab quantisation grid; only bins sRGB colours reach are classes (Zhang et al. 2016: 10; 262 in-gamut bins here).", { minimum: 2, maximum: 50 }),
      neighbours: Int(5, "Soft encoding: each pixel's true ab is spread over this many nearest bins (Zhang et al.: 5).", { minimum: 1, maximum: 36 }),
      sigma: Num(5, "Width of the Gaussian kernel of the soft encoding, in ab units (Zhang et al.: 5).", { exclusiveMinimum: 0 }),
      headHidden: Int(256, "Hidden channels of the per-location (1x1 convolution) head on the backbone's last feature map.", { minimum: 1 }),
    },
    "Colorization settings (Zhang et al. 2016, Colorful Image Colorization): the network sees the lightness L and predicts each region's ab colours as a distribution over quantised bins. Needs an RGB dataset and a convnet or resnet18 backbone; one view per image.",
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
  mae: "masked autoencoder: reconstruct the pixels of hidden patches, ViT only (He et al. 2022)",
  rotnet: "pretext task: classify the rotation (0/90/180/270 degrees) of each image (Gidaris et al. 2018)",
  jigsaw: "pretext task: tell which permutation shuffled the 3x3 tiles of the image (Noroozi & Favaro 2016)",
  colorization: "pretext task: predict the colours (ab bins) from the lightness, RGB datasets only (Zhang et al. 2016)",
};

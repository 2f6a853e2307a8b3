/** Per-sample augmentation kernels: float32 NHWC batches in [0, 1], one parameter per sample (null: unchanged). */
export { hflip, vflip } from "./flip";
export { affine, rotateMatrix, shearMatrix, translateMatrix, type AffineMatrix } from "./affine";
export { brightness, contrast, saturation, sharpness } from "./color";
export { autoContrast, equalize, invert, posterize, solarize } from "./tone";
export { gaussianBlur, gaussianKernelSize } from "./blur";
export { cutout, type CutoutBox } from "./cutout";

/**
 * The SSL losses, one function per method, each taking the tensors and
 * parameters named as in the PyTorch reference fixtures (test/fixtures/losses/).
 */
export { ntxent } from "./ntxent";
export { moco } from "./moco";
export { byol } from "./byol";
export { simsiam } from "./simsiam";
export { barlowtwins } from "./barlowTwins";
export { vicreg } from "./vicreg";
export { swav, sinkhorn } from "./swav";
export { dino, dinoCenter } from "./dino";

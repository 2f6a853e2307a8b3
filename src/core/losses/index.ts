/**
 * The SSL losses, one function per method, each taking the tensors and
 * parameters named as in the PyTorch reference fixtures (test/fixtures/losses/).
 */
export { ntxent } from "./ntxent";

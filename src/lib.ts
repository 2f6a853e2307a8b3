/** The library entry (dist/lib.js): what other programs and the tests import. */
// Gradients are registered separately from the ops in tfjs-core; every entry that trains needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

export * as losses from "./core/losses";

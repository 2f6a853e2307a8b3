/**
 * Stop-gradient (PyTorch's `.detach()`, the `sg(·)` of the SSL papers): the
 * value passes through unchanged, the gradient back to the input is zero.
 * tfjs has no such op, so both helpers are custom-gradient ops. The gradient
 * is an exact zero rather than absent so that tf.grads/variableGrads over a
 * detached input still succeed (and report zeros) instead of throwing.
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * `f(x)` computed with no gradient to `x`, like `with torch.no_grad()`. The
 * forward of a custom-gradient op runs with the tape off, so none of f's ops
 * are recorded or backpropagated through.
 */
export function detached<T extends tf.Tensor>(x: tf.Tensor, f: (x: tf.Tensor) => T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    return { value: f(input), gradFunc: () => tf.zerosLike(input) };
  });
  return op(x) as T;
}

/** `x` with no gradient flowing back through it (`x.detach()`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  // A clone, not x itself: the op's output must be a tensor distinct from its input.
  return detached(x, (input) => tf.clone(input) as T);
}

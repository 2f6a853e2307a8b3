/**
 * DINO (Caron et al. 2021): self-distillation without labels. The student's
 * softmax over each view must match the teacher's sharper (lower temperature),
 * centred softmax over each *other* global view, by cross-entropy averaged
 * over those (teacher view, student view) pairs and the batch. The teacher
 * gets no gradient: it moves only as the momentum average of the student.
 * Centring (see dinoCenter) and sharpening together keep the outputs from
 * collapsing to one dimension or to uniform.
 */
import * as tf from "@tensorflow/tfjs-core";
import { detached } from "./stopGradient";

export interface DinoInputs {
  /** Student outputs, [V, B, K]: all V views, views 0 and 1 being the global crops the teacher also sees. */
  student: tf.Tensor3D;
  /** Teacher outputs of the global crops, [T, B, K] (T = 2); stop-gradient. Teacher view i is student view i. */
  teacher: tf.Tensor3D;
  /** Running center of the teacher outputs, [K]; a buffer, no gradient. */
  center: tf.Tensor1D;
}

export interface DinoParams {
  /** Student softmax temperature; 0.1 in the paper. */
  studentTemp: number;
  /** Teacher softmax temperature (sharpening); 0.04 to 0.07 in the paper. */
  teacherTemp: number;
  /** Momentum of the center's update (used by dinoCenter, not by the loss); 0.9 in the paper. */
  centerMomentum: number;
}

export function dino({ student, teacher, center }: DinoInputs, { studentTemp, teacherTemp }: Pick<DinoParams, "studentTemp" | "teacherTemp">): tf.Scalar {
  return tf.tidy(() => {
    const [v, b, k] = student.shape;
    const t = teacher.shape[0];
    if (t > v) throw new Error(`dino: ${t} teacher views but only ${v} student views`);
    // Teacher probabilities: centred, sharpened, detached (zero gradient to teacher and center).
    const q = detached(tf.sub(teacher, center), (x) => tf.softmax(tf.div(x, teacherTemp), -1));
    const logP = tf.logSoftmax(tf.div(student, studentTemp), -1);
    // crossEntropy[i, j] = sum over the batch and K of -q_i * log p_j: every pair at once.
    const crossEntropy = tf.neg(tf.matMul(tf.reshape(q, [t, b * k]), tf.reshape(logP, [v, b * k]), false, true)); // [T, V]
    // Drop the pairs where student and teacher see the same view.
    const otherView = tf.sub(1, tf.eye(t, v));
    const pairs = t * v - t;
    return tf.div(tf.sum(tf.mul(crossEntropy, otherView)), b * pairs) as tf.Scalar;
  });
}

/**
 * The center after one step: center * centerMomentum + (1 - centerMomentum) *
 * the mean of the teacher outputs over all teacher views and the batch. No gradient.
 */
export function dinoCenter({ teacher, center }: Pick<DinoInputs, "teacher" | "center">, { centerMomentum }: Pick<DinoParams, "centerMomentum">): tf.Tensor1D {
  return tf.tidy(() => {
    const batchCenter = tf.mean(teacher, [0, 1]);
    return tf.add(tf.mul(center, centerMomentum), tf.mul(batchCenter, 1 - centerMomentum)) as tf.Tensor1D;
  });
}

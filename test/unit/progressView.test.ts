import { test } from "node:test";
import * as assert from "node:assert/strict";
import { formatDuration, progressLine, ProgressView } from "../../src/cli/progressView";

const progress = (step: number) => ({ type: "progress" as const, epoch: 2, step, totalSteps: 40, loss: 4.12345, lr: 0.00123, imagesPerSec: 150.26, etaSeconds: 95 });

test("durations and the progress line", () => {
  assert.equal(formatDuration(95), "01:35");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(NaN), "--:--");
  assert.equal(progressLine(progress(10), 4, 8), "██░░░░░░  25% epoch 2/4 step 10/40 loss 4.1235 lr 0.00123 150.3 img/s ETA 01:35");
});

function sink(tty: boolean) {
  let text = "";
  const out = { isTTY: tty, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

test("a TTY redraws one bar line; a pipe gets plain lines, throttled, with the last step always shown", () => {
  const tty = sink(true);
  const view = new ProgressView(tty.out, true);
  view.show({ type: "runStarted", runDir: "/r", runId: "x", experiment: "e", backend: "wasm", epochs: 4, stepsPerEpoch: 10 });
  view.show(progress(1));
  view.show(progress(2));
  view.show({ type: "log", level: "info", message: "epoch 1: kNN accuracy 70.00%" });
  assert.match(tty.text(), /run folder: \/r\n\r\x1b\[2K.*step 1\/40.*\r\x1b\[2K.*step 2\/40.*\r\x1b\[2Kepoch 1: kNN accuracy 70\.00%\n/s);

  const pipe = sink(false);
  const plain = new ProgressView(pipe.out, false, 60_000);
  plain.show({ type: "runStarted", runDir: "/r", runId: "x", experiment: "e", backend: "wasm", epochs: 4, stepsPerEpoch: 10 });
  for (let s = 1; s <= 40; s++) plain.show(progress(s));
  const lines = pipe.text().trim().split("\n");
  assert.equal(lines.length, 3, pipe.text()); // run folder, the first step, the last step
  assert.doesNotMatch(pipe.text(), /\r|\x1b/);
  assert.match(lines[2]!, /step 40\/40/);
});

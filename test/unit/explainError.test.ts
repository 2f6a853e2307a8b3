import { test } from "node:test";
import * as assert from "node:assert/strict";
import { explainBackendError } from "../../src/core/backend/explainError";

test("wasm heap exhaustion becomes an actionable reason; other errors pass through", () => {
  const oom = explainBackendError(new Error("memory access out of bounds"), "wasm");
  assert.match(oom, /wasm backend ran out of memory .*set train\.microBatch .*lower train\.batchSize, model\.width or imageSize/);
  assert.match(explainBackendError(new Error("Aborted(). Build with -sASSERTIONS"), "wasm"), /ran out of memory/);
  assert.match(explainBackendError(new Error("table index is out of bounds"), "wasm"), /ran out of memory/);
  assert.equal(explainBackendError(new Error("memory access out of bounds"), "cpu"), "memory access out of bounds");
  const full = Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC", path: "/runs/x/summary.json" });
  assert.match(explainBackendError(full, "wasm"), /disk full while writing \/runs\/x\/summary\.json: the last complete checkpoint is kept/);
});

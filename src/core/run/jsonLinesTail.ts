/**
 * The last JSON line of a file that passes a test, reading only the file's
 * tail: metrics files grow with the run, and a line being appended may be
 * cut short (it is skipped, and so is the cut first line of the tail, which
 * could even parse as something else).
 */
import * as fs from "node:fs";

export function findLastJsonLine<T>(file: string, accept: (value: unknown) => boolean, maxBytes = 64 * 1024): T | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n");
    const first = length < size ? 1 : 0;
    for (let i = lines.length - 1; i >= first; i--) {
      const line = lines[i]!.trim();
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // a line still being appended: the one before is the last complete one
      }
      if (accept(value)) return value as T;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The last complete line of a JSON-lines file. */
export function readLastJsonLine(file: string, maxBytes = 64 * 1024): unknown {
  return findLastJsonLine(file, () => true, maxBytes);
}

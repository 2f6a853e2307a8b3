/**
 * "New experiment from here": hierarchical pretraining (Reed et al. 2022)
 * from a checkpoint, as a new experiment file beside the one that made it.
 * Its text is the source's (comments and settings kept, so the backbone
 * matches the checkpoint) with `init` pointing at the checkpoint and a name
 * of its own, so its runs get their own folder.
 */
import * as path from "node:path";
import { applyEdits, modify, parse } from "jsonc-parser";

export type Trainable = "all" | "batchnorm";

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2 } };

/** `<base>-hpt.ssl.json` beside the source, or `<base>-hpt-2.ssl.json`… when taken. */
export function hptFile(sourceFile: string, exists: (file: string) => boolean): string {
  const base = path.basename(sourceFile).replace(/\.ssl\.json$/i, "");
  for (let i = 1; ; i++) {
    const file = path.join(path.dirname(sourceFile), `${base}-hpt${i === 1 ? "" : `-${i}`}.ssl.json`);
    if (!exists(file)) return file;
  }
}

/** The new file's text: `init` set (the checkpoint relative to the new file), and `name` renamed when the source sets one. */
export function hptExperimentText(sourceText: string, newFile: string, checkpoint: string, trainable: Trainable): string {
  const raw = parse(sourceText, [], { allowTrailingComma: true }) as { name?: unknown } | undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error("the source experiment is not a JSON object");
  const relative = path.relative(path.dirname(newFile), checkpoint).split(path.sep).join("/");
  let text = applyEdits(sourceText, modify(sourceText, ["init"], { checkpoint: relative, trainable }, FORMAT));
  if (typeof raw.name === "string") text = applyEdits(text, modify(text, ["name"], path.basename(newFile).replace(/\.ssl\.json$/i, ""), FORMAT));
  return text;
}

/**
 * IntelliSense beyond the JSON Schema, as a person uses it: typing a dataset
 * path completes folder by folder from the disk, hovering a field shows the
 * paper's value, SimCLR with batch 32 gets the "few negatives" warning in
 * Problems, and its quick fix (Ctrl+.) sets the batch to 64, after which the
 * warning is gone.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { scenario } from "../lib/context";

// Spaces in the editor are U+00A0; compare text with them folded.
const plain = (s: string) => s.replace(/\u00a0/g, " ");
const FIX = "Set train.batchSize to 64";

export default scenario({
  name: "intellisense-advice",
  title: "Path completion from disk, hover with the paper's value, the small-batch warning and its quick fix",
  async run(ctx) {
    const { wb, page } = ctx;
    // A folder dataset whose path is still to be typed: data/images/ is the only thing under data/.
    fs.mkdirSync(path.join(ctx.folder, "data", "images"), { recursive: true });
    fs.writeFileSync(path.join(ctx.folder, "data", "images", "one.png"), "");
    const file = ctx.writeFile(
      "advice.ssl.json",
      [
        "{",
        '  "method": "simclr",',
        '  "dataset": {',
        '    "format": "folder",',
        '    "train": ',
        "  },",
        '  "simclr": { "temperature": 0.5 },',
        '  "train": {',
        '    "batchSize": 32',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    await wb.openFile(file);

    // 1. Path completion: the opening quote offers the folders next to the file, "/" the ones inside.
    const suggestionsWith = async (label: string, what: string) => {
      const found = async () => ((await wb.suggestions()).includes(label) ? wb.suggestions() : undefined);
      const shown = await wb.waitFor(what, found, { timeoutMs: 5_000 }).catch(() => undefined);
      if (shown) return shown;
      await page.keyboard.press("Control+Space");
      return wb.waitFor(what, found);
    };
    await wb.clickEndOfLine('"train":');
    await page.keyboard.type('"');
    const top = await suggestionsWith("data", 'the folder "data" offered in dataset.train');
    ctx.log(`offered at the start: ${top.join(", ")}`);
    for (let i = 0; i < top.indexOf("data"); i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.keyboard.type("/");
    const inside = await suggestionsWith("images", 'the folder "images" offered after "data/"');
    assert.deepEqual(inside, ["images"], "the entries of data/ on disk, and only folders (dataset.train is a folder)");
    await page.keyboard.press("Enter");
    await wb.waitFor('the editor to read "train": "data/images"', async () => plain(await wb.editorText()).includes('"train": "data/images"'));

    // 2. Hover: the paper's value with its source (SSL Studio's part) and the field's description (the JSON Schema's), once.
    const hover = await wb.hoverToken("temperature", /^(?=[\s\S]*Paper values?:[\s\S]*Chen et al\. 2020 \(SimCLR\), appendix B\.9)(?=[\s\S]*NT-Xent temperature tau)/);
    ctx.log(`hover: ${hover.replace(/\s+/g, " ")}`);
    assert.match(hover, /0\.5[\s\S]*CIFAR-10/, "the CIFAR-10 value");
    assert.equal(hover.split("NT-Xent temperature tau").length - 1, 1, "the description shown once");

    // 3. The small-batch warning in Problems, from SSL Studio; the typed path exists, so no path error.
    const problem = await wb.waitFor("the small-batch warning in the Problems panel", async () => (await wb.problems()).find((p) => /few negatives/.test(p)));
    ctx.log(`problem: ${problem}`);
    assert.match(problem, /^Warning/);
    assert.match(problem, /simclr with batch size 32: few negatives[\s\S]*SimSiam, BYOL or Barlow Twins/);
    // Problems lists every file's problems (other scenarios' broken experiments too): only this path's would name it.
    assert.ok(!(await wb.problems()).some((p) => /"data\/images" does not exist/.test(p)), "data/images exists: no path error");

    // 4. Ctrl+. on the value offers the fixes; the first sets 64 and the warning goes away.
    await wb.clickEndOfLine('"batchSize":');
    await page.keyboard.press("ArrowLeft");
    const fixes = await wb.quickFixes();
    ctx.log(`quick fixes: ${fixes.join(" | ")}`);
    assert.ok(fixes.some((f) => f.includes(FIX)), `the menu offers "${FIX}"; it offers ${fixes.join(" | ")}`);
    assert.ok(fixes.some((f) => /Switch method to simsiam/.test(f)), "and switching to a method without negatives");
    await ctx.screenshot({ keepMouse: true });
    await wb.applyQuickFix(FIX);
    await wb.waitFor('the editor to read "batchSize": 64', async () => plain(await wb.editorText()).includes('"batchSize": 64'));
    await wb.waitFor("the small-batch warning to leave the Problems panel", async () => !(await wb.problems()).some((p) => /few negatives/.test(p)));

    // The edit is an ordinary one: saved, it is on disk with the rest of the file as typed.
    await wb.clickEndOfLine('"batchSize":');
    await page.keyboard.press("Control+S");
    const onDisk = path.join(ctx.workspace, file);
    await wb.waitFor("the file on disk to have batch 64", async () => fs.readFileSync(onDisk, "utf8").includes('"batchSize": 64'));
    const saved = fs.readFileSync(onDisk, "utf8");
    assert.match(saved, /"train": "data\/images"/);
    assert.match(saved, /"simclr": \{ "temperature": 0\.5 \}/, "the rest of the file unchanged");
  },
});

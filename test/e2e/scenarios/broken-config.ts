/**
 * "SSL: Pretrain" on a broken experiment: an error notification that names the
 * file and the field (or line), "Open File" going there, and nothing written
 * to runs/ nor any trainer started.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { scenario } from "../lib/context";

const DATASET = '{ "format": "embedded", "name": "fashion-mnist-5k" }';
const CASES = [
  {
    name: "invalid-json",
    // A missing comma after the dataset line.
    text: ["{", '  "method": "simclr",', `  "dataset": ${DATASET}`, '  "imageSize": 16', "}", ""].join("\n"),
    expect: /invalid-json\.ssl\.json:4: (line 4: )?invalid JSON/,
    line: 4,
  },
  {
    name: "unknown-method",
    text: ["{", '  "method": "simclr2",', `  "dataset": ${DATASET}`, "}", ""].join("\n"),
    expect: /unknown-method\.ssl\.json:2: field "method": must be/,
    line: 2,
  },
  {
    name: "missing-dataset",
    text: ["{", '  "method": "simclr",', '  "dataset": { "format": "idx", "trainImages": "data/no-such-file-idx3-ubyte.gz" }', "}", ""].join("\n"),
    expect: /missing-dataset\.ssl\.json:3: field "dataset\.trainImages": path does not exist: .*no-such-file-idx3-ubyte\.gz/,
    line: 3,
  },
];

export default scenario({
  name: "broken-config",
  title: "SSL: Pretrain on invalid JSON, an unknown method, a missing dataset: an error naming file and field; nothing in runs/",
  async run(ctx) {
    const { wb } = ctx;
    const files = CASES.map((c) => ctx.writeFile(`${c.name}.ssl.json`, c.text));

    for (const [i, c] of CASES.entries()) {
      const exp = ctx.experiment(files[i]!);
      // The tree already flags the file (⚠ before its path).
      await wb.waitForTreeRow(`${c.name} flagged with ⚠`, (r) => r.level === 1 && r.label === c.name && r.description.startsWith("⚠"));
      await wb.clearNotifications();
      await wb.openFile(exp.relative);
      await wb.runCommand("SSL: Pretrain");
      const note = await wb.waitForNotification(c.expect, { severity: "error", what: `an error notification matching ${c.expect}` });
      assert.ok(note.message.includes(exp.file), `the error names the file: ${note.message}`);
      assert.deepEqual(note.buttons, ["Open File"]);
      // Give a wrongly started trainer the time to write something.
      await ctx.sleep(1500);
      assert.ok(!fs.existsSync(path.join(ctx.folder, "runs")), `nothing is written to runs/ (found ${path.join(ctx.folder, "runs")})`);
      assert.deepEqual(ctx.trainerPids(), [], "no trainer process was started");
      if (i === CASES.length - 1) await ctx.screenshot();

      // "Open File" puts the cursor on the line the message names.
      await wb.runCommand("View: Close All Editors");
      await wb.clickNotificationButton(c.expect, "Open File");
      await wb.waitFor(`${c.name}.ssl.json opened at line ${c.line}`, async () => {
        const tab = await wb.activeTab();
        const pos = await wb.statusBarTexts(/^Ln \d+, Col \d+/);
        return tab === `${c.name}.ssl.json` && pos.some((p) => p.startsWith(`Ln ${c.line},`));
      });
    }
  },
});

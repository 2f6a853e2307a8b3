/**
 * IntelliSense in an experiment file, from the schema the extension
 * contributes: completion inside "method": offers the method names, and a
 * wrong value gets the schema's diagnostic (Problems panel and squiggle hover).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { METHODS } from "../../../src/core/config/schema";
import { scenario } from "../lib/context";

// Spaces in the editor are U+00A0; compare text with them folded.
const plain = (s: string) => s.replace(/\u00a0/g, " ");

export default scenario({
  name: "intellisense",
  title: 'Completion inside "method": offers the methods; a wrong method gets the schema\'s diagnostic',
  async run(ctx) {
    const { wb, page } = ctx;
    const file = ctx.writeFile("intellisense.ssl.json", ['{', '  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },', '  "method": ', '}', ''].join("\n"));
    await wb.openFile(file);

    // Type the opening quote of the value, as a person would; ask for suggestions if they do not pop up by themselves.
    await wb.clickEndOfLine('"method":');
    await page.keyboard.type('"');
    let offered = await wb.waitFor("suggestions", async () => ((await wb.suggestions()).length ? wb.suggestions() : undefined), { timeoutMs: 5_000 }).catch(() => undefined);
    if (!offered) {
      await page.keyboard.press("Control+Space");
      offered = await wb.waitFor('completion suggestions inside "method": ', async () => ((await wb.suggestions()).length ? wb.suggestions() : undefined));
    }
    for (const m of METHODS) assert.ok(offered.includes(`"${m}"`), `completion offers "${m}"; it offered ${offered.join(", ")}`);
    ctx.log(`offered: ${offered.join(", ")}`);

    // Accepting the first method writes it into the file.
    const first = offered.indexOf(`"${METHODS[0]}"`);
    for (let i = 0; i < first; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await wb.waitFor(`the editor to read "method": "${METHODS[0]}"`, async () => plain(await wb.editorText()).includes(`"method": "${METHODS[0]}"`));

    // A wrong value: select the method and type another.
    await page.locator(".editor-group-container.active .view-line span", { hasText: METHODS[0] }).last().dblclick();
    await page.keyboard.type("not-a-method");
    await wb.waitFor('the editor to read "method": "not-a-method"', async () => plain(await wb.editorText()).includes('"method": "not-a-method"'));

    // VS Code's JSON language service words it from the schema: one allowed value gives
    // 'Value must be "simclr".', several 'Value is not accepted. Valid values: "simclr", ….'
    const problem = await wb.waitFor("a diagnostic on the method line in the Problems panel", async () =>
      (await wb.problems()).find((p) => /at line 3 and character/.test(p) && METHODS.every((m) => p.includes(`"${m}"`))),
    );
    ctx.log(`problem: ${problem}`);
    assert.match(problem, /Value must be|Value is not accepted/, "the message is the schema validation's");

    // The squiggle under the value shows the same message on hover.
    const squiggle = page.locator(".editor-group-container.active .squiggly-warning, .editor-group-container.active .squiggly-error").first();
    await squiggle.waitFor({ state: "attached", timeout: 10_000 });
    const box = await squiggle.boundingBox();
    assert.ok(box, "the wrong value is underlined");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = await wb.waitFor("the hover over the squiggle", async () => {
      const h = page.locator(".monaco-hover:not(.hidden)").filter({ hasText: METHODS[0] });
      return (await h.count()) ? h.first().innerText() : undefined;
    });
    const message = problem.split(" at line ")[0]!.replace(/^(Warning|Error): /, "");
    assert.ok(plain(hover).includes(message), `the hover shows "${message}"; it shows "${hover}"`);
    // …and the field's documentation from the schema the extension contributes (dist/experiment.schema.json).
    const schema = ctx.readJson<{ properties: { method: { description: string } } }>(path.join(ctx.repoRoot, "dist", "experiment.schema.json"));
    const doc = schema.properties.method.description;
    assert.ok(plain(hover).replace(/\s+/g, " ").includes(doc), `the hover shows the schema's description of "method" ("${doc}"); it shows "${hover}"`);
    await ctx.screenshot({ keepMouse: true });
    // Leave the file as it was on disk.
    await wb.runCommand("File: Revert File");
  },
});

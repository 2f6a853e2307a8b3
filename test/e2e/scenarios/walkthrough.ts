/**
 * The Getting Started walkthrough: "Welcome: Open Walkthrough…" lists SSL
 * Studio's, its five steps are there in order, and a step's button runs its
 * command (Read the curves → the Loss Curves panel opens), which marks the
 * step done.
 */
import * as assert from "node:assert/strict";
import { scenario } from "../lib/context";

// Callbacks given to page.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const document: any;

const STEPS = ["Create an experiment", "Preview the augmentations", "Pretrain", "Read the curves", "Evaluate a checkpoint"];

export default scenario({
  name: "walkthrough",
  title: "The Getting Started walkthrough lists its five steps; a step's button runs its command and marks it done",
  async run(ctx) {
    const { wb, page } = ctx;
    await wb.runCommand("Welcome: Open Walkthrough...");
    await wb.pick("Get Started with SSL Studio");
    const steps = await wb.waitFor("the walkthrough's steps", async () => {
      const titles: string[] = await page.locator(".gettingStartedSlideDetails .getting-started-step .step-title").allInnerTexts();
      return titles.length >= STEPS.length ? titles.map((t) => t.trim()) : undefined;
    });
    assert.deepEqual(steps, STEPS);

    const step = page.locator(".gettingStartedSlideDetails .getting-started-step", { hasText: "Read the curves" });
    await step.click();
    await step.locator(".monaco-button, a", { hasText: "Show Loss Curves" }).first().click();
    await wb.waitFor("the Loss Curves panel", async () => (await wb.activeTab()) === "Loss Curves");
    await wb.runCommand("Welcome: Open Walkthrough...");
    await wb.pick("Get Started with SSL Studio");
    await wb.waitFor("the step marked done", async () =>
      page.evaluate(() => {
        const el = [...document.querySelectorAll(".gettingStartedSlideDetails .getting-started-step")].find((s: any) => /Read the curves/.test(s.textContent));
        return !!el?.querySelector(".codicon-getting-started-step-checked, .complete");
      }),
    );
    await ctx.screenshot();
  },
});

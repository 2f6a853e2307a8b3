/**
 * What a scenario does with VS Code, the way a person would: the command
 * palette, Quick Open, the SSL Experiments tree, notifications, the editor's
 * suggestions and the Problems panel. Reads only what is on screen (DOM text,
 * labels, tooltips). Every wait has a timeout and, when it runs out, says what
 * it waited for and what the screen showed instead.
 */
import type { Frame, Page } from "playwright-core";

// Callbacks given to page.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const document: any;

export interface Notification {
  severity: "info" | "warning" | "error" | "unknown";
  message: string;
  source: string;
  buttons: string[];
}

export interface TreeRow {
  level: number;
  label: string;
  description: string;
  /** The hover text (VS Code puts a tree item's tooltip in its aria-label). */
  tooltip: string;
  /** The codicon name of the item's icon: "pass", "error", "debug-stop", "loading"… */
  icon: string;
  expanded: boolean | undefined;
  selected: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export class E2EError extends Error {
  override name = "E2EError";
}

const SSL_VIEW_COMMAND = "View: Show SSL Experiments";

export class Workbench {
  /** Notification texts read so far (toasts come and go), for error messages; reset() clears it. */
  private readonly history: string[] = [];

  constructor(readonly page: Page) {}

  /** Waits for the workbench to load and the extension's view container to appear. */
  async ready(timeoutMs = 120_000): Promise<void> {
    await this.page.waitForSelector(".monaco-workbench", { timeout: timeoutMs });
    await this.waitFor("the SSL Experiments activity bar entry", async () => (await this.page.locator('.activitybar [aria-label="SSL Experiments"]').count()) > 0, {
      timeoutMs,
    });
  }

  /**
   * Polls `probe` until it returns something other than undefined/null/false,
   * and returns that. On timeout the error names `what` and describes the
   * screen: notifications, the SSL tree, the SSL status bar item.
   */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, o: WaitOptions = {}): Promise<T> {
    const timeoutMs = o.timeoutMs ?? 30_000;
    const t0 = Date.now();
    let lastError: unknown;
    for (;;) {
      try {
        const v = await probe();
        if (v !== undefined && v !== null && v !== false) return v;
        lastError = undefined;
      } catch (e) {
        lastError = e;
      }
      if (Date.now() - t0 > timeoutMs) break;
      await this.page.waitForTimeout(o.intervalMs ?? 250);
    }
    const because = lastError ? `\n  last probe error: ${(lastError as Error).message.split("\n")[0]}` : "";
    throw new E2EError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${because}\n${await this.describe()}`);
  }

  /** A few lines of what the screen shows, for error messages. */
  async describe(): Promise<string> {
    try {
      const notes = await this.notifications();
      const rows = await this.treeRows();
      const status = await this.statusBarTexts(/SSL/);
      const quick = await this.quickInputRows();
      const earlier = this.history.filter((h) => !notes.some((n) => h === `[${n.severity}] ${n.message}`)).slice(-5);
      return [
        `  notifications: ${notes.length ? notes.map((n) => `[${n.severity}] ${n.message}`).join(" ‖ ") : "(none)"}`,
        ...(earlier.length ? [`  earlier notifications (last ${earlier.length}): ${earlier.join(" ‖ ")}`] : []),
        `  SSL tree: ${rows.length ? rows.map((r) => `${"  ".repeat(r.level - 1)}${r.label} — ${r.description}`).join(" ‖ ") : "(no rows)"}`,
        `  status bar: ${status.join(" ‖ ") || "(no SSL item)"}`,
        ...(quick.length ? [`  quick input rows: ${quick.slice(0, 8).join(" ‖ ")}`] : []),
      ].join("\n");
    } catch (e) {
      return `  (could not read the screen: ${(e as Error).message.split("\n")[0]})`;
    }
  }

  // ---- palette and quick input ----

  async quickInputVisible(): Promise<boolean> {
    return this.page.locator(".quick-input-widget .quick-input-box input").isVisible();
  }

  async quickInputRows(): Promise<string[]> {
    if (!(await this.quickInputVisible())) return [];
    return this.page
      .locator(".quick-input-list .monaco-list-row")
      .evaluateAll((rows: any[]) => rows.map((r) => String(r.getAttribute("aria-label") ?? r.textContent ?? "")));
  }

  async closeQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.quickInputVisible()); i++) {
      await this.page.keyboard.press("Escape");
      await this.page.waitForTimeout(150);
    }
  }

  /** Opens the command palette; resolves once its input is visible. */
  async openPalette(timeoutMs = 10_000): Promise<void> {
    await this.closeQuickInput();
    const input = this.page.locator(".quick-input-box input");
    await this.page.keyboard.press("Control+Shift+P");
    const opened = await input.waitFor({ state: "visible", timeout: Math.min(3_000, timeoutMs) }).then(() => true, () => false);
    if (opened) return;
    // Keys typed while a webview (an image preview, a panel) has focus go into its iframe, not the workbench:
    // give the focus back by clicking an empty part of the title bar, then ask again.
    await this.page.locator(".part.titlebar").click({ position: { x: 120, y: 10 } }).catch(() => undefined);
    await this.page.keyboard.press("Control+Shift+P");
    await input.waitFor({ state: "visible", timeout: timeoutMs });
  }

  /** Runs a command by its palette title, e.g. "SSL: Pretrain", picking the row with exactly that title. */
  async runCommand(title: string): Promise<void> {
    await this.openPalette();
    await this.page.keyboard.type(title);
    await this.pick(title, `the command "${title}" in the palette`);
  }

  /**
   * Clicks the quick-input row whose label is `label` (the aria-label is the
   * label, sometimes followed by ", recently used" or a keybinding).
   */
  async pick(label: string, what = `"${label}" in the quick pick`, timeoutMs = 15_000): Promise<void> {
    const rows = this.page.locator(".quick-input-list .monaco-list-row");
    const index = await this.waitFor(
      what,
      async () => {
        const labels = await this.quickInputRows();
        const i = labels.findIndex((l) => l === label || l.startsWith(`${label},`));
        return i >= 0 ? i : undefined;
      },
      { timeoutMs },
    );
    await rows.nth(index).click();
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab to be active. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split("/");
    const base = parts.pop()!;
    // Rows read "name.ssl.json, file results" at the root, "name.ssl.json folder/sub, file results" below it.
    const shown = parts.length ? `${base} ${parts.join("/")}` : base;
    await this.closeQuickInput();
    await this.page.keyboard.press("Control+P");
    await this.page.locator(".quick-input-box input").waitFor({ state: "visible", timeout: 10_000 });
    await this.page.keyboard.type(relativePath);
    const index = await this.waitFor(`${relativePath} in Quick Open`, async () => {
      const labels = await this.quickInputRows();
      const i = labels.findIndex((l) => l.split(",")[0] === shown);
      return i >= 0 ? i : undefined;
    });
    // The keyboard, not a click: a row below the list's visible part cannot be clicked.
    for (let i = 0; i < index; i++) await this.page.keyboard.press("ArrowDown");
    await this.page.keyboard.press("Enter");
    await this.waitFor(`the editor tab of ${base} to be active`, async () => (await this.activeTab()) === base);
  }

  async activeTab(): Promise<string | undefined> {
    const tab = this.page.locator(".editor-group-container.active .tabs-container .tab.active");
    if ((await tab.count()) === 0) return undefined;
    return (await tab.first().getAttribute("aria-label")) ?? undefined;
  }

  // ---- notifications ----

  async notifications(): Promise<Notification[]> {
    const notes = await this.readNotifications();
    for (const n of notes) {
      const line = `[${n.severity}] ${n.message}`;
      if (!this.history.slice(-10).includes(line)) {
        this.history.push(line);
        if (this.history.length > 200) this.history.shift();
      }
    }
    return notes;
  }

  private async readNotifications(): Promise<Notification[]> {
    return this.page.locator(".notification-toast .notification-list-item").evaluateAll((items: any[]) =>
      items.map((item) => {
        const icon = String(item.querySelector(".notification-list-item-icon")?.className ?? "");
        const severity = /codicon-error/.test(icon) ? "error" : /codicon-warning/.test(icon) ? "warning" : /codicon-info/.test(icon) ? "info" : "unknown";
        return {
          severity,
          message: String(item.querySelector(".notification-list-item-message")?.textContent ?? "").trim(),
          source: String(item.querySelector(".notification-list-item-source")?.textContent ?? "").replace(/^Source:\s*/, "").trim(),
          buttons: [...item.querySelectorAll(".notification-list-item-buttons-container .monaco-button")].map((b: any) => String(b.textContent ?? "").trim()),
        };
      }),
    );
  }

  /** Waits for a notification whose message matches; optionally of one severity. */
  async waitForNotification(
    message: RegExp,
    o: WaitOptions & { severity?: Notification["severity"]; what?: string } = {},
  ): Promise<Notification> {
    return this.waitFor(
      o.what ?? `a${o.severity ? `n ${o.severity}` : ""} notification matching ${message}`,
      async () => (await this.notifications()).find((n) => message.test(n.message) && (!o.severity || n.severity === o.severity)),
      o,
    );
  }

  async clickNotificationButton(message: RegExp, button: string): Promise<void> {
    const item = this.page.locator(".notification-toast .notification-list-item").filter({ hasText: message });
    await item.locator(".notification-list-item-buttons-container .monaco-button", { hasText: button }).first().click();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand("Notifications: Clear All Notifications");
    await this.waitFor("the notifications to clear", async () => (await this.notifications()).length === 0, { timeoutMs: 5_000 });
  }

  // ---- status bar ----

  async statusBarTexts(filter?: RegExp): Promise<string[]> {
    const texts = await this.page.locator(".statusbar-item").allInnerTexts();
    return texts.map((t) => t.trim()).filter((t) => t && (!filter || filter.test(t)));
  }

  // ---- the SSL Experiments tree ----

  async showExperimentsView(): Promise<void> {
    await this.runCommand(SSL_VIEW_COMMAND);
    await this.waitFor("the SSL Experiments view to show a tree", async () => (await this.treeRows()).length > 0);
  }

  async treeRows(): Promise<TreeRow[]> {
    return this.page.locator(".sidebar .monaco-list-row[aria-level]").evaluateAll((rows: any[]) =>
      rows.map((r) => {
        const icon = String(r.querySelector(".custom-view-tree-node-item-icon")?.className ?? "");
        const expanded = r.getAttribute("aria-expanded");
        return {
          level: Number(r.getAttribute("aria-level")),
          label: String(r.querySelector(".label-name")?.textContent ?? "").trim(),
          description: String(r.querySelector(".label-description")?.textContent ?? "").trim(),
          tooltip: String(r.querySelector(".monaco-icon-label")?.getAttribute("aria-label") ?? r.getAttribute("aria-label") ?? ""),
          icon: (icon.match(/codicon-([\w~-]+)/g) ?? []).map((c: string) => c.slice("codicon-".length)).filter((c: string) => c !== "modifier-spin")[0] ?? "",
          expanded: expanded === null ? undefined : expanded === "true",
          selected: r.getAttribute("aria-selected") === "true",
        };
      }),
    );
  }

  /** The rows under (not including) the level-1 row labelled `experiment`, up to the next level-1 row. */
  async experimentChildren(experiment: string): Promise<TreeRow[]> {
    const rows = await this.treeRows();
    const start = rows.findIndex((r) => r.level === 1 && r.label === experiment);
    if (start < 0) return [];
    const out: TreeRow[] = [];
    for (const r of rows.slice(start + 1)) {
      if (r.level === 1) break;
      out.push(r);
    }
    return out;
  }

  async waitForTreeRow(what: string, match: (r: TreeRow) => boolean, o: WaitOptions = {}): Promise<TreeRow> {
    return this.waitFor(`the SSL Experiments tree to show ${what}`, async () => (await this.treeRows()).find(match), o);
  }

  /** Waits for the run row of `experiment` labelled `runId` (any run when omitted) to satisfy `match`. */
  async waitForRunRow(experiment: string, what: string, match: (r: TreeRow) => boolean, o: WaitOptions & { runId?: string } = {}): Promise<TreeRow> {
    return this.waitFor(
      `run ${o.runId ?? "row"} of ${experiment} in the SSL Experiments tree to show ${what}`,
      async () => (await this.experimentChildren(experiment)).find((r) => r.level === 2 && (!o.runId || r.label === o.runId) && match(r)),
      o,
    );
  }

  /** Expands a collapsed tree row (clicking its twistie). */
  async expandRow(level: number, label: string): Promise<void> {
    const row = this.page.locator(`.sidebar .monaco-list-row[aria-level="${level}"]`).filter({ has: this.page.locator(".label-name", { hasText: label }) }).first();
    if ((await row.getAttribute("aria-expanded")) === "false") await row.locator(".monaco-tl-twistie").click();
    await this.waitFor(`tree row "${label}" to expand`, async () => (await row.getAttribute("aria-expanded")) === "true", { timeoutMs: 5_000 });
  }

  // ---- editor ----

  /** Clicks at the end of the first editor line containing `text` (the editor renders spaces as U+00A0: keep `text` free of spaces). */
  async clickEndOfLine(text: string): Promise<void> {
    const line = this.page.locator(".editor-group-container.active .view-lines .view-line", { hasText: text }).first();
    await line.waitFor({ state: "visible", timeout: 10_000 });
    await line.click();
    await this.page.keyboard.press("End");
  }

  /** Labels in the editor's suggest widget (empty when it is closed). */
  async suggestions(): Promise<string[]> {
    const widget = this.page.locator(".editor-widget.suggest-widget.visible");
    if ((await widget.count()) === 0) return [];
    return widget.locator(".monaco-list-row").evaluateAll((rows: any[]) =>
      rows.map((r) => String(r.querySelector(".label-name")?.textContent ?? r.getAttribute("aria-label") ?? "").trim()),
    );
  }

  async editorText(): Promise<string> {
    const lines = await this.page.locator(".editor-group-container.active .view-lines .view-line").allInnerTexts();
    return lines.join("\n");
  }

  /** Moves the mouse onto the last editor token containing `token` and returns the hover's text once `expect` matches it. */
  async hoverToken(token: string, expect: RegExp, o: WaitOptions = {}): Promise<string> {
    const span = this.page.locator(".editor-group-container.active .view-line span", { hasText: token }).last();
    await span.waitFor({ state: "visible", timeout: 10_000 });
    const box = await span.boundingBox();
    if (!box) throw new E2EError(`the editor token "${token}" has no box on screen`);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    return this.waitFor(
      `a hover over "${token}" matching ${expect}`,
      async () => {
        const texts = await this.page.locator(".monaco-hover:not(.hidden)").allInnerTexts();
        return texts.map((t) => t.replace(/\u00a0/g, " ")).find((t) => expect.test(t));
      },
      o,
    );
  }

  /** Opens the quick fix menu at the cursor (Ctrl+.) and returns its entries' titles. */
  async quickFixes(): Promise<string[]> {
    await this.page.keyboard.press("Control+.");
    return this.waitFor("the quick fix menu", async () => {
      const rows = await this.page
        .locator(".action-widget .monaco-list-row")
        .evaluateAll((els: any[]) => els.map((e) => String(e.getAttribute("aria-label") ?? e.textContent ?? "").trim()).filter(Boolean));
      return rows.length ? rows : undefined;
    });
  }

  /**
   * Applies the quick fix menu's entry titled `title` (the menu must be open)
   * with the keyboard, as a click lands on the menu's pointer guard.
   */
  async applyQuickFix(title: string): Promise<void> {
    const rows = this.page.locator(".action-widget .monaco-list-row");
    const titles = await rows.evaluateAll((els: any[]) => els.map((e) => String(e.getAttribute("aria-label") ?? "")));
    if (!titles.includes(title)) throw new E2EError(`no quick fix "${title}"; the menu has ${titles.join(" | ")}`);
    for (let i = 0; i < titles.length; i++) {
      const focused = await this.page.locator(".action-widget .monaco-list-row.focused").getAttribute("aria-label").catch(() => null);
      if (focused === title) {
        await this.page.keyboard.press("Enter");
        return;
      }
      await this.page.keyboard.press("ArrowDown");
    }
    throw new E2EError(`could not move the quick fix menu's focus to "${title}"`);
  }

  /** The Problems panel's messages, shown through "View: Focus Problems". */
  async problems(): Promise<string[]> {
    await this.runCommand("View: Focus Problems (Errors, Warnings, Infos)");
    await this.page.locator(".markers-panel").waitFor({ state: "visible", timeout: 10_000 });
    return this.page
      .locator(".markers-panel .monaco-list-row")
      .evaluateAll((rows: any[]) => rows.map((r) => String(r.getAttribute("aria-label") ?? r.textContent ?? "")));
  }

  /**
   * The frame of the webview whose page shows `selector` (webviews are nested
   * iframes). Seen once in CI: code-server left a new webview's frame empty
   * (no page, no error); after 30 s "Developer: Reload Webviews" loads the
   * pages again, once, and a page that never renders still fails.
   */
  async webviewFrame(selector: string, what: string, log: (line: string) => void = () => undefined): Promise<Frame> {
    const find = (timeoutMs: number) =>
      this.waitFor(
        what,
        async () => {
          for (const f of this.page.frames()) {
            const found = await f.evaluate((sel: string) => !!document.querySelector(sel), selector).catch(() => false);
            if (found) return f;
          }
          return undefined;
        },
        { timeoutMs },
      );
    try {
      return await find(30_000);
    } catch {
      log(`${what} stayed empty for 30 s: Developer: Reload Webviews`);
      await this.runCommand("Developer: Reload Webviews");
      return find(30_000);
    }
  }

  /** Switches the colour theme through "Preferences: Color Theme" (label as the picker shows it, e.g. "Light Modern"). */
  async setColorTheme(label: string, light: boolean): Promise<void> {
    await this.runCommand("Preferences: Color Theme");
    await this.page.keyboard.type(label);
    await this.pick(label, `the theme "${label}"`);
    const cls = light ? "vs" : "vs-dark";
    await this.waitFor(`the workbench in the ${label} theme`, async () =>
      this.page.evaluate((c: string) => document.querySelector(".monaco-workbench")?.classList.contains(c) ?? false, cls),
    );
  }

  // ---- housekeeping ----

  /** Answers a modal dialog (e.g. "Don't Save") if one is open. */
  async answerDialog(button: string): Promise<boolean> {
    const b = this.page.locator(".monaco-dialog-box .monaco-button", { hasText: button });
    if ((await b.count()) === 0) return false;
    await b.first().click();
    return true;
  }

  /** Back to a calm workbench between scenarios: no quick input, notifications, editors or panel. */
  async reset(): Promise<void> {
    await this.closeQuickInput();
    await this.answerDialog("Cancel");
    await this.clearNotifications();
    this.history.length = 0;
    await this.runCommand("View: Close All Editors");
    // Unsaved edits a scenario left behind are dropped.
    for (let i = 0; i < 10; i++) {
      await this.page.waitForTimeout(300);
      if (!(await this.answerDialog("Don't Save"))) break;
    }
    // "View: Hide Panel" is only in the palette while the panel shows.
    if (await this.page.locator(".part.panel").isVisible()) await this.runCommand("View: Hide Panel");
    await this.showExperimentsView();
  }

  /** Drags the side bar's edge so tree descriptions (kNN, failure reasons) are readable in screenshots. */
  async widenSideBar(toX = 620): Promise<void> {
    const sash = this.page.locator(".monaco-sash.vertical:not(.disabled)").first();
    const box = await sash.boundingBox();
    if (!box || box.x > toX) return;
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(toX, box.y + box.height / 2, { steps: 8 });
    await this.page.mouse.up();
  }

  /** A screenshot as a person would see it: the mouse parked where it shows no hover (unless the hover is the point). */
  async screenshot(file: string, o: { keepMouse?: boolean } = {}): Promise<void> {
    if (!o.keepMouse) {
      const vp = this.page.viewportSize();
      await this.page.mouse.move((vp?.width ?? 1400) * 0.86, 12);
    }
    await this.page.waitForTimeout(300);
    await this.page.screenshot({ path: file });
  }
}

/** Every command the extension contributes, in one list that package.json mirrors. */
import * as vscode from "vscode";
import type { Services } from "../services";
import { pretrain, resumeRun } from "./pretrain";
import { stopRun } from "./stopRun";
import { newExperiment } from "./newExperiment";
import { openRunFolder } from "./openRunFolder";
import { checkEnvironment } from "./checkEnvironment";
import { previewAugmentations } from "../augmentPreview/command";
import { buildSaliencyCache, openSaliencyExplorer } from "../saliencyExplorer/command";
import { browseCheckpoints } from "../checkpointBrowser/command";
import { compareRuns, showLossCurves } from "../lossCurves/command";

export function registerCommands(s: Services): vscode.Disposable[] {
  const commands: Record<string, (arg?: unknown, more?: unknown) => unknown> = {
    "ssl.pretrain": (arg) => pretrain(s, arg),
    "ssl.resumeRun": (arg) => resumeRun(s, arg),
    "ssl.stopRun": (arg) => stopRun(s, arg),
    "ssl.newExperiment": () => newExperiment(s),
    "ssl.openRunFolder": (arg) => openRunFolder(s, arg),
    "ssl.checkEnvironment": () => checkEnvironment(s),
    "ssl.previewAugmentations": (arg) => previewAugmentations(s, arg),
    "ssl.saliencyExplorer": (arg) => openSaliencyExplorer(s, arg),
    "ssl.buildSaliencyCache": (arg) => buildSaliencyCache(s, arg),
    "ssl.browseCheckpoints": (arg) => browseCheckpoints(s, arg),
    "ssl.showLossCurves": (arg) => showLossCurves(s, arg),
    "ssl.compareRuns": (arg, selected) => compareRuns(s, arg, selected),
    "ssl.refresh": () => s.tree.refresh(),
    "ssl.showLog": () => s.log.show(true),
  };
  return Object.entries(commands).map(([id, run]) =>
    vscode.commands.registerCommand(id, async (arg?: unknown, more?: unknown) => {
      try {
        await run(arg, more);
      } catch (e) {
        // A bug in a command is reported, never left as an unhandled rejection in the extension host.
        s.log.error(`${id}: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(`SSL: ${id} failed: ${(e as Error).message}`);
      }
    }),
  );
}

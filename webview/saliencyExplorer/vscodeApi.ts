/** The panel's channel to the extension host. */
import type { PanelToHost } from "../../src/protocol/saliencyExplorer";
import { hostChannel } from "../shared/vscodeApi";

export const post = hostChannel<PanelToHost>();

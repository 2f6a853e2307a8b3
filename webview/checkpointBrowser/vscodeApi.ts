/** The panel's channel to the extension host. */
import type { PanelToHost } from "../../src/protocol/checkpointBrowser";
import { hostChannel } from "../shared/vscodeApi";

export const post = hostChannel<PanelToHost>();

/** The panel's channel to the extension host. */
import type { PanelToHost } from "../../src/protocol/lossCurves";
import { hostChannel } from "../shared/vscodeApi";

export const post = hostChannel<PanelToHost>();

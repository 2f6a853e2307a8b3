/** "SSL: Preview Augmentations": the panel of the active (or given, or picked) experiment file. */
import type { Services } from "../services";
import { experimentFileFor } from "../commands/pickers";
import { AugmentPreviews } from "./previews";

const previewsOf = new WeakMap<Services, AugmentPreviews>();

/** The panels of this activation, created with the first preview and disposed with the extension. */
export function augmentPreviews(s: Services): AugmentPreviews {
  let p = previewsOf.get(s);
  if (!p) {
    p = new AugmentPreviews(s.context, s.log);
    previewsOf.set(s, p);
    s.context.subscriptions.push(p);
  }
  return p;
}

export async function previewAugmentations(s: Services, arg?: unknown): Promise<void> {
  const file = await experimentFileFor(arg, "SSL: Preview Augmentations");
  if (!file) return;
  augmentPreviews(s).open(file);
}

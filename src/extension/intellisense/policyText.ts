/** An augmentation policy in a few Markdown lines, for preset completion and hover. */
import type { ViewInput } from "../../core/augment/presets";

const value = (v: unknown) => (Array.isArray(v) ? `[${v.join(", ")}]` : String(v));

function opText(op: ViewInput["ops"][number]): string {
  const params = Object.entries(op).filter(([k]) => k !== "op");
  return params.length ? `${op.op} (${params.map(([k, v]) => `${k} ${value(v)}`).join(", ")})` : op.op;
}

export function policyMarkdown(views: readonly ViewInput[]): string {
  return views
    .map((v) => {
      const size = v.size !== undefined ? `, ${v.size} px` : v.relativeSize !== undefined ? `, ${Math.round(v.relativeSize * 100)}% of imageSize` : "";
      return `- **${v.name ?? "view"}** ×${v.count ?? 1}${size}: ${v.ops.map(opText).join(" → ")}`;
    })
    .join("\n");
}

/** "2 views", or with several view kinds "8 views (2 global + 6 local)". */
export function viewCountText(views: readonly ViewInput[]): string {
  const total = views.reduce((n, v) => n + (v.count ?? 1), 0);
  const kinds = views.map((v) => `${(v.count ?? 1) > 1 ? `${v.count} ` : ""}${v.name ?? "view"}`).join(" + ");
  return `${total} view${total === 1 ? "" : "s"}${views.length > 1 ? ` (${kinds})` : ""}`;
}

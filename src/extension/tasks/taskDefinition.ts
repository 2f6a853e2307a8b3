/**
 * Tasks of type "ssl" (tasks.json or "Run Task"): what each runs, as the
 * ssl-studio CLI's arguments. No vscode here: the provider (sslTasks.ts) turns
 * these into VS Code tasks, and the CLI's "file:line: message" errors feed the
 * "$ssl" problem matcher (package.json).
 */
export const SSL_TASK_TYPE = "ssl";
export const SSL_TASK_COMMANDS = ["pretrain", "cache-build", "eval"] as const;
export type SslTaskCommand = (typeof SSL_TASK_COMMANDS)[number];

export interface SslTaskDefinition {
  type: typeof SSL_TASK_TYPE;
  command: SslTaskCommand;
  /** pretrain, cache-build: an experiment file; eval: a checkpoint or run folder. Relative to the workspace folder. */
  file: string;
  /** More CLI arguments, e.g. ["--backend", "wasm"] or ["--protocol", "knn,linear"]. */
  args?: string[];
}

/** What is wrong with a definition from tasks.json, or undefined. */
export function definitionProblem(d: Record<string, unknown>): string | undefined {
  if (!SSL_TASK_COMMANDS.includes(d.command as SslTaskCommand)) return `"command" must be one of ${SSL_TASK_COMMANDS.join(", ")}`;
  if (typeof d.file !== "string" || d.file === "") return `"file" must name ${d.command === "eval" ? "a checkpoint or run folder" : "an experiment file"}`;
  if (d.args !== undefined && !(Array.isArray(d.args) && d.args.every((a) => typeof a === "string"))) return `"args" must be a list of strings`;
  return undefined;
}

export function cliArgs(d: SslTaskDefinition): string[] {
  const head = d.command === "cache-build" ? ["cache", "build"] : [d.command];
  return [...head, d.file, ...(d.args ?? [])];
}

/** "pretrain examples/fashion-mnist-simclr.ssl.json": what Run Task lists under "ssl". */
export function taskName(d: SslTaskDefinition): string {
  return `${d.command} ${d.file}`;
}

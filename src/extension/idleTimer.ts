/** Runs `onIdle` once `ms` pass without being re-armed: how the panels' worker processes stop when unused. */
export class IdleTimer {
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  arm(): void {
    this.clear();
    this.timer = setTimeout(this.onIdle, this.ms);
    // A pending idle stop must not keep the extension host (or a test) alive.
    this.timer.unref?.();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Runs at most `limit` tasks at once; a task that must wait is started in turn with the others
 * waiting, one of each party (a project) after another, so a party with many waits for its own.
 */
export class FairGate {
  private running = 0;
  /** The parties waiting, in turn order (a party served goes to the back), each with its waiting tasks. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number) {}

  async run<T>(party: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit && this.waiting.size === 0) this.running++;
    else {
      await new Promise<void>((resolve) => {
        const tasks = this.waiting.get(party);
        if (tasks === undefined) this.waiting.set(party, [resolve]);
        else tasks.push(resolve);
      });
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Hands the finished task's place to the next party's first waiting task. */
  private release(): void {
    const next = this.waiting.entries().next();
    if (next.done === true) {
      this.running--;
      return;
    }
    const [party, tasks] = next.value;
    const start = tasks.shift()!;
    this.waiting.delete(party);
    if (tasks.length > 0) this.waiting.set(party, tasks);
    start();
  }
}

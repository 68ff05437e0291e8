/**
 * A read held between its answer and its use, so that a change can be made in between: the order
 * a background round (an alert interval, a sampling round) and an API change race in, forced.
 */
export class HeldRead {
  private held: { answered: () => void; release: Promise<void> } | null = null;

  /** `read`, answering as the store was and then, while a test holds it, waiting to be released. */
  wrap<A extends unknown[], T>(read: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    return async (...args) => {
      const answer = await read(...args);
      const hold = this.held;
      if (hold !== null) {
        hold.answered();
        await hold.release;
      }
      return answer;
    };
  }

  /** Starts `round`, runs `change` once the round's wrapped read has answered, then lets the round use what it read. */
  async around(round: () => Promise<unknown>, change: () => Promise<unknown>): Promise<void> {
    let answered!: () => void;
    let release!: () => void;
    const readAnswered = new Promise<void>((resolve) => (answered = resolve));
    this.held = { answered, release: new Promise<void>((resolve) => (release = resolve)) };
    const running = round();
    await readAnswered;
    this.held = null;
    try {
      await change();
    } finally {
      release();
      await running;
    }
  }
}

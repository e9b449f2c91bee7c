/** A FIFO async mutex: `acquire()` resolves with the function that releases it. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => next);
    this.waiting += 1;
    await previous;
    this.waiting -= 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  /** How many callers are queued behind the holder. */
  get queued(): number {
    return this.waiting;
  }
}

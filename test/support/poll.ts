// Bounded polling for tests whose subject runs elsewhere: worker processes, or a worker's timers in this process.

export interface PollOptions {
  /** Gives up (throwing with the last value read) after this long. default 30 s */
  timeoutMs?: number;
  /** Between reads. default 100 ms */
  everyMs?: number;
}

/** Reads until `done` holds for what was read, and returns that; `what` names the wait in the timeout's message. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last read: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

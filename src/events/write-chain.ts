// Writes a sink's batches one after another, off the caller's path: write() queues and returns at
// once (the engine's drain never waits on the disk); flush() waits for everything queued and
// reports, once, the first failure since the last flush as SIGWALL_ERR_STORE naming the sink.
import { SigwallError } from '../errors.js';

export class WriteChain<T> {
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  constructor(
    private readonly what: string, // e.g. "events file in /var/lib/sigwall/events"
    private readonly file: string,
    private readonly append: (batch: T[]) => Promise<void>,
  ) {}

  queue(batch: T[]): void {
    this.#chain = this.#chain
      .then(() => this.append(batch))
      .catch((error: Error) => {
        this.#failure ??= error;
      });
  }

  async flush(): Promise<void> {
    await this.#chain;
    if (this.#failure) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw new SigwallError('SIGWALL_ERR_STORE', `${this.what}: ${failure.message}`, { file: this.file });
    }
  }
}

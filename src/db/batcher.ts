// Requests that arrive together share one query. Each query costs Postgres a statement, a
// transaction and a round trip whatever it carries; under load the switch's route requests queue
// behind a few queries in flight and go together in the next one, so that cost is paid per batch.
// Alone, a request waits for nothing but the end of the current event-loop turn.

export interface BatcherOptions {
  /** Requests in one query at most. */
  maxBatch: number;
  /** Queries in flight at once; requests arriving while all are busy wait for the next one. */
  maxInFlight: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

export class Batcher<In, Out> {
  private readonly queue: Array<Waiting<In, Out>> = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * `runBatch` answers its inputs in their order. It must change nothing when it fails (one
   * statement, one transaction): a failed batch of several is run again one request at a time,
   * so one bad request fails alone.
   */
  constructor(
    private readonly runBatch: (inputs: In[]) => Promise<Out[]>,
    private readonly options: BatcherOptions,
  ) {}

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // The requests whose sockets were read in the same turn join this one.
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async send(batch: Array<Waiting<In, Out>>): Promise<void> {
    try {
      const outputs = await this.runBatch(batch.map((waiting) => waiting.input));
      batch.forEach((waiting, i) => waiting.resolve(outputs[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(batch.map((waiting) => this.send([waiting])));
    }
  }
}

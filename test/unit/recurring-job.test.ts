import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecurringJob } from '../../src/services/recurring-job.ts';

const messages = { done: 'things done', failed: 'things failed', count: 'things' };

describe('startRecurringJob', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when started, then it runs once shortly after start and then every interval, logging only runs that did something', async () => {
    const counts = [0, 3, 0];
    const work = vi.fn(async () => counts.shift() ?? 0);
    const logger = { info: vi.fn(), error: vi.fn() };
    const job = startRecurringJob(work, 60_000, logger, messages, 2_000);

    await vi.advanceTimersByTimeAsync(1_999);
    expect(work).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(work).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(work).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(work).toHaveBeenCalledTimes(3);
    expect(logger.info.mock.calls).toEqual([[{ things: 3 }, 'things done']]);
    await job.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('when a run is still going at the next tick, then the tick is skipped; stop waits for the run; a failure is logged and the job goes on', async () => {
    let finish: (count: number) => void = () => {};
    const work = vi.fn(() => new Promise<number>((resolve) => { finish = resolve; }));
    const logger = { info: vi.fn(), error: vi.fn() };
    const job = startRecurringJob(work, 1_000, logger, messages, 10);
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(work).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = job.stop().then(() => { stopped = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish(1);
    await stopping;
    expect(stopped).toBe(true);

    const failing = vi.fn(async () => { throw new Error('database gone'); });
    const second = startRecurringJob(failing, 1_000, logger, messages, 10);
    await vi.advanceTimersByTimeAsync(1_010);
    expect(failing).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'things failed');
    await second.stop();
  });

  it('when the interval is shorter than the first-run delay, then the first run comes at the interval', async () => {
    const work = vi.fn(async () => 0);
    const job = startRecurringJob(work, 500, { info: vi.fn(), error: vi.fn() }, messages);
    await vi.advanceTimersByTimeAsync(500);
    expect(work).toHaveBeenCalledTimes(2);
    await job.stop();
  });
});

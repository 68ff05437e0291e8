import { afterEach, describe, expect, it } from 'vitest';
import { IngestLoad, type LoopTime } from './ingest-load.js';

let load: IngestLoad | null = null;
afterEach(() => load?.close());

/** A decode thread's loop time that the test moves on by hand. */
function loop(): { time: LoopTime; spend: (activeMs: number, idleMs: number) => void } {
  const time = { idle: 0, active: 0 };
  return {
    time,
    spend: (activeMs, idleMs) => {
      time.active += activeMs;
      time.idle += idleMs;
    },
  };
}

describe('IngestLoad', () => {
  it('is busy once the decode thread was busy 97% of an interval, until an interval under 90%', () => {
    const decode = loop();
    load = new IngestLoad(
      () => ({ ...decode.time }),
      () => 0,
      { intervalMs: 60_000 },
    );
    expect(load.busy()).toBe(false);

    decode.spend(960, 40);
    load.sample();
    expect(load.decodeUtilization()).toBeCloseTo(0.96);
    expect(load.busy()).toBe(false);

    decode.spend(970, 30);
    load.sample();
    expect(load.decodeUtilization()).toBeCloseTo(0.97);
    expect(load.busy()).toBe(true);

    // Busy stays busy down to 90%, so a load near the line does not flip it each second.
    decode.spend(920, 80);
    load.sample();
    expect(load.busy()).toBe(true);
    decode.spend(890, 110);
    load.sample();
    expect(load.busy()).toBe(false);
    decode.spend(960, 40);
    load.sample();
    expect(load.busy()).toBe(false);
  });

  it('is busy while the writer is 2 s behind, however idle the decode thread', () => {
    let behind = 1.9;
    load = new IngestLoad(
      () => ({ idle: 0, active: 0 }),
      () => behind,
      { intervalMs: 60_000 },
    );
    expect(load.busy()).toBe(false);
    behind = 2;
    expect(load.busy()).toBe(true);
  });

  it('is idle once the decode thread was busy under a fifth of an interval, until an interval over a third, while the writer is under a second behind', () => {
    const decode = loop();
    let behind = 0;
    load = new IngestLoad(
      () => ({ ...decode.time }),
      () => behind,
      { intervalMs: 60_000 },
    );
    // Nothing read yet: nothing to do.
    expect(load.idle()).toBe(true);
    decode.spend(430, 570);
    load.sample();
    expect(load.idle()).toBe(false);
    expect(load.busy()).toBe(false);
    // Not idle again until under a fifth, so a load near the line does not flip it each second.
    decode.spend(250, 750);
    load.sample();
    expect(load.idle()).toBe(false);
    decode.spend(190, 810);
    load.sample();
    expect(load.idle()).toBe(true);
    decode.spend(300, 700);
    load.sample();
    expect(load.idle()).toBe(true);
    behind = 1;
    expect(load.idle()).toBe(false);
    behind = 0;
    decode.spend(340, 660);
    load.sample();
    expect(load.idle()).toBe(false);
  });

  it('reads the decode thread once an interval by itself', async () => {
    const decode = loop();
    // Busy 98% of whatever time passes between two readings.
    load = new IngestLoad(
      () => (decode.spend(9.8, 0.2), { ...decode.time }),
      () => 0,
      { intervalMs: 10 },
    );
    expect(load.busy()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(load.decodeUtilization()).toBeCloseTo(0.98);
    expect(load.busy()).toBe(true);
  });
});

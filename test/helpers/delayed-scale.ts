/**
 * Async twins of the three-weight Scale layer (test/zoo/protocol/weight-scale.ts) for the tests of
 * unawaited checks: `'microtask'` answers after one microtask (the check, about 100 calls, settles
 * before a test that forgets `await` has ended), `'immediate'` after a turn of the event loop and
 * `'timer'` after a 2 ms timer per call, as a GPU read-back does (the test ends first; a check takes
 * about 0.4 s). `dwFactor` 2 is the doubled weight gradient.
 */
import { AsyncScale } from '../zoo/protocol/weight-scale.js';

export type Delay = 'microtask' | 'immediate' | 'timer';

function wait(delay: Delay): Promise<void> {
  if (delay === 'microtask') return Promise.resolve();
  return new Promise((resolve) => (delay === 'immediate' ? setImmediate(resolve) : setTimeout(resolve, 2)));
}

export class DelayedScale extends AsyncScale {
  /** Calls into forward and backward that have not answered yet. */
  running = 0;

  constructor(
    private readonly delay: Delay,
    dwFactor = 1,
  ) {
    super(dwFactor);
  }

  override async forward(x: Float64Array): Promise<Float64Array> {
    this.running++;
    await wait(this.delay);
    this.running--;
    return this.inner.forward(x);
  }

  override async backward(g: Float64Array): Promise<Float64Array> {
    this.running++;
    await wait(this.delay);
    this.running--;
    return this.inner.backward(g);
  }
}

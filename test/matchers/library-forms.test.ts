/**
 * The matcher under Vitest on every protocol form a library layer needs (test/zoo/library/form-cases.ts):
 * the matcher as installed by the setup file (src/vitest.ts); the correct layer passes, the planted bug fails naming its entries, and `.not` agrees.
 */
import { describe, expect, it } from 'vitest';
import { gluedSimpleRNN } from '../zoo/library/index.js';
import { PROTOCOL_FORM_CASES } from '../zoo/library/form-cases.js';
import { tensorOfLabel, thrownMessage, worstEntryLabels } from '../helpers/assertion-messages.js';

describe.each(PROTOCOL_FORM_CASES)('$form', ({ make, buggy, options, wrongTensors, wrongEntries }) => {
  it('passes the correct layer, and .not fails on it', () => {
    expect(make()).toHaveCorrectGradients(options ?? {});
    expect(thrownMessage(() => expect(make()).not.toHaveCorrectGradients(options ?? {}))).toContain('but they agree');
  });

  it('fails the planted bug, naming its entries of its tensors only', () => {
    const message = thrownMessage(() => expect(buggy()).toHaveCorrectGradients(options ?? {}));
    const named = worstEntryLabels(message);
    expect(named.length).toBeGreaterThan(0);
    expect(named.map(tensorOfLabel).filter((tensor) => !wrongTensors.includes(tensor))).toEqual([]);
    if (wrongEntries !== undefined) expect([...named].sort()).toEqual([...wrongEntries].sort());
    expect(buggy()).not.toHaveCorrectGradients(options ?? {});
  });
});

it('a library that averages over its batch fails without gradientFactor, and the message suggests it', () => {
  const message = thrownMessage(() => expect(gluedSimpleRNN()).toHaveCorrectGradients());
  expect(message).toContain('gradientFactor');
  expect(message).toMatch(/declare it once: \{ gradientFactor: 1 \/ 2 \}/);
});

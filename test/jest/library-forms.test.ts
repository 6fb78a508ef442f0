/// <reference types="jest" />
/**
 * The matcher under Jest (setupFilesAfterEnv: src/jest.ts) on every protocol form a library layer
 * needs, the same cases as test/matchers/library-forms.test.ts under Vitest.
 */
import { tensorOfLabel, thrownMessage, worstEntryLabels } from '../helpers/assertion-messages';
import { gluedSimpleRNN } from '../zoo/library/index';
import { PROTOCOL_FORM_CASES } from '../zoo/library/form-cases';

describe.each(PROTOCOL_FORM_CASES)('$form', ({ make, buggy, options, wrongTensors, wrongEntries }) => {
  test('passes the correct layer, and .not fails on it', () => {
    expect(make()).toHaveCorrectGradients(options ?? {});
    expect(thrownMessage(() => expect(make()).not.toHaveCorrectGradients(options ?? {}))).toContain('but they agree');
  });

  test('fails the planted bug, naming its entries of its tensors only', () => {
    const message = thrownMessage(() => expect(buggy()).toHaveCorrectGradients(options ?? {}));
    const named = worstEntryLabels(message);
    expect(named.length).toBeGreaterThan(0);
    expect(named.map(tensorOfLabel).filter((tensor) => !wrongTensors.includes(tensor))).toEqual([]);
    if (wrongEntries !== undefined) expect([...named].sort()).toEqual([...wrongEntries].sort());
    expect(buggy()).not.toHaveCorrectGradients(options ?? {});
  });
});

test('a library that averages over its batch fails without gradientFactor, and the message suggests it', () => {
  const message = thrownMessage(() => expect(gluedSimpleRNN()).toHaveCorrectGradients());
  expect(message).toMatch(/declare it once: \{ gradientFactor: 1 \/ 2 \}/);
});

test('with a declared gradientFactor the drawn diff says its analytic side is divided by it', () => {
  const declared = thrownMessage(() => expect(gluedSimpleRNN('recurrent-grad-uses-current-state')).toHaveCorrectGradients({ gradientFactor: 1 / 2 }));
  expect(declared.split('\n')).toContain('+ Analytic (backward ÷ gradientFactor)');
  const undeclared = thrownMessage(() => expect(gluedSimpleRNN('recurrent-grad-uses-current-state')).toHaveCorrectGradients());
  expect(undeclared.split('\n')).toContain('+ Analytic (backward)');
});

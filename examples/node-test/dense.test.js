// @ts-check
/// <reference types="expect-gradcheck/jest-globals" />
// The reference above gives editors (and tsc --checkJs) the matcher's types on `expect`.
import { afterEach, beforeEach, test } from 'node:test';
import { expect } from 'expect';
import { failUnawaitedChecks, jestMatchers } from 'expect-gradcheck';
import { Dense } from './dense.js';

expect.extend(jestMatchers);
// A check of an async layer (forward or backward returning a Promise) must be awaited; with this
// line, a test that forgets the `await` fails and says so, instead of passing unchecked.
failUnawaitedChecks({ beforeEach, afterEach });

test('Dense has correct gradients', () => {
  expect(new Dense(4, 3)).toHaveCorrectGradients();
});

// The other outcome, kept green with .not: remove the .not to see the report that names b[0], b[1], b[2].
test('a bias gradient taken from the first sample only is caught', () => {
  expect(new Dense(4, 3, { bug: 'bias-first-sample' })).not.toHaveCorrectGradients();
});

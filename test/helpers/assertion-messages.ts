/**
 * Reading a failed assertion as a user reads it, in any runner: its message without colour codes
 * (runners colour messages when FORCE_COLOR is set), and the entries its "Worst entries" list names.
 */
import { stripVTControlCharacters } from 'node:util';

/** The message `run` throws, without colour codes. */
export function thrownMessage(run: () => void): string {
  try {
    run();
  } catch (error) {
    return stripVTControlCharacters((error as Error).message);
  }
  throw new Error('expected the assertion to throw, but it passed');
}

/** What running `assertion` showed: '' when it passed, else its message (colour codes kept, as the runner gave them). */
export function outcomeOf(assertion: () => void): string {
  try {
    assertion();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The message of a failing awaited assertion, without colour codes. `run` is typed `unknown`: the
 * matcher's declared return type is not a Promise even when it returns one for an async layer.
 */
export async function rejectionMessage(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return stripVTControlCharacters((error as Error).message);
  }
  throw new Error('expected the assertion to fail, but it passed');
}

/**
 * How the error of a test that left a failing check of an async layer running without `await`
 * begins, line by line, as the matcher writes it (the report follows).
 */
export const UNAWAITED_FAILED_HEAD = [
  'expect(layer).toHaveCorrectGradients()',
  '',
  'The check was not awaited. The layer is async (its forward or backward returns a Promise), so the matcher returns a Promise, and the test ended while the check was still running.',
  '',
  'Await it (in an async test function):',
  '',
  '  await expect(layer).toHaveCorrectGradients()',
  '',
  'It failed after the test ended, and the test never saw it:',
];

/** The lines of an error's message without colour codes; none for no error. */
export function plainLines(error: Error | undefined): string[] {
  return error === undefined ? [] : stripVTControlCharacters(error.message).split('\n');
}

/**
 * The labels of the "Worst entries" lines of a failure message (`  w[0]  analytic …`), i.e. the
 * entries the report names as wrong, in the report's order.
 */
export function worstEntryLabels(message: string): string[] {
  const start = message.indexOf('Worst entries:');
  if (start < 0) return [];
  const labelled: string[] = [];
  for (const line of message.slice(start).split('\n').slice(1)) {
    const match = /^\s+(\S+)\s+analytic\s/.exec(line);
    if (match === null) break;
    labelled.push(match[1]);
  }
  return labelled;
}

/** The tensor a label belongs to: `w[0,1]` → `w`, `alpha` → `alpha`, `input[1][0,2]` → `input[1]`. */
export function tensorOfLabel(label: string): string {
  const position = /\[[\d,]*\]$/.exec(label);
  return position === null ? label : label.slice(0, position.index);
}

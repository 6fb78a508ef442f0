import { stripVTControlCharacters } from 'node:util';

/** The message `run` throws, without colour codes (Jest colours messages when FORCE_COLOR is set). */
export function thrownMessage(run: () => void): string {
  try {
    run();
  } catch (error) {
    return stripVTControlCharacters((error as Error).message);
  }
  throw new Error('expected the assertion to throw, but it passed');
}

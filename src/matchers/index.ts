import { createToHaveCorrectGradients } from './toHaveCorrectGradients.js';

/** For `expect.extend` in runners that draw diffs from `actual`/`expected` (Vitest); plain-text messages. */
export const matchers = { toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: false, plainText: true }) };

/** For Jest, whose custom matchers get no automatic diff: the diff is part of the message. */
export const jestMatchers = { toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: true, plainText: false }) };

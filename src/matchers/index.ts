import { createToHaveCorrectGradients } from './toHaveCorrectGradients.js';
import { createToHaveCorrectGradientsAcross } from './toHaveCorrectGradientsAcross.js';

/** For `expect.extend` in runners that draw diffs from `actual`/`expected` (Vitest); plain-text messages. */
export const matchers = {
  toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: false, plainText: true }),
  toHaveCorrectGradientsAcross: createToHaveCorrectGradientsAcross({ diffInMessage: false, plainText: true }),
};

/** For Jest, whose custom matchers get no automatic diff: the diff is part of the message. */
export const jestMatchers = {
  toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: true, plainText: false }),
  toHaveCorrectGradientsAcross: createToHaveCorrectGradientsAcross({ diffInMessage: true, plainText: false }),
};

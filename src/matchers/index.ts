import { createToHaveCorrectGradients } from './toHaveCorrectGradients.js';
import { createToHaveCorrectGradientsAcross } from './toHaveCorrectGradientsAcross.js';

/** For `expect.extend` in runners that draw diffs from `actual`/`expected` (Vitest). */
export const matchers = {
  toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: false }),
  toHaveCorrectGradientsAcross: createToHaveCorrectGradientsAcross({ diffInMessage: false }),
};

/** For Jest, whose custom matchers get no automatic diff: the diff is part of the message. */
export const jestMatchers = {
  toHaveCorrectGradients: createToHaveCorrectGradients({ diffInMessage: true }),
  toHaveCorrectGradientsAcross: createToHaveCorrectGradientsAcross({ diffInMessage: true }),
};

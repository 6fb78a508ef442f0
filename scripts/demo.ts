/**
 * npm run demo — checks a correct dense layer and one with a realistic backward bug, and prints
 * both reports exactly as the matcher would show them.
 */
import { checkGradients, formatReport } from '../src/index.js';
import { zooEntry } from '../test/zoo/index.js';

const dense = zooEntry('dense');
const bug = dense.bugs[0];

console.log('━━ A correct dense layer ━━');
console.log("expect(new Dense(...)).toHaveCorrectGradients()  →  passes\n");
console.log(formatReport(checkGradients(dense.make('float64'))));

console.log(`\n━━ The same layer with a bug: ${bug.description} ━━`);
console.log("expect(new Dense(..., { bug })).toHaveCorrectGradients()  →  fails with\n");
console.log(formatReport(checkGradients(bug.make('float64'))));

console.log('\n━━ The same buggy layer in float32 (float32 defaults apply) ━━\n');
console.log(formatReport(checkGradients(bug.make('float32'))));

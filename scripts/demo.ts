/**
 * npm run demo — checks a correct dense layer and one with a realistic backward bug, a layer across
 * shapes with a bug that shows only when two sizes are equal, and a model whose fourth layer has a
 * wrong input gradient, and prints the reports as the matchers show them.
 */
import { checkGradients, checkGradientsAcross, formatAcrossReport, formatReport } from '../src/index.js';
import { zooEntry } from '../test/zoo/index.js';
import { buildSequence, sequencePlans } from '../test/zoo/sequences.js';
import { shapeCase } from '../test/zoo/shapes/index.js';

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

console.log('\n━━ Across shapes: a row sum whose backward picks the axis by matching sizes ━━');
console.log("expect((config) => buildRowSum(config)).toHaveCorrectGradientsAcross({ rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] })  →  fails with\n");
const rowSum = shapeCase('broadcast-sum');
console.log(formatAcrossReport(checkGradientsAcross((config) => rowSum.build(config, true), rowSum.space)));

console.log('\n━━ A whole model: sequence(dense, tanh, conv, norm, dense, mse) whose layer norm has a wrong input gradient ━━');
console.log('expect(sequence(...layers)).toHaveCorrectGradients()  →  fails, naming the layer\n');
console.log(formatReport(checkGradients(buildSequence(sequencePlans[0], 3, 'input'))));

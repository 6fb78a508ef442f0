/**
 * TensorFlow.js as the tfjs zoo layers use it: tfjs-core with the pure-JS CPU backend (float32).
 *
 * In Node both packages resolve to their CommonJS bundles (`tf-core.node.js`,
 * `tf-backend-cpu.node.js`), under Vitest as under Jest, so tests share one engine. That engine
 * has no gradient functions registered: the only file that registers them,
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js`, is ESM for bundlers (extensionless
 * imports). Plain Node and Jest cannot load it ("Cannot find module …/dist/gradients/Abs_grad"), and
 * Vitest can only by inlining a second, ESM copy of tfjs-core (≈ 5 s of import). So the zoo layers
 * write their backward passes with tfjs ops instead of `tf.grad`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// IS_TEST silences the "install tfjs-node" banner the CPU backend prints on first use, and makes the
// engine check every kernel for leaked tensors.
tf.env().set('IS_TEST', true);

export { tf };

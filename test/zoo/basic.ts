/** The basic zoo: the everyday hand-written layers, each with realistic buggy variants. */
import type { ZooEntry } from './types.js';
import { biasOnlyEntry } from './bias-only.js';
import { conv1dEntry } from './conv1d.js';
import { denseEntry } from './dense.js';
import { embeddingEntry } from './embedding.js';
import { layerNormEntry } from './layer-norm.js';
import { leakyReluEntry } from './leaky-relu.js';
import { mlpEntry } from './mlp.js';
import { mseEntry } from './mse.js';
import { reluEntry } from './relu.js';
import { sigmoidEntry } from './sigmoid.js';
import { softmaxCrossEntropyEntry } from './softmax-cross-entropy.js';
import { softmaxEntry } from './softmax.js';
import { tanhEntry } from './tanh.js';

export { BiasOnly } from './bias-only.js';
export { Conv1d } from './conv1d.js';
export { Dense } from './dense.js';
export { Embedding } from './embedding.js';
export { LayerNorm } from './layer-norm.js';
export { LeakyRelu } from './leaky-relu.js';
export { Mlp } from './mlp.js';
export { Mse } from './mse.js';
export { Relu } from './relu.js';
export { Sigmoid } from './sigmoid.js';
export { SoftmaxCrossEntropy } from './softmax-cross-entropy.js';
export { Softmax } from './softmax.js';
export { Tanh } from './tanh.js';

export const basicZoo: ZooEntry[] = [
  denseEntry,
  biasOnlyEntry,
  reluEntry,
  leakyReluEntry,
  sigmoidEntry,
  tanhEntry,
  softmaxEntry,
  softmaxCrossEntropyEntry,
  mseEntry,
  conv1dEntry,
  layerNormEntry,
  embeddingEntry,
  mlpEntry,
];

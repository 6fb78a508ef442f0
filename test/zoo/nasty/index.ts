/** Nasty-but-correct cases: correct layers that naive gradient checkers flag, each with buggy variants. */
import type { ZooEntry } from '../types.js';
import { absAtZeroEntry } from './abs-at-zero.js';
import { denseDeadUnitEntry } from './dense-dead-unit.js';
import { denseLargeOutputsBiasEntry } from './dense-large-outputs.js';
import { denseReluKinkEntry } from './dense-relu-kink.js';
import { maxPoolTiesEntry } from './max-pool-ties.js';
import { mseLargeLossEntry } from './mse-large-loss.js';
import { reluKinkEntry } from './relu-kink.js';
import { saturatedSigmoidEntry, saturatedTanhEntry } from './saturated-dense.js';
import { denseLargeParamsEntry, denseTinyParamsEntry } from './scaled-dense.js';
import { softmaxLargeLogitsEntry } from './softmax-large-logits.js';
import { saturatedEverywhereZoo } from './saturated-everywhere.js';
import { tieZoo } from './ties.js';
import { tinyGradientsEntry } from './tiny-gradients.js';

export const nastyZoo: ZooEntry[] = [
  reluKinkEntry,
  denseReluKinkEntry,
  maxPoolTiesEntry,
  absAtZeroEntry,
  denseLargeParamsEntry,
  denseTinyParamsEntry,
  tinyGradientsEntry,
  softmaxLargeLogitsEntry,
  mseLargeLossEntry,
  saturatedTanhEntry,
  saturatedSigmoidEntry,
  denseDeadUnitEntry,
  denseLargeOutputsBiasEntry,
  ...tieZoo,
  ...saturatedEverywhereZoo,
];

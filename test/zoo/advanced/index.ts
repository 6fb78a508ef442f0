/** The advanced zoo: layers with hand-written backward passes beyond the basics, each with buggy variants. */
import type { ZooEntry } from '../types.js';
import { attentionEntry } from './attention.js';
import { avgPoolEntry } from './avg-pool.js';
import { batchNormEntry } from './batch-norm.js';
import { conv2dEntry } from './conv2d.js';
import { dropoutEvalEntry } from './dropout-eval.js';
import { geluEntry } from './gelu.js';
import { lstmCellEntry } from './lstm-cell.js';
import { maxPoolEntry } from './max-pool.js';
import { residualBlockEntry } from './residual-block.js';

export const advancedZoo: ZooEntry[] = [
  conv2dEntry,
  maxPoolEntry,
  avgPoolEntry,
  batchNormEntry,
  lstmCellEntry,
  attentionEntry,
  geluEntry,
  dropoutEvalEntry,
  residualBlockEntry,
];

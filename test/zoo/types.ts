import type { GradientCheckOptions } from '../../src/check/options.js';
import type { Layer } from '../../src/layer/protocol.js';

/** Storage precision a zoo layer is built in: `Float64Array`/`number[]` or `Float32Array`. */
export type Dtype = 'float64' | 'float32';

/** A realistic mistake in a layer's backward pass. */
export interface BugVariant {
  /** Short kebab-case id, e.g. `weight-grad-times-2`. */
  name: string;
  /** The mistake as a reviewer would describe it. */
  description: string;
  /** Builds the buggy layer with the same seeded weights and input as the correct one. */
  make(dtype: Dtype): Layer;
  /** Names of the tensors (parameter names, or `input`) whose gradient the bug makes wrong. */
  wrongTensors: string[];
  /**
   * True when the bug is too mild to see in float32 (e.g. one entry off by 1e-4 relative):
   * the corpus then runs it in float64 only.
   */
  float64Only?: boolean;
  /** For a sequence: the positions of the layers whose own backward is wrong (the report's attribution must name exactly these). */
  wrongLayers?: number[];
}

/** A hand-written layer with its analytic backward pass and its buggy variants. */
export interface ZooEntry {
  /** e.g. `dense`, `softmax-cross-entropy`. */
  name: string;
  /** Builds the correct layer with seeded weights and a seeded `sampleInput()`. */
  make(dtype: Dtype): Layer;
  bugs: BugVariant[];
  /** A nasty-but-correct case (kinks, ties, extreme magnitudes) rather than an ordinary layer. */
  nasty?: boolean;
  /** The dtypes the layer exists in (default both): a library's layer may be float64 only. */
  dtypes?: Dtype[];
  /** Options the layer is always checked with (a library's declared gradientFactor). */
  options?: GradientCheckOptions;
}

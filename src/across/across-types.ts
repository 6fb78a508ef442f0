import type { GradientCheckOptions } from '../check/options.js';
import type { GradientReport } from '../check/report-types.js';
import type { Layer } from '../layer/protocol.js';

/** One configuration of the space: a value per key. */
export type Config = Readonly<Record<string, unknown>>;

/** What `build(config)` returns: a layer, a layer with the input to check it at, or null to skip a configuration that does not exist. */
export type Built = Layer | { layer: Layer; input: unknown } | null | undefined;

/** Candidate values per key, smallest first: `{ rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] }`. */
export type CandidateSpace = Readonly<Record<string, readonly unknown[]>>;

/**
 * The fast-check `Arbitrary` shape the search uses (fast-check itself recognizes arbitraries the
 * same way, by these three members), so the package needs no import of fast-check.
 */
export interface ArbitraryLike<T = unknown> {
  generate(...args: never[]): unknown;
  shrink(...args: never[]): unknown;
  canShrinkWithoutContext(value: unknown): boolean;
  /** Phantom: the generated configuration type. */
  readonly __config?: T;
}

/** The parts of the fast-check module the search calls. */
export interface FastCheckModule {
  property(arbitrary: unknown, predicate: (value: never) => boolean): unknown;
  asyncProperty(arbitrary: unknown, predicate: (value: never) => Promise<boolean>): unknown;
  check(property: unknown, parameters: Record<string, unknown>): unknown;
  sample(arbitrary: unknown, parameters: Record<string, unknown>): unknown[];
}

export interface AcrossOptions extends GradientCheckOptions {
  /**
   * Calls into the layers (forward and backward) the whole search may make, the shrinking
   * included: the search plans within it, so it tries the same configurations on every machine.
   * Default 200,000 (a check of a small layer makes about 700).
   */
  maxEvaluations?: number;
  /** A guard, not a plan: no check starts after this many seconds, and an unfinished search is `inconclusive`. Default 30. */
  maxSeconds?: number;
  /** For an Arbitrary space: how many configurations fast-check generates (default 100, within `maxEvaluations`). */
  runs?: number;
  /** For an Arbitrary space: the fast-check module, where it cannot be found from the working directory (a browser). */
  fastCheck?: FastCheckModule;
}

/** The outcome of one configuration's check. */
export interface TriedConfig {
  config: Config;
  verdict: GradientReport['verdict'] | 'error' | 'skipped';
  /** Calls into the layer this check made. */
  evaluations: number;
  /** Why the check reached no verdict, or what it threw. */
  note?: string;
}

export interface Counterexample {
  config: Config;
  /** The check of `config`; null when the layer threw there (the error is in `error`). */
  report: GradientReport | null;
  error?: string;
  /**
   * Every key was tried at each smaller candidate (with the others fixed), and pairs of keys and all
   * keys one step down, and none failed; false when the budget ended the shrinking (or, for an
   * Arbitrary, fast-check's shrinking did not run).
   */
  minimal: boolean;
  /** Failing configurations the shrinking moved through, largest first, ending with `config`. */
  path: Config[];
}

export type AcrossVerdict = 'pass' | 'fail' | 'inconclusive' | 'impossible';

/** Why the search stopped before trying everything it planned, if it did. */
export type AcrossStop = 'max-seconds' | null;

export interface AcrossResult {
  pass: boolean;
  verdict: AcrossVerdict;
  /** Every configuration checked, in order (the shrinking's checks included). */
  tried: TriedConfig[];
  /** The smallest failing configuration found, and its report. */
  counterexample: Counterexample | null;
  /** How many configurations the space holds (null for an Arbitrary), and how many were explored before any shrinking. */
  spaceSize: number | null;
  explored: number;
  /** Calls into the layers over the whole search. */
  evaluations: number;
  stop: AcrossStop;
  seed: number;
  /** `candidates` for a record of lists, `arbitrary` for a fast-check Arbitrary. */
  spaceKind: 'candidates' | 'arbitrary';
}

import { layerLabel, layerRange } from '../check/attribute/through-layer.js';
import type { GradientReport, LayerAttribution } from '../check/report-types.js';

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** What is wrong in one layer, as its own check found it. */
function wrongness(layer: LayerAttribution): string {
  const params = layer.tensors.filter((name) => !name.slice(layer.prefix.length).startsWith('input'));
  const parts = [...(layer.inputGradient === 'wrong' ? ['its input gradient'] : []), ...params];
  return parts.length === 0 ? 'its check fails' : `${parts.join(', ')} ${parts.length === 1 ? 'disagrees' : 'disagree'}`;
}

/**
 * The first line of a failing sequence's report: the wrong layers, and the ones that agree.
 * `Layer 3 (norm) is wrong: its input gradient disagrees; layers 0–2, 4 and 5 agree.`
 */
export function layersHeadline(report: GradientReport): string | null {
  const layers = report.layers;
  if (layers === null) return null;
  const wrong = layers.filter((layer) => layer.verdict === 'fail');
  const agree = layers.filter((layer) => layer.verdict === 'pass').map((layer) => layer.index);
  const unreached = layers.filter((layer) => layer.verdict === 'inconclusive' || layer.verdict === 'impossible').map((layer) => layer.index);
  const agreeing = agree.length === 0 ? '' : `; ${agree.length === 1 ? 'layer' : 'layers'} ${layerRange(agree)} ${agree.length === 1 ? 'agrees' : 'agree'}`;
  const open = unreached.length === 0 ? '' : `; ${unreached.length === 1 ? 'layer' : 'layers'} ${layerRange(unreached)} could not be checked alone`;
  if (wrong.length === 0) return `Every layer agrees when checked on its own: the sequence fails only as a whole (state shared between layers?)${open}.`;
  const named = wrong.map((layer) => `${capitalized(layerLabel(layer))} is wrong: ${wrongness(layer)}`);
  return `${named.join('. ')}${agreeing}${open}.`;
}

/** One line per layer: what its own check at the input it received found. */
export function layersSection(report: GradientReport): string[] {
  const layers = report.layers;
  if (layers === null) return [];
  const width = Math.max(...layers.map((layer) => `${layer.index} ${layer.name ?? ''}`.trimEnd().length));
  const status = (layer: LayerAttribution): string => {
    if (layer.verdict === 'pass') return 'agrees';
    if (layer.verdict === 'fail') return `WRONG: ${wrongness(layer)}`;
    return `${layer.verdict}${layer.error === undefined ? '' : ` (${layer.error})`}`;
  };
  return ['', 'Each layer checked on its own, at the input it received in the sequence:', ...layers.map((layer) => `  ${`${layer.index} ${layer.name ?? ''}`.trimEnd().padEnd(width)}  ${status(layer)}`)];
}

/** A wrong layer's own report with its tensors under the sequence's names, for its worst entries. */
export function prefixedReport(layer: LayerAttribution): GradientReport | null {
  if (layer.report === null) return null;
  return { ...layer.report, tensors: layer.report.tensors.map((tensor) => ({ ...tensor, name: `${layer.prefix}${tensor.name}` })) };
}

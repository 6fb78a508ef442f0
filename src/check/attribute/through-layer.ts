import type { Diagnosis, GradientReport, LayerAttribution } from '../report-types.js';

/** `0–2`, `0 and 2`, `0, 2 and 4`: layer positions as a reader counts them. */
export function layerRange(indices: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    runs.push(j - i >= 2 ? `${indices[i]}–${indices[j]}` : j > i ? `${indices[i]}, ${indices[j]}` : `${indices[i]}`);
    i = j;
  }
  const flat = runs.join(', ').split(', ');
  return flat.length === 1 ? flat[0] : `${flat.slice(0, -1).join(', ')} and ${flat[flat.length - 1]}`;
}

/** `layer 3 (conv)`, or `layer 3`. */
export const layerLabel = (layer: Pick<LayerAttribution, 'index' | 'name'>): string => `layer ${layer.index}${layer.name === null ? '' : ` (${layer.name})`}`;

const isSequenceInput = (name: string): boolean => name === 'input' || name.startsWith('input[') || name.startsWith('input.');

/** The layer a tensor of the sequence's report belongs to, by its prefix (`2.conv.W` → layer 2). */
function layerOfTensor(name: string, layers: readonly LayerAttribution[]): LayerAttribution | undefined {
  return layers.find((layer) => name.startsWith(layer.prefix));
}

/** `layers 0 and 2–4 and the sequence's input fail only through layer 5 (mse)'s input gradient: …` */
function throughMessage(culprit: LayerAttribution, failing: readonly string[], layers: readonly LayerAttribution[]): string {
  const fromLayers = [...new Set(failing.map((name) => layerOfTensor(name, layers)?.index).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
  const input = failing.some(isSequenceInput);
  const who = fromLayers.length === 0 ? "the sequence's input" : `${fromLayers.length === 1 ? 'layer' : 'layers'} ${layerRange(fromLayers)}${input ? " (and the sequence's input)" : ''}`;
  const plural = fromLayers.length > 1;
  const alone = fromLayers.length === 0 ? '' : ` Checked on ${fromLayers.length === 1 ? 'its' : 'their'} own, ${fromLayers.length === 1 ? 'that layer agrees' : 'those layers agree'}.`;
  return `${who} ${plural ? 'fail' : 'fails'} only through ${layerLabel(culprit)}'s input gradient.${alone} Fix ${layerLabel(culprit)}.`;
}

/**
 * The sequence's diagnoses once each layer was checked alone: the wrong layers' own diagnoses
 * (under the sequence's names), and, for a wrong input gradient, which failures of the composed
 * check it explains (the layers before it whose own checks pass, and the sequence's input). The
 * composed check's other diagnoses stay only for tensors no layer's own check explains.
 */
export function attributedDiagnoses(report: GradientReport, layers: readonly LayerAttribution[]): Diagnosis[] {
  const wrong = layers.filter((layer) => layer.verdict === 'fail');
  const own = wrong.flatMap((layer) => (layer.report?.diagnoses ?? []).map((d) => ({ ...d, tensor: `${layer.prefix}${d.tensor}` })));
  const explained = new Set<string>();
  const through: Diagnosis[] = [];
  // The first layer's input gradient is the sequence's own: nothing runs through it.
  for (const culprit of wrong.filter((layer) => layer.inputGradient === 'wrong' && layer.index > 0)) {
    const cleared = layers.filter((layer) => layer.index < culprit.index && layer.verdict === 'pass');
    const failing = report.tensors.filter((t) => !t.pass && (isSequenceInput(t.name) || cleared.some((layer) => t.name.startsWith(layer.prefix))));
    if (failing.length === 0) continue;
    for (const tensor of failing) explained.add(tensor.name);
    through.push({ kind: 'through-layer', tensor: `${culprit.prefix}input`, message: throughMessage(culprit, failing.map((t) => t.name), layers) });
  }
  const blamedElsewhere = (name: string): boolean => explained.has(name) || wrong.some((layer) => name.startsWith(layer.prefix));
  return [...own, ...through, ...report.diagnoses.filter((d) => !blamedElsewhere(d.tensor))];
}

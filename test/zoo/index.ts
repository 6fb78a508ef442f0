/** Every zoo layer: the basic layers, the advanced corpus layers, and the nasty-but-correct cases. */
import { advancedZoo } from './advanced/index.js';
import { basicZoo } from './basic.js';
import { libraryZoo } from './library/index.js';
import { nastyZoo } from './nasty/index.js';
import type { ZooEntry } from './types.js';

export { advancedZoo, basicZoo, libraryZoo, nastyZoo };
export type { BugVariant, Dtype, ZooEntry } from './types.js';

export const zoo: ZooEntry[] = [...basicZoo, ...advancedZoo, ...nastyZoo, ...libraryZoo];

export function zooEntry(name: string): ZooEntry {
  const entry = zoo.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`No zoo entry '${name}'. Known: ${zoo.map((e) => e.name).join(', ')}`);
  return entry;
}

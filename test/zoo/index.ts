/** Every zoo layer: the basic layers, the advanced corpus layers, the nasty-but-correct cases, the library-style, multi-input and shared-row layers, and sequences. */
import { advancedZoo } from './advanced/index.js';
import { basicZoo } from './basic.js';
import { libraryZoo } from './library/index.js';
import { nastyZoo } from './nasty/index.js';
import { multiInputZoo } from './protocol/multi-input.js';
import { sharedRowsZoo } from './protocol/shared-rows.js';
import { sequenceZoo } from './sequences.js';
import type { ZooEntry } from './types.js';

export { advancedZoo, basicZoo, libraryZoo, multiInputZoo, nastyZoo };
export type { BugVariant, Dtype, ZooEntry } from './types.js';

export const zoo: ZooEntry[] = [...basicZoo, ...advancedZoo, ...nastyZoo, ...libraryZoo, ...multiInputZoo, ...sharedRowsZoo, ...sequenceZoo];

export function zooEntry(name: string): ZooEntry {
  const entry = zoo.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`No zoo entry '${name}'. Known: ${zoo.map((e) => e.name).join(', ')}`);
  return entry;
}

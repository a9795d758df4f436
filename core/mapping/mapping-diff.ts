import { createTwoFilesPatch } from 'diff';
import { MappingFiles } from './bundle';

export interface MappingDiff {
  added: string[];
  removed: string[];
  changed: string[];
  /** Unified diff of every file that differs, for people to read. */
  patch: string;
}

export function diffMappingFiles(before: MappingFiles, after: MappingFiles): MappingDiff {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const diff: MappingDiff = { added: [], removed: [], changed: [], patch: '' };
  const patches: string[] = [];
  for (const name of names) {
    const a = before[name];
    const b = after[name];
    if (a === b) continue;
    if (a === undefined) diff.added.push(name);
    else if (b === undefined) diff.removed.push(name);
    else diff.changed.push(name);
    patches.push(createTwoFilesPatch(a === undefined ? '/dev/null' : `a/${name}`, b === undefined ? '/dev/null' : `b/${name}`, a ?? '', b ?? '', '', '', { context: 3 }));
  }
  diff.patch = patches.join('');
  return diff;
}

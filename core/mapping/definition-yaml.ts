/**
 * Reads a definition's YAML, reporting every syntax error and the number
 * traps of YAML: `equals: 0000` is the number 0 to YAML (and `"01": UNPAID`
 * written without quotes a key "1"), so it never matches the text "0000" a
 * back office sends. A plain number whose source text does not survive the
 * reading is refused with what to write instead.
 */
import YAML, { isMap, isScalar, isSeq, Node, Scalar } from 'yaml';
import { DefinitionProblem, childPath } from './definition-errors';

function numberTrap(node: Scalar, source: string): string | undefined {
  if (typeof node.value !== 'number' || node.type !== 'PLAIN') return undefined;
  const text = source.slice(node.range![0], node.range![1]).trim();
  if (text === String(node.value)) return undefined;
  // 1.0, 2.50, 1e3 written where a number is meant read the same; leading zeros, hex and octal never do.
  if (!/^[-+]?0[0-9]|^[-+]?0[xo]|^\+/.test(text)) return undefined;
  return `YAML reads ${text} as the number ${node.value}: write '${text}' in quotes (or ${node.value} if a number is meant)`;
}

function walk(node: unknown, path: string, source: string, problems: DefinitionProblem[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const keyText = isScalar(key) ? String(key.value) : String(key);
      if (isScalar(key)) {
        const trap = numberTrap(key, source);
        if (trap) problems.push({ path: childPath(path, keyText), message: trap });
      }
      walk(pair.value, childPath(path, keyText), source, problems);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, childPath(path, i), source, problems));
  } else if (isScalar(node)) {
    const trap = numberTrap(node, source);
    if (trap) problems.push({ path: path || '(top level)', message: trap });
  }
}

/** The document as plain data, and every problem of its text (syntax errors by line, number traps by path). */
export function readDefinitionYaml(text: string): { value: unknown; problems: DefinitionProblem[] } {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    return {
      value: undefined,
      problems: doc.errors.map((e) => ({ path: `line ${e.linePos?.[0].line ?? '?'}`, message: e.message.split('\n')[0] })),
    };
  }
  const problems: DefinitionProblem[] = [];
  walk(doc.contents, '', text, problems);
  return { value: doc.toJS(), problems };
}

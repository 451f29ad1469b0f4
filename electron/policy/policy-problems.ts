import type { z } from 'zod';

/** Settings known under each object of the policy file, for "did you mean" on a misspelt key. */
export const KNOWN_NESTED_KEYS: Record<string, readonly string[]> = { proxy: ['url', 'bypass'] };

function fieldName(pathParts: readonly PropertyKey[]): string {
  let name = '';
  for (const part of pathParts) name += typeof part === 'number' ? `[${part}]` : `${name ? '.' : ''}${String(part)}`;
  return name;
}

/** Edit distance, for suggesting the setting a typo meant. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function unknownKey(key: string, known: readonly string[]): string {
  const plain = key.toLowerCase().replace(/[-_ ]/g, '');
  const close = known.find((k) => distance(k.toLowerCase(), plain) <= 2);
  return close ? `is not a known setting; did you mean "${close}"?` : `is not a known setting (known: ${known.join(', ')})`;
}

/** One sentence per problem, each starting with the field it concerns. Only names and bounds: a value is never repeated. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], topLevelKeys: readonly string[]): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    const at = fieldName(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = at === '' ? topLevelKeys : (KNOWN_NESTED_KEYS[at] ?? []);
      for (const key of issue.keys) problems.push(`${at ? `${at}.` : ''}${key}: ${unknownKey(key, known)}`);
      continue;
    }
    problems.push(`${at || '(file)'}: ${sentence(issue)}`);
  }
  return problems;
}

const EXPECTED: Record<string, string> = { boolean: 'true or false (without quotes)', array: 'a list [ … ]', object: 'an object { … }', int: 'a whole number', number: 'a number', string: 'a text in quotes' };

function sentence(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined/.test(issue.message) || issue.message === 'is required') return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_big':
      return issue.origin === 'number' ? `must be at most ${String(issue.maximum)}` : issue.message;
    case 'too_small':
      return issue.origin === 'number' ? `must be at least ${String(issue.minimum)}` : issue.message;
    default:
      return issue.message;
  }
}

/** Where the JSON broke, by line and column; the parser's own message is not used because it quotes the file's text. */
export function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return `is not valid JSON (at line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const before = text.slice(0, Number(position[1])).split('\n');
    return `is not valid JSON (at line ${before.length}, column ${before.at(-1)!.length + 1})`;
  }
  return text.trim() === '' ? 'is empty (expected one JSON object)' : 'is not valid JSON (it may end too early)';
}

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * The folders of `shared/` must form a layered graph: a cycle between two folders means neither
 * can be understood, tested or moved without the other. Type-only imports count too.
 */
const repoRoot = resolve(__dirname, '..', '..', '..');
const sharedRoot = join(repoRoot, 'shared');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Folder-to-folder imports in `shared/`, each with one file that makes it, for the message. */
export function folderGraph(root: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(root)) {
    const from = relative(root, dirname(file)) || '.';
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}(?:\/[^']*)?)'/g)) {
      const target = resolve(dirname(file), match[1] as string);
      const to = targetFolder(root, target);
      if (to === undefined || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(repoRoot, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

function targetFolder(root: string, target: string): string | undefined {
  const rel = relative(root, target);
  if (rel.startsWith('..')) return undefined;
  // `../items` is the folder itself (its index); `../items/archived-item` is a file in it.
  const isFolder = sourceFiles(root).some((f) => dirname(f) === target);
  return isFolder ? rel || '.' : relative(root, dirname(target)) || '.';
}

/** Every cycle's folders, found as the strongly connected components with more than one folder. */
export function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

test('no import cycle between the folders of shared/', () => {
  const graph = folderGraph(sharedRoot);
  const cycles = folderCycles(graph);
  const describe = (cycle: string[]): string =>
    cycle
      .flatMap((from) => cycle.filter((to) => graph.get(from)?.has(to)).map((to) => `  ${from} -> ${to} (${graph.get(from)!.get(to)})`))
      .join('\n');
  assert.deepEqual(cycles, [], `import cycles between folders of shared/:\n${cycles.map(describe).join('\n\n')}`);
});

test('the cycle finder finds a cycle of three folders and ignores a chain', () => {
  const edges = (pairs: [string, string][]): Map<string, Map<string, string>> => {
    const graph = new Map<string, Map<string, string>>();
    for (const [from, to] of pairs) graph.set(from, (graph.get(from) ?? new Map()).set(to, 'x.ts'));
    return graph;
  };
  assert.deepEqual(folderCycles(edges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']])), [['a', 'b', 'c']]);
  assert.deepEqual(folderCycles(edges([['a', 'b'], ['b', 'c'], ['a', 'c']])), []);
});

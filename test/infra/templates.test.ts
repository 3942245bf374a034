import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BicepFile, findRepoRoot, readBicepFiles, stripLineComment } from './bicep-source';

/**
 * House rules for infra/ that hold whatever Bicep version runs infra/check.sh: every parameter
 * and output carries @description, every module is one of ours (no registry modules), and no
 * Bicep code names a cloud-specific host (those live in infra/national-clouds.json).
 */

let files: BicepFile[];

before(async () => {
  files = await readBicepFiles(findRepoRoot(__dirname));
  assert.ok(files.length > 1, 'infra/ holds main.bicep and its modules');
});

/** Each `param`/`output` declaration with the decorator lines above it (up to the previous blank line). */
function declarations(file: BicepFile): { line: number; declaration: string; decorators: string }[] {
  const lines = file.text.split(/\r?\n/);
  const found: { line: number; declaration: string; decorators: string }[] = [];
  lines.forEach((text, index) => {
    const match = /^(param|output)\s+(\w+)/.exec(text);
    if (!match) return;
    let first = index;
    while (first > 0 && lines[first - 1]!.trim() !== '') first--;
    found.push({ line: index + 1, declaration: `${match[1]} ${match[2]}`, decorators: lines.slice(first, index).join('\n') });
  });
  return found;
}

describe('infra/ templates', () => {
  test('describe every parameter and output', () => {
    const undescribed = files.flatMap((f) =>
      declarations(f)
        .filter((d) => !/@description\(/.test(d.decorators))
        .map((d) => `${f.relativePath}:${d.line} ${d.declaration}`),
    );
    assert.deepEqual(undescribed, []);
  });

  test('use only local modules', () => {
    const modules = files.flatMap((f) =>
      [...f.text.matchAll(/^module\s+\w+\s+'([^']+)'/gm)].map((m) => ({ file: f.relativePath, path: m[1]! })),
    );
    assert.ok(modules.length > 0);
    for (const m of modules) {
      assert.match(m.path, /^modules\/[\w-]+\.bicep$/, `${m.file} uses ${m.path}`);
      assert.ok(files.some((f) => f.relativePath === `infra/${m.path}`), `${m.file}: ${m.path} does not exist`);
    }
  });

  test('name no cloud-specific host in Bicep code', () => {
    const hosts = /\b(?:graph\.microsoft\.(?:com|us)|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn|login\.microsoftonline\.(?:com|us)|login\.chinacloudapi\.cn|core\.windows\.net|usgovcloudapi\.net|chinacloudapi\.cn|azurewebsites\.net|vault\.azure\.net)\b/;
    const offenders = files.flatMap((f) =>
      f.text
        .split(/\r?\n/)
        .map((line, index) => ({ line: index + 1, code: stripLineComment(line) }))
        .filter((l) => hosts.test(l.code))
        .map((l) => `${f.relativePath}:${l.line}`),
    );
    assert.deepEqual(offenders, []);
  });
});

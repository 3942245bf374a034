import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { expandBraces, loadEntryPoints, resolveEntryPoints } from '../../dev/host/app-loader';
import { HostStartupError } from '../../dev/host';

const roots: string[] = [];

function appRoot(main: string | undefined, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'host-loader-'));
  roots.push(root);
  if (main !== undefined) fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', main }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

function relative(root: string, files: string[]): string[] {
  return files.map((f) => path.relative(root, f).split(path.sep).join('/'));
}

describe('app loader', () => {
  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  test('resolves package.json main as a file or a pattern, like the Node.js worker', () => {
    const files = { 'dist/b.js': '', 'dist/a.js': '', 'dist/c.ts': '', 'dist/.hidden.js': '', 'dist/sub/d.js': '', 'index.js': '' };
    let root = appRoot('index.js', files);
    assert.deepEqual(relative(root, resolveEntryPoints(root)), ['index.js']);
    root = appRoot('dist/*.js', files);
    assert.deepEqual(relative(root, resolveEntryPoints(root)), ['dist/a.js', 'dist/b.js']);
    root = appRoot('dist/**/*.js', files);
    assert.deepEqual(relative(root, resolveEntryPoints(root)), ['dist/a.js', 'dist/b.js', 'dist/sub/d.js']);
    root = appRoot('{index,dist/a}.js', files);
    assert.deepEqual(relative(root, resolveEntryPoints(root)), ['dist/a.js', 'index.js']);
    root = appRoot('./dist/?.js', files);
    assert.deepEqual(relative(root, resolveEntryPoints(root)), ['dist/a.js', 'dist/b.js']);
  });

  test('accepts an absolute main', () => {
    const elsewhere = appRoot(undefined, { 'lib/entry.js': '' });
    const root = appRoot(path.join(elsewhere, 'lib', '*.js'), {});
    assert.deepEqual(resolveEntryPoints(root), [path.join(elsewhere, 'lib', 'entry.js')]);
  });

  test('explains a missing package.json, a missing main and a main that matches nothing', () => {
    assert.throws(() => resolveEntryPoints(appRoot(undefined, {})), (err: Error) => err instanceof HostStartupError && /package\.json: it does not exist/.test(err.message));
    assert.throws(() => resolveEntryPoints(appRoot('', {})), /has no "main" field/);
    assert.throws(() => resolveEntryPoints(appRoot('dist/*.js', { 'src/a.ts': '' })), /package\.json "main" \(dist\/\*\.js\) matches no file/);
  });

  test('expands braces, nested ones included', () => {
    assert.deepEqual(expandBraces('a/{b,c{d,e}}/*.js'), ['a/b/*.js', 'a/cd/*.js', 'a/ce/*.js']);
    assert.deepEqual(expandBraces('plain.js'), ['plain.js']);
  });

  test('loads CommonJS and ES module entry files; unloading lets a later load run them again', async () => {
    const root = appRoot('dist/*', {
      'dist/a.js': `require('node:fs').appendFileSync(process.env.LOADER_TEST_LOG, 'a\\n'); require('./helper.cjs');`,
      'dist/helper.cjs': `require('node:fs').appendFileSync(process.env.LOADER_TEST_LOG, 'helper\\n');`,
      'dist/b.mjs': `import { appendFileSync } from 'node:fs'; appendFileSync(process.env.LOADER_TEST_LOG, 'b\\n');`,
    });
    const log = path.join(root, 'load.log');
    process.env['LOADER_TEST_LOG'] = log;
    try {
      const files = resolveEntryPoints(root).filter((f) => !f.endsWith('helper.cjs'));
      const scope = await loadEntryPoints(root, files);
      assert.deepEqual(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean), ['a', 'helper', 'b']);
      assert.deepEqual(relative(root, [...scope.modules]).sort(), ['dist/a.js', 'dist/helper.cjs']);
      scope.unload();
      await loadEntryPoints(root, files.filter((f) => f.endsWith('.js')));
      assert.deepEqual(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean), ['a', 'helper', 'b', 'a', 'helper']);
    } finally {
      delete process.env['LOADER_TEST_LOG'];
    }
  });

  test('a failing entry file is a start-up error naming the file', async () => {
    const root = appRoot('dist/*.js', { 'dist/bad.js': `throw new Error('kaboom');` });
    await assert.rejects(loadEntryPoints(root, resolveEntryPoints(root)), (err: Error) => {
      assert.ok(err instanceof HostStartupError);
      assert.equal(err.message, `Worker was unable to load entry point "${path.join('dist', 'bad.js')}": kaboom`);
      return true;
    });
  });
});

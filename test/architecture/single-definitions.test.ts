import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * Things the product does in exactly one place (issue #9): a second copy would bring back a
 * second token cache, a second reading of Retry-After or a second retry layer.
 */
const repoRoot = resolve(__dirname, '..', '..', '..');

function productFiles(): Array<{ path: string; text: string }> {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return ['shared', 'functions'].flatMap((folder) => walk(join(repoRoot, folder))).map((path) => ({
    path: relative(repoRoot, path).split('\\').join('/'),
    text: readFileSync(path, 'utf8'),
  }));
}

function filesMatching(pattern: RegExp): string[] {
  return productFiles().filter((f) => pattern.test(f.text)).map((f) => f.path).sort();
}

test('the managed identity is created in the composition root only', () => {
  assert.deepEqual(filesMatching(/new ManagedIdentityCredential\b/), ['shared/app/services.ts']);
});

test("Retry-After headers are read by the resilience layer only", () => {
  assert.deepEqual(filesMatching(/['"](?:x-ms-)?retry-after(?:-ms)?['"]/i), ['shared/platform/resilience/retry-after.ts']);
});

test("the Graph SDK's RetryHandler is not used: the app's retry middleware is the one retry layer", () => {
  assert.deepEqual(filesMatching(/\bRetryHandler(?:Options)?\s*[,}(]/), []);
});

test("no product code carries Azurite's account or key: UseDevelopmentStorage=true goes to the SDKs as it is", () => {
  assert.deepEqual(filesMatching(/devstoreaccount1|Eby8vdM02/), []);
});

test('OData string literals are quoted by one piece of code (odata from @azure/data-tables)', () => {
  assert.deepEqual(filesMatching(/replace\(\/'\/g, "''"\)/), []);
});

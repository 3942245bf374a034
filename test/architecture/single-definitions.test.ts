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

/** Every Azure Storage SDK client class whose constructor builds a pipeline (and so a retry policy). */
const STORAGE_CLIENT = String.raw`(BlobServiceClient|ContainerClient|BlobClient|BlockBlobClient|AppendBlobClient|PageBlobClient|BlobBatchClient|QueueServiceClient|QueueClient|TableServiceClient|TableClient|TableTransaction)`;
const STORAGE_CLIENT_BUILT = new RegExp(String.raw`\bnew\s+${STORAGE_CLIENT}\s*\(|\b${STORAGE_CLIENT}\.fromConnectionString\s*\(|\bnewPipeline\s*\(`, 'g');

/** The text of a call's arguments, from just after its opening parenthesis to the matching one. */
function callArguments(text: string, start: number): string {
  let depth = 1;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i);
  }
  throw new Error(`unclosed call at ${start}`);
}

test("storage clients are built in platform/storage only, each with the SDK options of the storage retry policy", () => {
  const builders = productFiles().filter((f) => new RegExp(STORAGE_CLIENT_BUILT.source).test(f.text));
  // Clients reached from these (getContainerClient, getQueueClient, …) share their pipeline.
  assert.deepEqual(builders.map((f) => f.path), ['shared/platform/storage/storage-clients.ts']);
  const [file] = builders;
  assert.ok(file !== undefined);
  assert.match(file.text, /\bconst SDK = storageSdkOptions\(\);/);
  const calls = [...file.text.matchAll(STORAGE_CLIENT_BUILT)];
  assert.ok(calls.length > 0);
  for (const call of calls) {
    const client = call[1] ?? call[2] ?? 'newPipeline';
    const expected = /^(?:Blob|Container|BlockBlob|AppendBlob|PageBlob|newPipeline)/.test(client) ? 'blob' : client.startsWith('Queue') ? 'queue' : 'table';
    const args = callArguments(file.text, (call.index ?? 0) + call[0].length);
    assert.match(args, new RegExp(String.raw`\bSDK\.${expected}\b`), `${file.path}: ${call[0]}${args}) is built without SDK.${expected}`);
  }
});

const WIRE_TYPES = 'shared/wire/admin-api-types.ts';

function sourceFilesUnder(folder: string): Array<{ path: string; text: string }> {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return walk(join(repoRoot, folder)).map((path) => ({ path: relative(repoRoot, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }));
}

test("the admin API's wire types are declared once, in a module without imports that the server and the page both use", () => {
  const wire = readFileSync(join(repoRoot, WIRE_TYPES), 'utf8');
  // The page's compiler has no Node types: anything this module imported would have to compile for the browser too.
  assert.doesNotMatch(wire, /^\s*import\b|\brequire\(/m);
  assert.doesNotMatch(wire, /^export (?:const|let|function|class|enum)\b/m, 'types only: nothing of it may reach the bundle');
  const names = [...wire.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1] as string);
  assert.ok(names.includes('OutstandingItem') && names.includes('ConnectorDay') && names.includes('MappingDiff'), names.join(', '));
  const declaration = new RegExp(String.raw`^\s*(?:export\s+)?(?:declare\s+)?(?:interface|type|class|enum)\s+(${names.join('|')})\b`, 'gm');
  const again = [...productFiles(), ...sourceFilesUnder('web')]
    .filter((f) => f.path !== WIRE_TYPES)
    .flatMap((f) => [...f.text.matchAll(declaration)].map((m) => `${f.path}: ${m[1] as string}`));
  assert.deepEqual(again, []);
  assert.match(readFileSync(join(repoRoot, 'web/admin/api.ts'), 'utf8'), /from '\.\.\/\.\.\/shared\/wire\/admin-api-types'/);
});

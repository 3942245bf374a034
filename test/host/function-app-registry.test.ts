import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { BindingInfo } from '../../dev/host/contracts';
import { FunctionsCoreError } from '../../dev/host/errors';
import { FunctionAppRegistry } from '../../dev/host/function-app-registry';
import { attachAppRegistry, FUNCTIONS_CORE_MODULE, functionsCoreApi, installFunctionsCore } from '../../dev/host/functions-core-provider';

const timerTrigger: BindingInfo = { type: 'timerTrigger', direction: 'in', schedule: '0 0 1 * * *', name: 'timerTrigger1' };
const handler = (): void => {};

function registry(): FunctionAppRegistry {
  return new FunctionAppRegistry('/app', () => {});
}

describe('FunctionAppRegistry and the @azure/functions-core provider', () => {
  test('registers functions with their trigger and worker-style metadata', () => {
    const r = registry();
    r.registerFunction({ name: 'scheduleFetch', bindings: { timerTrigger1: timerTrigger, $return: { type: 'queue', direction: 'out', queueName: 'fetch-jobs' } } }, handler);
    const fn = r.getFunction('SCHEDULEFETCH');
    assert.ok(fn);
    assert.equal(fn.name, 'scheduleFetch');
    assert.equal(fn.functionId, 'scheduleFetch');
    assert.equal(fn.triggerName, 'timerTrigger1');
    assert.equal(fn.trigger.type, 'timerTrigger');
    assert.equal(fn.metadata.directory, '/app');
    assert.deepEqual(fn.metadata.rawBindings?.map((b) => (JSON.parse(b) as { name: string }).name), ['timerTrigger1', '$return']);
  });

  test('rejects invalid names, duplicates and functions without exactly one trigger', () => {
    const r = registry();
    r.registerFunction({ name: 'fetchWindow', bindings: { t: timerTrigger } }, handler);
    assert.throws(() => r.registerFunction({ name: 'FetchWindow', bindings: { t: timerTrigger } }, handler), /named 'FetchWindow' is already registered/);
    assert.throws(() => r.registerFunction({ name: '1bad', bindings: { t: timerTrigger } }, handler), /function name '1bad' is invalid/);
    assert.throws(() => r.registerFunction({ name: 'none', bindings: {} }, handler), /Function 'none' must have exactly one trigger binding; found 0/);
    assert.throws(
      () => r.registerFunction({ name: 'two', bindings: { a: timerTrigger, b: { type: 'httpTrigger', direction: 'in' } } }, handler),
      /found 2/,
    );
  });

  test('functions can be disposed during start-up only; nothing registers after it', () => {
    const r = registry();
    const disposable = r.registerFunction({ name: 'a', bindings: { t: timerTrigger } }, handler);
    disposable.dispose();
    assert.equal(r.getFunction('a'), undefined);
    const kept = r.registerFunction({ name: 'b', bindings: { t: timerTrigger } }, handler);
    r.seal();
    assert.throws(() => kept.dispose(), (err: Error) => err instanceof FunctionsCoreError && /only be disposed during app startup/.test(err.message));
    assert.throws(() => r.registerFunction({ name: 'c', bindings: { t: timerTrigger } }, handler), /only be registered during app startup/);
  });

  test('runs hooks in registration order; a disposed hook no longer runs; unknown hooks are a RangeError', async () => {
    const r = registry();
    const calls: string[] = [];
    r.registerHook('appStart', () => void calls.push('first'));
    const second = r.registerHook('appStart', async () => void calls.push('second'));
    r.registerHook('appStart', () => void calls.push('third'));
    second.dispose();
    await r.runHooks('appStart', { hookData: {}, appHookData: r.appHookData, functionAppDirectory: '/app' });
    assert.deepEqual(calls, ['first', 'third']);
    assert.throws(
      () => r.registerHook('beforeLunch', handler),
      (err: Error & { isAzureFunctionsSystemError?: boolean }) => err.name === 'RangeError' && err.isAzureFunctionsSystemError === true,
    );
  });

  test('require("@azure/functions-core") yields the provider, which serves one app registry at a time', () => {
    installFunctionsCore();
    assert.equal(createRequire(__filename)(FUNCTIONS_CORE_MODULE), functionsCoreApi);
    assert.throws(() => functionsCoreApi.registerFunction({ name: 'x', bindings: { t: timerTrigger } }, handler), /no Functions host is running an app/);
    const detach = attachAppRegistry(registry());
    try {
      assert.throws(() => attachAppRegistry(registry()), /already running the app at \/app/);
      functionsCoreApi.registerFunction({ name: 'x', bindings: { t: timerTrigger } }, handler);
    } finally {
      detach();
    }
  });
});

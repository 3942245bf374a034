import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostStartupError } from '../../dev/host';
import { compareRoutePrecedence, HttpRouteTemplate } from '../../dev/host/http-route';

function route(template: string): HttpRouteTemplate {
  return HttpRouteTemplate.parse(template, 'fn');
}

describe('HttpRouteTemplate', () => {
  test('matches parameters and optional trailing parameters, case-insensitively', () => {
    const items = route('items/{category}/{id?}');
    assert.deepEqual(items.match('items/books/42'), { category: 'books', id: '42' });
    assert.deepEqual(items.match('items/books'), { category: 'books' });
    assert.deepEqual(items.match('ITEMS/Books/'), { category: 'Books' });
    assert.equal(items.match('items'), undefined);
    assert.equal(items.match('items/a/b/c'), undefined);
    assert.equal(items.match('other/a'), undefined);
  });

  test('decodes parameter values; a catch-all keeps its slashes', () => {
    assert.deepEqual(route('items/{name}').match('items/a%20b%C3%A4'), { name: 'a bä' });
    const files = route('files/{*path}');
    assert.deepEqual(files.match('files/a/b%20c.txt'), { path: 'a/b c.txt' });
    assert.deepEqual(files.match('files'), {});
  });

  test('applies constraints and defaults', () => {
    const orders = route('orders/{id:int}');
    assert.deepEqual(orders.match('orders/12'), { id: '12' });
    assert.equal(orders.match('orders/twelve'), undefined);
    assert.deepEqual(route('runs/{id:guid}').match('runs/0f8fad5b-d9cb-469f-a165-70867728950e'), { id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    assert.equal(route('pages/{n:range(1,10)}').match('pages/11'), undefined);
    assert.deepEqual(route('reports/{year=2024}').match('reports'), { year: '2024' });
    assert.deepEqual(route('reports/{year=2024}').match('reports/2023'), { year: '2023' });
  });

  test('matches several parameters within one segment', () => {
    assert.deepEqual(route('{name}.{ext}').match('report.final.pdf'), { name: 'report', ext: 'final.pdf' });
  });

  test('an empty template matches only the prefix itself', () => {
    assert.deepEqual(route('').match(''), {});
    assert.equal(route('').match('x'), undefined);
  });

  const invalid: [string, RegExp][] = [
    ['{a}/{a}', /parameter 'a' appears twice/],
    ['x/{a?}/y', /only the last segments may be optional/],
    ['{a:unknown}', /constraint 'unknown' of parameter 'a' is not supported/],
    ['{*rest}/x', /catch-all parameter 'rest' must be the whole last segment/],
    ['{a}{b}', /two parameters with no literal between them/],
    ['a//b', /empty segment/],
    ['{1a}', /valid parameter name/],
  ];
  for (const [template, reason] of invalid) {
    test(`rejects '${template}' naming the function`, () => {
      assert.throws(
        () => HttpRouteTemplate.parse(template, 'listRuns'),
        (err: Error) => {
          assert.ok(err instanceof HostStartupError);
          assert.match(err.message, new RegExp(`^The route '.*' of HTTP function 'listRuns' is invalid: `));
          assert.match(err.message, reason);
          return true;
        },
      );
    });
  }

  test('orders literal segments before parameters and catch-alls', () => {
    const sorted = [route('items/{*rest}'), route('items/{id}'), route('items/new'), route('items/{id:int}')].sort(compareRoutePrecedence);
    assert.deepEqual(
      sorted.map((r) => r.template),
      ['items/new', 'items/{id:int}', 'items/{id}', 'items/{*rest}'],
    );
  });
});

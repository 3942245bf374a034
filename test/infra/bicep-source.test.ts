import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BicepFile,
  BicepSourceError,
  allowedStrings,
  diffNames,
  parseObjectVariable,
  stringParameterDefault,
  stringVariable,
  stripLineComment,
  toStringTree,
} from './bicep-source';

const sample: BicepFile = {
  relativePath: 'infra/sample.bicep',
  text: [
    "@description('Cloud.') // trailing comment",
    '@allowed([',
    "  'AzureCloud'",
    "  'AzureChinaCloud'",
    '])',
    'param cloud string = \'AzureCloud\'',
    '',
    "param schedule string = '0 */5 * * * *' // every five minutes",
    '',
    "var functionName = 'importItem'",
    'var settings = { // the settings',
    '  // a comment line',
    '  URL_SETTING: \'https://example.test/v1.0\' // not part of the value',
    '  QUOTED: \'it\\\'s\'',
    "  INTERPOLATED: 'ClientId=${clientId};Authorization=AAD'",
    '  COMPUTED: insights.properties.ConnectionString',
    "  'quoted-key': 'x'",
    '  nested: {',
    "    inner: 'y'",
    '  }',
    '}',
    "var after = 'z'",
  ].join('\n'),
};

describe('bicep-source', () => {
  test('keeps // inside strings and drops trailing comments', () => {
    assert.equal(stripLineComment("a: 'https://x/y' // c"), "a: 'https://x/y' ");
    assert.equal(stripLineComment("a: 'it\\'s // not a comment'"), "a: 'it\\'s // not a comment'");
  });

  test('reads an object variable with literals, expressions and nested objects', () => {
    const settings = parseObjectVariable(sample, 'settings');
    assert.deepEqual([...settings.keys()], ['URL_SETTING', 'QUOTED', 'INTERPOLATED', 'COMPUTED', 'quoted-key', 'nested']);
    assert.deepEqual(settings.get('URL_SETTING'), { kind: 'string', value: 'https://example.test/v1.0' });
    assert.deepEqual(settings.get('QUOTED'), { kind: 'string', value: "it's" });
    assert.deepEqual(settings.get('INTERPOLATED'), { kind: 'expression', text: "'ClientId=${clientId};Authorization=AAD'" });
    assert.deepEqual(settings.get('COMPUTED'), { kind: 'expression', text: 'insights.properties.ConnectionString' });
    const nested = settings.get('nested');
    assert.equal(nested?.kind, 'object');
  });

  test('refuses what it cannot read, naming the file and line', () => {
    const unclosed: BicepFile = { relativePath: 'infra/bad.bicep', text: "var s = {\n  a: 'b'\n" };
    assert.throws(() => parseObjectVariable(unclosed, 's'), /infra\/bad\.bicep: variable "s" is not closed/);
    const multiLine: BicepFile = { relativePath: 'infra/bad.bicep', text: 'var s = {\n  a: [\n    1\n  ]\n}\n' };
    assert.throws(() => parseObjectVariable(multiLine, 's'), /infra\/bad\.bicep:2: multi-line value of "a"/);
    const duplicate: BicepFile = { relativePath: 'infra/bad.bicep', text: "var s = {\n  a: 'b'\n  a: 'c'\n}\n" };
    assert.throws(() => parseObjectVariable(duplicate, 's'), /declared twice/);
    assert.throws(() => parseObjectVariable(sample, 'missing'), BicepSourceError);
  });

  test('converts literal trees and rejects expressions in them', () => {
    assert.throws(() => toStringTree(parseObjectVariable(sample, 'settings'), 'settings'), /settings\.INTERPOLATED: expected a string literal/);
    const literal: BicepFile = { relativePath: 'x', text: "var s = {\n  a: {\n    b: 'c'\n  }\n}\n" };
    assert.deepEqual(toStringTree(parseObjectVariable(literal, 's'), 's'), { a: { b: 'c' } });
  });

  test('reads string variables, parameter defaults and @allowed lists', () => {
    assert.equal(stringVariable(sample, 'functionName'), 'importItem');
    assert.equal(stringParameterDefault(sample, 'schedule'), '0 */5 * * * *');
    assert.deepEqual(allowedStrings(sample, 'cloud'), ['AzureCloud', 'AzureChinaCloud']);
    assert.throws(() => allowedStrings(sample, 'schedule'), /no @allowed list/);
  });

  test('reports missing and unexpected names', () => {
    assert.deepEqual(diffNames(['A', 'B', 'D'], ['A', 'C', 'D']), { missing: ['C'], unexpected: ['B'] });
    assert.deepEqual(diffNames([], []), { missing: [], unexpected: [] });
  });
});

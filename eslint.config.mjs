// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The development packages with a public API: their index.ts. Code outside a package imports
 * it through that index only; a deep import (`dev/host/invoker`) fails lint. A package's own
 * tests (beside it under test/) may reach its insides: they test them.
 */
const PACKAGES = ['host', 'simulators/graph', 'simulators/telemessage', 'event-grid'];
const deepImport = (prefix, packages = PACKAGES) => ({
  regex: `${prefix}(${packages.join('|')})/(?!index$)[^/]+`,
  message: 'Import a development package through its index (dev/host, dev/simulators/graph, dev/simulators/telemessage, dev/event-grid), not a file inside it.',
});
/** A package's own tests, which may reach inside it. */
const OWN_TESTS = {
  host: ['test/host/**', 'test/host-app/**'],
  'simulators/graph': ['test/graph-simulator/**'],
  'simulators/telemessage': ['test/telemessage-simulator/**'],
  'event-grid': ['test/event-grid/**'],
};
/**
 * Imports from test/ name `dev/<package>/`. One block per test folder kind (a later block would
 * replace, not add to, an earlier one's restrictions for the same file).
 */
const fromTests = [
  {
    files: ['test/**/*.ts'],
    ignores: Object.values(OWN_TESTS).flat(),
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('(^|/)dev/')] }] },
  },
  ...PACKAGES.map((pkg) => ({
    files: OWN_TESTS[pkg],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('(^|/)dev/', PACKAGES.filter((p) => p !== pkg))] }] },
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.work/**', 'tools/**', 'infra/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  // The product (functions/, shared/) never depends on development tooling or tests.
  {
    files: ['functions/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(dev|test)(/|$)', message: 'Product code (functions/, shared/) must not import dev/ or test/.' }] }],
    },
  },
  // The admin page's browser code: data reaches the DOM as text, never as markup.
  {
    files: ['web/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'write', 'writeln'].map((property) => ({
          property,
          message: 'Build the DOM with web/admin/dom.ts (text nodes and attributes), never from markup.',
        })),
      ],
    },
  },
  ...fromTests,
  // Inside dev/, by where the importing file sits.
  { files: ['dev/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\./')] }] } },
  {
    files: ['dev/*/**/*.ts'],
    ignores: ['dev/host/**', 'dev/simulators/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\.\\./')] }] },
  },
  { files: ['dev/simulators/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\./', ['graph', 'telemessage'])] }] } },
  {
    files: ['dev/simulators/graph/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\.\\./', ['telemessage']), deepImport('^\\.\\./\\.\\./', ['host'])] }] },
  },
  {
    files: ['dev/simulators/telemessage/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\.\\./', ['graph']), deepImport('^\\.\\./\\.\\./', ['host'])] }] },
  },
  { files: ['dev/host/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [deepImport('^\\.\\./', PACKAGES.slice(1))] }] } },
);

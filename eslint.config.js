// Lint: typescript-eslint's syntax-only rules (no type information: it would triple the time on
// these machines) plus the layer boundaries of DESIGN.md, checked on every import of src/.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';

const src = path.resolve(import.meta.dirname, 'src');

/**
 * What each layer of src/ may import of ours. A layer is the first folder under src/ (or the
 * top-level file: config, errors, logger, app, server, cli). Domain code is pure: it imports only
 * itself and errors.ts, the error kinds every layer throws, which itself imports nothing of ours;
 * so domain code can be read and tested alone. The database layer serves services and web, never
 * the other way round; services serve web.
 */
const forbidden = {
  errors: () => true,
  domain: (layer) => layer !== 'domain' && layer !== 'errors',
  db: (layer) => layer === 'web' || layer === 'services' || layer === 'cli' || layer === 'app' || layer === 'server',
  services: (layer) => layer === 'web' || layer === 'cli' || layer === 'app' || layer === 'server',
};

function layerOf(file) {
  const rel = path.relative(src, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [first] = rel.split(path.sep);
  return first.replace(/\.[jt]s$/, '');
}

const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports respect the layers of src/ (domain, db, services, web)' },
    messages: { crossing: 'src/{{from}} must not import src/{{to}} ({{source}}): see the layers in eslint.config.js' },
    schema: [],
  },
  create(context) {
    const from = layerOf(context.filename);
    const rule = from ? forbidden[from] : undefined;
    if (!rule) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(context.filename), source));
      if (to && rule(to)) context.report({ node, messageId: 'crossing', data: { from, to, source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

// Query builders and drivers: only src/db talks to the database.
const databasePackages = ['knex', 'knex-pglite', 'pg', '@electric-sql/pglite'].map((name) => ({
  name,
  message: 'Only src/db talks to the database: call a repository or query function (types: import Db/Trx from src/db).',
}));
// Knex-only builder calls, so a handle passed in cannot be used to build SQL outside src/db either.
const builderCalls = ['raw', 'whereRaw', 'joinRaw', 'orderByRaw', 'forUpdate', 'forShare', 'skipLocked', 'noWait', 'onConflict', 'returning'];

export default tseslint.config(
  // public/js's bundles are built from src/web/assets (linted there) by `npm run build:assets`.
  { ignores: ['node_modules/**', 'public/js/cost-preview.js', 'public/js/did-import.js', 'public/js/ui.js', 'public/js/logo-upload.js', 'public/js/charts.js', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A disabled rule says why on the same line: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { didhub: { rules: { layers } } },
    rules: {
      'didhub/layers': 'error',
      'no-restricted-imports': ['error', { paths: databasePackages }],
    },
  },
  {
    files: ['src/services/**/*.ts', 'src/web/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.property.name=/^(${builderCalls.join('|')})$/]`,
          message: 'SQL is built only in src/db: move this into a repository or query function.',
        },
      ],
    },
  },
  // The database layer itself; the CLI's `migrate` runs knex's migrator directly.
  { files: ['src/db/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['public/js/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'Event', 'HTMLInputElement', 'HTMLSelectElement'].map((name) => [name, 'readonly'])),
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

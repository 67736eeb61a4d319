/**
 * vaekit's layers, lowest first (docs/architecture.md): a folder of src/ may import its own files and
 * the folders below it, never one above. With a strict order there can be no cycle between folders;
 * no-circular also refuses cycles between files inside a folder. `npm run lint` runs this. What it cannot
 * see is what no static analysis sees: a computed `import(path)` or a `createRequire(...)(path)`.
 */
const LAYERS = [
  'core',
  'backend',
  'io',
  'data',
  'distributions',
  'nn',
  'export',
  'objectives',
  'models',
  'train',
  'eval',
  'run',
  'web',
  'cli',
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-import-from-${layer}`,
  comment: `src/${layer} sits below ${LAYERS.slice(i + 1).join(', ')} and may not import them`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'files that import each other, directly or through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'backend-through-its-index',
      comment: 'only src/backend knows which backend runs: the rest reaches it through src/backend/index.ts',
      severity: 'error',
      from: { path: '^src/(?!backend/)' },
      to: { path: '^src/backend/(?!index\\.ts$)' },
    },
    {
      name: 'no-self-import',
      comment: "src/ imports its own files, not the built package (`'vaekit'` resolves to dist/)",
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(dist|bin)/' },
    },
    {
      name: 'no-unknown-layer',
      comment: 'every folder of src/ is a layer listed in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: `^src/(?!(${LAYERS.join('|')})/|index\\.ts$)` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/web/client/vite-env\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};


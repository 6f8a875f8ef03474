#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ with swc (a second or two, so `npm start` stays fast).
// Type checking is a separate step (`npm run typecheck`), part of `npm test`.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const dirs = ['apps', 'libs', 'workflows', 'activities', 'scripts', 'bench'].filter((d) => fs.existsSync(path.join(root, d)));
const swc = require.resolve('@swc/cli/bin/swc.js');
execFileSync(
  process.execPath,
  [swc, ...dirs, '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/*.test.ts,**/*.d.ts', '--only', '**/*.ts', '--quiet'],
  { cwd: root, stdio: 'inherit' },
);

#!/usr/bin/env node
'use strict';
// The installed `lifeline` command: runs the bundled CLI, building it first when this checkout has no build yet.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli', 'lifeline.cjs');
if (!fs.existsSync(bundle)) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !fs.existsSync(bundle)) {
    process.stderr.write('lifeline: the command line is not built and building it failed. Run "npm run build" in ' + root + '.\n');
    process.exit(1);
  }
}
require(bundle);

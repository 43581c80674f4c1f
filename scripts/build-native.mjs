#!/usr/bin/env node
// Builds the optional native compositing kernels (native/*.c) with node-gyp. When no compiler is
// available the build is skipped with a warning and the engine uses its JavaScript kernels, which
// produce the same pixels, only slower.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.REELFORGE_SKIP_NATIVE === '1' || !existsSync(join(root, 'binding.gyp'))) process.exit(0);

// Under npm, npm_config_node_gyp names npm's bundled node-gyp; run by hand, look for the same copy.
const bundled = join(
  dirname(process.execPath),
  '..',
  'lib',
  'node_modules',
  'npm',
  'node_modules',
  'node-gyp',
  'bin',
  'node-gyp.js',
);
const nodeGyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
const cmd = nodeGyp ? process.execPath : 'node-gyp';
const args = nodeGyp ? [nodeGyp, 'rebuild', '--release'] : ['rebuild', '--release'];
// Build against the headers installed with Node itself rather than downloading them (no network here).
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status === 0) {
  console.log('reelforge: native compositing kernels built');
} else {
  console.warn('reelforge: native kernels not built; the slower JavaScript kernels will be used.');
  console.warn((r.stderr || r.stdout || String(r.error)).split('\n').slice(-15).join('\n'));
}

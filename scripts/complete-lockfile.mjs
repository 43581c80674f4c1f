#!/usr/bin/env node
// The npm registry reachable here serves only the platform packages this machine can use (linux-x64),
// so `npm install` leaves the other platforms' optional native packages (biome, esbuild, sharp, canvas …)
// out of package-lock.json, and `npm ci` then refuses the lock file as out of sync. This adds an entry
// for every optional dependency the lock names but lacks, marked optional: npm ci accepts the lock, and
// on this platform skips them as it would anyway. Run it after `npm install` changes the lock file.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm hoists: the dependency may sit next to the parent or at the top level.
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (pkgs[nested] || pkgs[top]) continue;
    pkgs[top] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { jsKernels } from './js-kernels.js';
import type { Kernels } from './kernel-types.js';

export { BLEND_PARAMS, type EffectKernels, type Kernels } from './kernel-types.js';

/**
 * The native kernels when the addon was built (`npm ci` builds it), else the JavaScript ones (looked up
 * once per process). `prefer: 'javascript'` forces the fallback (the tests compare both).
 */
let loaded: Kernels | null = null;

export function loadKernels(prefer: 'native' | 'javascript' = 'native'): Kernels {
  if (prefer === 'javascript') return jsKernels;
  loaded ??= loadNative();
  return loaded;
}

function loadNative(): Kernels {
  const root = join(import.meta.dirname, '..', '..', '..');
  const file = join(root, 'build', 'Release', 'reelforge_compose.node');
  if (!existsSync(file)) return jsKernels;
  try {
    const addon = createRequire(import.meta.url)(file) as Omit<Kernels, 'name'>;
    // An addon built from older sources lacks newer kernels: then all of them come from JavaScript.
    const has = addon as unknown as Record<string, unknown>;
    if (!Object.keys(jsKernels).every((k) => k === 'name' || typeof has[k] === 'function')) return jsKernels;
    return {
      name: 'native',
      affineBlend: addon.affineBlend,
      lutPlane: addon.lutPlane,
      rgbaToYuv: addon.rgbaToYuv,
      accumulate: addon.accumulate,
      resolveAccumulator: addon.resolveAccumulator,
      blurPlane: addon.blurPlane,
      lerpPlane: addon.lerpPlane,
      mixLevels: addon.mixLevels,
    };
  } catch {
    return jsKernels;
  }
}

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

let addonLoaded: Record<string, unknown> | null | undefined;

/** The compiled compose addon's exports, or null when it was not built (loaded once). */
export function composeAddon(): Record<string, unknown> | null {
  if (addonLoaded === undefined) {
    const file = join(import.meta.dirname, '..', '..', '..', 'build', 'Release', 'reelforge_compose.node');
    try {
      addonLoaded = existsSync(file)
        ? (createRequire(import.meta.url)(file) as Record<string, unknown>)
        : null;
    } catch {
      addonLoaded = null;
    }
  }
  return addonLoaded;
}

function loadNative(): Kernels {
  const has = composeAddon();
  // An addon built from older sources lacks newer kernels: then all of them come from JavaScript.
  if (!has || !Object.keys(jsKernels).every((k) => k === 'name' || typeof has[k] === 'function'))
    return jsKernels;
  const addon = has as unknown as Omit<Kernels, 'name'>;
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
}

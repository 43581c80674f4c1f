// Run in a child process (the SIMD choice is made once per process): prints the kernel name and the
// mismatching cases of wideRowMismatches and rotatedMismatches as JSON.
import { loadKernels } from '../kernels.js';
import { rotatedMismatches, wideRowMismatches } from './wide-rows.js';

const native = loadKernels('native');
console.log(
  JSON.stringify({
    kernels: native.name,
    mismatches: [...wideRowMismatches(native), ...rotatedMismatches(native)],
  }),
);

// Run in a child process (the SIMD choice is made once per process): prints the kernel name and the
// mismatching cases of allMismatches as JSON.
import { loadKernels } from '../kernels.js';
import { allMismatches } from './kernel-cases.js';

const native = loadKernels('native');
console.log(JSON.stringify({ kernels: native.name, mismatches: allMismatches(native) }));

import type { RegisterCommands } from '../context.js';

/** Every command module, in the order they appear in `reelforge --help`. */
export const commandModules: RegisterCommands[] = [];

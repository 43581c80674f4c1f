import { Command, CommanderError } from 'commander';
import { commandModules } from './commands/index.js';
import { type CliIo, createCliContext } from './context.js';
import { EXIT_BAD_INPUT } from './exit.js';

/** Entry point of the `reelforge` command. Returns the process exit code. */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const ctx = createCliContext(io);
  const program = new Command('reelforge')
    .description('Self-hosted video generation and rendering: JSON timeline → finished video.')
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  for (const register of commandModules) register(program, ctx);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
  return ctx.exitCode;
}

import { timelineJsonSchema } from '../../timeline/index.js';
import type { RegisterCommands } from '../context.js';

/** `reelforge schema`: the timeline's JSON Schema on stdout, and nothing else there. */
export const registerSchemaCommand: RegisterCommands = (program, ctx) => {
  program
    .command('schema')
    .description('print the JSON Schema of the timeline format (for editors and other languages)')
    .action(
      ctx.action(() => {
        ctx.out(`${JSON.stringify(timelineJsonSchema(), null, 2)}\n`);
        return 0;
      }),
    );
};

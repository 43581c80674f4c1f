import type { RegisterCommands } from '../context.js';
import { registerDoctorCommand } from './doctor.js';
import { registerFrameCommand } from './frame.js';
import { registerJobsCommands } from './jobs.js';
import { registerProbeCommand } from './probe.js';
import { registerRenderCommand } from './render.js';
import { registerSchemaCommand } from './schema.js';
import { registerServeCommand } from './serve.js';
import { registerTokenCommands } from './token.js';
import { registerUploadCommand } from './upload.js';
import { registerValidateCommand } from './validate.js';
import { registerWorkerCommand } from './worker.js';

/** Every command module, in the order they appear in `reelforge --help`. */
export const commandModules: RegisterCommands[] = [
  registerRenderCommand,
  registerFrameCommand,
  registerValidateCommand,
  registerSchemaCommand,
  registerProbeCommand,
  registerWorkerCommand,
  registerJobsCommands,
  registerDoctorCommand,
  registerServeCommand,
  registerUploadCommand,
  registerTokenCommands,
];

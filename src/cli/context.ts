import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log.js';
import { EXIT_OK, reportError } from './exit.js';

/** What every CLI command gets: configuration, a logger, and a way to report its exit code. */
export interface CliContext {
  config(): Readonly<Config>;
  logger(): Logger;
  /** Runs an action, turning thrown errors into a printed message and an exit code. */
  action<A extends unknown[]>(
    fn: (...args: A) => Promise<number | undefined> | number | undefined,
  ): (...args: A) => Promise<void>;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether `err` is a terminal, where progress may be redrawn in place. */
  readonly errIsTTY?: boolean;
  readonly exitCode: number;
}

/** Where a CLI context writes; tests pass their own writers (and then `err` is not a terminal). */
export interface CliIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
  errIsTTY?: boolean;
}

export function createCliContext(io: CliIo = {}): CliContext {
  let config: Readonly<Config> | undefined;
  let logger: Logger | undefined;
  let exitCode = EXIT_OK;
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  return {
    config() {
      config ??= loadConfig();
      return config;
    },
    logger() {
      logger ??= createLogger({ level: process.env.REELFORGE_LOG_LEVEL ? this.config().log.level : 'warn' });
      return logger;
    },
    action(fn) {
      return async (...args) => {
        try {
          exitCode = (await fn(...args)) ?? EXIT_OK;
        } catch (e) {
          exitCode = reportError(e, err);
        }
      };
    },
    out,
    err,
    errIsTTY: io.errIsTTY ?? (io.err === undefined && process.stderr.isTTY === true),
    get exitCode() {
      return exitCode;
    },
  };
}

/** A CLI command module registers its commands on the program. */
export type RegisterCommands = (program: Command, ctx: CliContext) => void;

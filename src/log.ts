import { type Logger, pino } from 'pino';

export type { Logger };

export interface LogOptions {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Write to stderr so that stdout stays free for command output (JSON schema, probe results). */
  destination?: 'stderr' | 'stdout';
}

/** Structured JSON logging (pino). Created once in the composition root and passed down. */
export function createLogger(options: LogOptions): Logger {
  const fd = options.destination === 'stdout' ? 1 : 2;
  return pino({ level: options.level, base: undefined }, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

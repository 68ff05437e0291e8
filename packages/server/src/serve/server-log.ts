import type { FastifyBaseLogger } from 'fastify';
import type { ServeConfig } from '../config.js';

export type LogLevel = 'info' | 'warn' | 'error' | 'fatal';
export type ServerLog = Record<Exclude<LogLevel, 'fatal'>, (obj: object, msg: string) => void>;

/**
 * The server's log before and after its app exists. The database thread and alerting start before
 * the app (while the spool is replayed), so until `attach` their lines go to stderr in the same
 * JSON shape the app's logger writes; after it, through that logger.
 */
export class StartupLog implements ServerLog {
  private logger: FastifyBaseLogger | null = null;

  constructor(private readonly level: ServeConfig['logLevel']) {}

  attach(logger: FastifyBaseLogger): void {
    this.logger = logger;
  }

  info = (obj: object, msg: string): void => this.write('info', obj, msg);
  warn = (obj: object, msg: string): void => this.write('warn', obj, msg);
  error = (obj: object, msg: string): void => this.write('error', obj, msg);
  /** A thread died: the server answers 503 from now on. */
  fatal = (obj: object, msg: string): void => this.write('fatal', obj, msg);

  private write(level: LogLevel, obj: object, msg: string): void {
    if (this.logger !== null) return this.logger[level](obj, msg);
    if (this.level === 'silent' || (level === 'info' && !['trace', 'debug', 'info'].includes(this.level))) return;
    const line = obj instanceof Object && 'err' in obj && obj.err instanceof Error ? { ...obj, err: { message: obj.err.message, stack: obj.err.stack } } : obj;
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...line, msg })}\n`);
  }
}

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { type ScriptName, scripts } from './lua.js';

export type Reply = Array<string | number>;

/**
 * Calls our Lua scripts by SHA with the namespace and the clock's time as the first two arguments.
 * (ioredis's `defineCommand` would send a script's full text whenever it goes out in a pipeline.)
 */
export class ScriptRunner {
  private readonly shas = new Map<ScriptName, string>();

  constructor(
    private readonly client: Redis,
    private readonly ns: string,
    private readonly clock: Clock,
    private readonly ready: () => Promise<void>,
  ) {
    for (const [name, lua] of Object.entries(scripts) as Array<[ScriptName, string]>) {
      this.shas.set(name, createHash('sha1').update(lua).digest('hex'));
    }
  }

  async load(): Promise<void> {
    await Promise.all(Object.values(scripts).map((lua) => this.client.script('LOAD', lua)));
  }

  async run(name: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    await this.ready();
    const sha = this.shas.get(name) as string;
    try {
      return await this.client.evalsha(sha, 0, this.ns, this.clock.now(), ...args);
    } catch (e) {
      // A restarted or flushed Redis forgets scripts: load them again and repeat once.
      if (!(e instanceof Error) || !e.message.includes('NOSCRIPT')) throw e;
      await this.load();
      return this.client.evalsha(sha, 0, this.ns, this.clock.now(), ...args);
    }
  }
}

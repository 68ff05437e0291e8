import type { FastifyInstance, FastifyPluginAsync, FastifyPluginOptions } from 'fastify';
import type { Lifecycle } from './lifecycle.js';

/** A feature's routes: a Fastify plugin with the options the part made for it, registered by the app. */
export interface PartRoutes {
  readonly name: string;
  /**
   * Routes that take data in (OTLP): registered before the app's hooks of the API's reads (a read
   * waits until what was acknowledged before it is visible), which they must not pass through.
   */
  readonly receives?: boolean;
  register(app: FastifyInstance): Promise<void>;
}

/** `plugin` with `options`, for the app to register when it is made. */
export function routes<Options extends FastifyPluginOptions>(name: string, plugin: FastifyPluginAsync<Options>, options: Options): PartRoutes {
  return {
    name,
    register: async (app) => {
      await app.register(plugin, options);
    },
  };
}

/**
 * One feature of the server, as the loader (`Boot`) starts it:
 * - `check` reads and checks its files and flags before any part starts, so a bad file stops the
 *   start, named, with nothing to close;
 * - `start` starts what it runs, taking what the parts before it gave (`needs`) and what its check
 *   read, and registers each thing's close with `life`: closes run in the reverse of the starts;
 * - `routes` are its HTTP routes over what it started, registered in the app (made last) in the
 *   parts' order.
 * A part needs only what earlier parts give: its `Needs` are checked against them when it is added.
 */
export interface Part<Needs extends object, Gives extends object, Checked = void> {
  readonly name: string;
  readonly check?: () => Promise<Checked> | Checked;
  readonly start: (life: Lifecycle, needs: Needs, checked: Checked) => Promise<Gives> | Gives;
  readonly routes?: (have: Needs & Gives) => readonly PartRoutes[];
}

interface Added {
  part: Part<object, object, unknown>;
}

/** What every part can read once added: the routes of the parts before it. */
export interface Routed {
  readonly routes: readonly PartRoutes[];
}

/**
 * The loader: parts are added in the order they start, each typed against what the parts before
 * it give; `start` runs every part's check, then starts the parts one by one under one lifecycle
 * (on a failed start, what had started closes in reverse, and the error is thrown).
 */
export class Boot<Have extends object> {
  private constructor(
    private readonly base: object,
    private readonly added: readonly Added[],
  ) {}

  /** A loader whose first parts are given `base`. */
  static from<Base extends object>(base: Base): Boot<Base & Routed> {
    return new Boot<Base & Routed>(base, []);
  }

  /** Adds `part`, started after those added before it, and closed before them. */
  with<Gives extends object, Checked>(part: Part<Have, Gives, Checked>): Boot<Have & Gives> {
    return new Boot<Have & Gives>(this.base, [...this.added, { part: part as unknown as Part<object, object, unknown> }]);
  }

  /** The parts' names in the order they start. */
  names(): string[] {
    return this.added.map(({ part }) => part.name);
  }

  /** Checks every part, then starts them in order; gives what all of them gave. */
  async start(life: Lifecycle): Promise<Have> {
    const checked: unknown[] = [];
    for (const { part } of this.added) checked.push(part.check === undefined ? undefined : await part.check());
    return life.run(async () => {
      let have: Record<string, unknown> = { ...this.base, routes: [] };
      for (const [index, { part }] of this.added.entries()) {
        const gives = await part.start(life, have, checked[index]);
        for (const name of Object.keys(gives)) {
          // Two parts giving one name would hide the first from every part after: a mistake in the order's declaration.
          if (name in have) throw new Error(`the part ${part.name} gives '${name}', which a part before it gave`);
        }
        const routed = part.routes?.({ ...have, ...gives }) ?? [];
        have = { ...have, ...gives, routes: [...(have.routes as PartRoutes[]), ...routed] };
      }
      return have as Have;
    });
  }
}

import { AppError } from '../errors.js';
import { callsOver } from './client.js';
import { type Link, type Name, type Protocol, type Served, type Transfers, type WireError, errorFromWire, namedError, transferOf, wireErrorOf } from './protocol.js';

/**
 * A thread's protocol served on this thread, for tests and tools: no worker, no build. What
 * crosses is still a structured clone with the protocol's transfer lists (a moved buffer is
 * detached here too), and an error crosses as it would, so what could not cross a thread fails
 * here as well.
 */
export function inProcessLink<P extends Protocol>(served: Served<P>, options: { transfers?: Transfers<P>; errorOf?: (wire: WireError) => Error } = {}): Link<P> {
  const { transfers = {}, errorOf = namedError } = options;
  const request = async (name: string, args: readonly unknown[]): Promise<unknown> => {
    const sent = structuredClone(args, { transfer: [...transferOf(transfers.calls, name, args)] });
    let answer: unknown;
    try {
      if (!Object.hasOwn(served.calls, name)) throw new AppError('ERR_INTERNAL', `the thread has no call '${name}'`);
      answer = await Reflect.apply(Reflect.get(served.calls, name), served.calls, sent);
    } catch (error) {
      throw errorFromWire(structuredClone(wireErrorOf(error)), errorOf);
    }
    return structuredClone(answer, { transfer: [...transferOf(transfers.answers, name, [answer])] });
  };
  return {
    calls: callsOver<P>(request),
    post: <K extends Name<P['posts']>>(name: K, ...args: P['posts'][K]): void => {
      if (!Object.hasOwn(served.posts, name)) return;
      Reflect.apply(served.posts[name], served.posts, structuredClone(args, { transfer: [...transferOf(transfers.posts, name, args)] }));
    },
  };
}

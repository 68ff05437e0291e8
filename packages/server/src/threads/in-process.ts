import { callsOver, deliver } from './client.js';
import {
  type Link,
  type Name,
  type Protocol,
  type Served,
  type Transfers,
  type WireError,
  byWireName,
  errorFromWire,
  namedError,
  transferOf,
  wireErrorOf,
} from './protocol.js';
import { invoke } from './server.js';

/**
 * A thread's protocol served on this thread, for tests and tools: no worker, no build. What
 * crosses is still a structured clone with the protocol's transfer lists (a moved buffer is
 * detached here too), and an error crosses as it would, so what could not cross a thread fails
 * here as well.
 */
export function inProcessLink<P extends Protocol>(
  served: Served<P>,
  options: { transfers?: Transfers<P>; errorOf?: (wire: WireError) => Error } = {},
): Link<P> {
  const { transfers = {}, errorOf = namedError } = options;
  const calls = byWireName(served.calls);
  const [callTransfers, answerTransfers, postTransfers] = [byWireName(transfers.calls), byWireName(transfers.answers), byWireName(transfers.posts)];
  const request = async (name: string, args: readonly unknown[]): Promise<unknown> => {
    const sent = structuredClone(args, { transfer: [...transferOf(callTransfers, name, args)] });
    let answer: unknown;
    try {
      answer = await invoke(calls, name, sent);
    } catch (error) {
      throw errorFromWire(structuredClone(wireErrorOf(error)), errorOf);
    }
    return structuredClone(answer, { transfer: [...transferOf(answerTransfers, name, [answer])] });
  };
  return {
    calls: callsOver<P>(request),
    post: <K extends Name<P['posts']>>(name: K, ...args: P['posts'][K]): void =>
      deliver(served.posts, name, structuredClone(args, { transfer: [...transferOf(postTransfers, name, args)] })),
  };
}

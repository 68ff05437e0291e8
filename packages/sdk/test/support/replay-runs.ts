import { afterAll, beforeAll } from 'vitest';
import { getReplayReport, init, shutdown, type ReplayOptions, type ReplayReport } from '../../src/index.js';
import { startFakeLlm, type FakeLlm, type FakeReply } from './fake-llm.js';
import type { SpoorServer } from './llm-e2e.js';

/**
 * Runs of an app recorded to a Spoor server and replayed from their trace, as the replay tests
 * make them: each run under its own service name, the SDK shut down after it.
 */

/** What a run of the tests' apps gives back: the outputs a replay must reproduce. */
export interface AgentRun {
  plan: string;
  tool: { callId: string; result: unknown };
  answer: string;
}

export interface ReplayRuns {
  /** Records a run of `agent` to the server as `service`; returns its outputs and trace id. */
  record(service: string, llm: FakeLlm, replies: FakeReply[], agent: () => Promise<AgentRun>): Promise<{ run: AgentRun; traceId: string }>;
  /** Runs `agent` under a replay of `replay.traceId` as `service`: outputs (or the failure), time taken, and the report. */
  replayed(
    service: string,
    replay: ReplayOptions,
    agent: () => Promise<AgentRun>,
  ): Promise<{ run?: AgentRun; error?: unknown; ms: number; report: ReplayReport }>;
}

/** Records and replays runs against `server`. */
export function replayRuns(server: SpoorServer): ReplayRuns {
  function initFor(service: string, replay?: ReplayOptions): void {
    init({
      serviceName: service,
      endpoint: server.url,
      metricsIntervalMs: 60_000,
      logDestination: { write: () => undefined },
      onExportError: () => undefined,
      replay,
    });
  }
  return {
    async record(service, llm, replies, agent) {
      llm.script(...replies);
      initFor(service);
      let run: AgentRun;
      try {
        run = await agent();
      } finally {
        await shutdown();
      }
      const { trace } = await server.onlyTraceOf(service);
      return { run, traceId: trace.traceId };
    },
    async replayed(service, replay, agent) {
      initFor(service, replay);
      try {
        const began = performance.now();
        const outcome = await agent().then(
          (run) => ({ run }),
          (error: unknown) => ({ error }),
        );
        const ms = performance.now() - began;
        return { ...outcome, ms, report: getReplayReport()! };
      } finally {
        await shutdown();
      }
    },
  };
}

/** Starts a fake LLM for the calling `describe`. */
export function useFakeLlm(): () => FakeLlm {
  let llm: FakeLlm | undefined;
  beforeAll(async () => {
    llm = await startFakeLlm();
  });
  afterAll(async () => {
    await llm?.close();
  });
  return () => llm!;
}

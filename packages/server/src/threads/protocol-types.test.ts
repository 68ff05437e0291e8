import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The protocols of both threads, checked by the compiler: a source beside this file is compiled
 * against them, and each line it marks `// error: <what>` must fail with that, every other line
 * compile. The unmarked lines use answers as they arrive, with no cast.
 */
const SOURCE = `import type { TraceDetail, TraceListResponse, TraceQuery } from '@spoor/model';
import type { KeyRecord } from '../auth/keys.js';
import type { DbClient } from '../dbthread/calls.js';
import type { DbThreadEvents } from '../dbthread/db-client.js';
import type { DbProtocol } from '../dbthread/protocol.js';
import type { DecodeProtocol } from '../ingest/decode-protocol.js';
import type { DecodeRequest, DecodeResult } from '../ingest/decoder.js';
import type { ProjectMaskingPolicy } from '../ingest/masking.js';
import { type Json, type JsonUtf8, parseJson } from '../json.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import type { WriteBatch } from '../store/tables.js';
import { startWorker } from './client.js';
import type { Link } from './protocol.js';
import type { ThreadServer } from './server.js';

declare const query: TraceQuery;
declare const position: SpoolPosition;
declare const batch: WriteBatch;
declare const request: DecodeRequest;

export async function answers(db: DbClient, decoder: Link<DecodeProtocol>): Promise<void> {
  const keys: KeyRecord[] = await db.access.listKeys();
  const policies: ProjectMaskingPolicy[] = await db.masking.list();
  const secret: string = await db.access.sessionSecret();
  const deleted: boolean = await db.masking.delete('default', 0);
  const text: Json<TraceListResponse> = await db.traces.list(query);
  const forwarded: string = text;
  const traces: TraceListResponse = parseJson(text);
  const bytes: JsonUtf8<TraceDetail> = await db.traces.get('default', 'abc');
  const decoded: DecodeResult = await decoder.calls.decode(request);
  const metrics: string = await decoder.calls.spanMetrics();
  void [keys, policies, secret, deleted, forwarded, traces, bytes, decoded, metrics];
}

export async function calls(db: DbClient, decoder: Link<DecodeProtocol>): Promise<void> {
  await db.tracez.list(query); // error: Property 'tracez' does not exist
  await db.traces.lizt(query); // error: Property 'lizt' does not exist
  await db.listTraces(query); // error: Property 'listTraces' does not exist
  await db.sampling.decide('default', ['t'], 'errors', 0); // error: Argument of type 'string' is not assignable to parameter of type 'ResolvedPolicy'
  await db.traces.get('default'); // error: Expected 2-4 arguments, but got 1
  const wrong: number = parseJson(await db.traces.list(query)); // error: 'TraceListResponse' is not assignable to type 'number'
  const made: Json<TraceListResponse> = '{"traces":[]}'; // error: Type 'string' is not assignable to type 'Json<TraceListResponse>'
  const keys: string = await db.access.listKeys(); // error: 'KeyRecord[]' is not assignable to type 'string'
  await db.masking.put('default', '{"mode":"mask"}', 0); // error: has no properties in common with type 'MaskingPolicy'
  const body: string = await decoder.calls.decode(request); // error: 'DecodeResult' is not assignable to type 'string'
  await decoder.calls.decode({ ...request, body: 'text' }); // error: Type 'string' is not assignable to type 'Uint8Array
  void [wrong, made, keys, body];
}

export function writesAndEvents(db: Link<DbProtocol>, thread: ThreadServer<DbProtocol>, decoder: Link<DecodeProtocol>, decodeThread: ThreadServer<DecodeProtocol>): void {
  db.post('batch', batch, position, 1);
  db.post('batch', null, position, 1);
  db.post('batch', batch, 1); // error: Expected 4 arguments, but got 3
  db.post('bacth', batch, position, 1); // error: is not assignable to parameter of type '"batch"'
  thread.emit('committed', 1, position, 10, 2.5);
  thread.emit('committed', '1', position, 10, 2.5); // error: Argument of type 'string' is not assignable to parameter of type 'number'
  thread.emit('storeHealth', 'yes', false); // error: Argument of type 'string' is not assignable to parameter of type 'boolean'
  thread.emit('comitted', 1, position, 10, 2.5); // error: is not assignable to parameter of type 'Name<DbEvents>'
  decoder.post('settle', 1, true);
  decoder.post('settle', '1', true); // error: Argument of type 'string' is not assignable to parameter of type 'number'
  decodeThread.emit('decoded', 1); // error: is not assignable to parameter of type 'never'
  startWorker<DecodeProtocol>(new URL('file:///decode-thread.js'), { prices: null }); // error: is missing the following properties from type 'DecodeThreadConfig': maskFile
}

export const events: Omit<DbThreadEvents, 'committed'> = {
  prices: () => {},
  storeHealth: (healthy: boolean) => void healthy,
  damaged: (segment: number, offset: number, bytes: string) => void [segment, offset, bytes], // error: Type 'number' is not assignable to type 'string'
  quarantined: () => {},
  log: () => {},
  failed: () => {},
};
`;

describe('the thread protocols', () => {
  it('refuse, at compile time, a call, a write message or an event they do not have, or a payload, answer or start config of the wrong type', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const file = join(here, '__protocol.check.ts');
    const host = ts.createCompilerHost({});
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? SOURCE : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const options = {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const program = ts.createProgram([file], options, host);
    const source = program.getSourceFile(file)!;
    const found = ts.getPreEmitDiagnostics(program, source).map((d) => ({
      line: d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    }));

    const marked = SOURCE.split('\n').flatMap((text, i) => {
      const at = text.indexOf('// error: ');
      return at === -1 ? [] : [{ line: i + 1, says: text.slice(at + '// error: '.length) }];
    });
    expect(marked.length).toBe(20);
    for (const { line, says } of marked) {
      expect(
        found.filter((d) => d.line === line).map((d) => d.message),
        `line ${line}`,
      ).toEqual([expect.stringContaining(says)]);
    }
    expect(found.filter((d) => !marked.some((m) => m.line === d.line))).toEqual([]);
  });
});

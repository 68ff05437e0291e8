import type { ChatMessage } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type TranscriptCall, isToolTurn, transcriptOf } from './transcript';

const text = (role: string, content: string): ChatMessage => ({ role, parts: [{ type: 'text', content }], finishReason: null });
const toolCall: ChatMessage = { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'search', arguments: { q: 'rain' } }], finishReason: null };
const toolAnswer: ChatMessage = { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'wet' }], finishReason: null };
const call = (traceId: string, spanId: string, input: ChatMessage[], output: ChatMessage[]): TranscriptCall => ({
  traceId,
  spanId,
  messages: { system: [], input: [text('system', 'be brief'), ...input], output },
});
const said = (turns: ReturnType<typeof transcriptOf>) => turns.map((t) => [t.message.role, t.traceId, t.spanId]);

describe('transcriptOf', () => {
  it('keeps each turn once when every call repeats the history before it', () => {
    const u1 = text('user', 'weather?');
    const a1 = text('assistant', 'wet');
    const u2 = text('user', 'thanks');
    const a2 = text('assistant', 'welcome');
    const turns = transcriptOf([
      call('t1', 's1', [u1], [toolCall]),
      call('t1', 's2', [u1, toolCall, toolAnswer], [a1]),
      call('t2', 's3', [u1, toolCall, toolAnswer, a1, u2], [a2]),
    ]);
    expect(said(turns)).toEqual([
      ['user', 't1', 's1'],
      ['assistant', 't1', 's1'],
      ['tool', 't1', 's2'],
      ['assistant', 't1', 's2'],
      ['user', 't2', 's3'],
      ['assistant', 't2', 's3'],
    ]);
    expect(turns.map(isToolTurn)).toEqual([false, true, true, false, false, false]);
  });

  it('continues a history the app trimmed to its latest messages, and keeps a repeated message as a new turn', () => {
    const yes = text('user', 'yes');
    const ok1 = text('assistant', 'ok 1');
    const ok2 = text('assistant', 'ok 2');
    const turns = transcriptOf([call('t1', 's1', [yes], [ok1]), call('t2', 's2', [ok1, yes], [ok2])]);
    expect(turns.map((t) => [t.message.parts[0], t.traceId])).toEqual([
      [{ type: 'text', content: 'yes' }, 't1'],
      [{ type: 'text', content: 'ok 1' }, 't1'],
      [{ type: 'text', content: 'yes' }, 't2'],
      [{ type: 'text', content: 'ok 2' }, 't2'],
    ]);
  });

  it('reads a call without recorded messages as no turns', () => {
    expect(transcriptOf([{ traceId: 't', spanId: 's', messages: { system: [], input: [], output: [] } }])).toEqual([]);
  });
});

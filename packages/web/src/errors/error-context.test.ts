import type { ErrorParts } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { errorContext, errorTitle } from './error-context';

const base: ErrorParts = {
  exceptionType: 'Error',
  messageKey: 'boom',
  frame: null,
  provider: null,
  httpStatus: null,
  errorType: null,
  finishReason: null,
  toolName: null,
};

describe('errorContext', () => {
  it.each([
    { name: 'nothing for a plain error', parts: {}, tags: [] },
    { name: 'the frame', parts: { frame: 'run (src/agent.ts)' }, tags: ['at run (src/agent.ts)'] },
    {
      name: 'an LLM failure',
      parts: { exceptionType: 'RateLimitError', provider: 'openai', httpStatus: 429, errorType: 'rate_limit_exceeded' },
      tags: ['openai', 'HTTP 429', 'rate_limit_exceeded'],
    },
    { name: 'no error type that repeats the exception type', parts: { exceptionType: 'timeout', errorType: 'timeout' }, tags: [] },
    {
      name: 'a cut-short answer',
      parts: { exceptionType: 'FinishReason', provider: 'anthropic', finishReason: 'length' },
      tags: ['anthropic', 'finish: length'],
    },
    { name: 'a tool', parts: { toolName: 'web_search' }, tags: ['tool: web_search'] },
  ])('gives $name', ({ parts, tags }) => {
    expect(errorContext({ ...base, ...parts })).toEqual(tags);
  });
});

describe('errorTitle', () => {
  it.each([
    {
      name: 'the type and the newest message',
      group: { exceptionType: 'TimeoutError', sampleMessage: 'took 30s', messageKey: 'took <n>' },
      title: { type: 'TimeoutError', message: 'took 30s' },
    },
    {
      name: 'the message alone for a failed status without a type',
      group: { exceptionType: '', sampleMessage: 'step write failed', messageKey: 'step write failed' },
      title: { type: null, message: 'step write failed' },
    },
    {
      name: 'the message pattern when the newest message is empty',
      group: { exceptionType: '', sampleMessage: '', messageKey: 'took <n>' },
      title: { type: null, message: 'took <n>' },
    },
    {
      name: 'a placeholder when there is no message at all',
      group: { exceptionType: 'ValueError', sampleMessage: '', messageKey: '' },
      title: { type: 'ValueError', message: '(no message)' },
    },
  ])('gives $name', ({ group, title }) => {
    expect(errorTitle(group)).toEqual(title);
  });
});

import { describe, expect, it } from 'vitest';
import { clipMessage, normalizeMessage } from './error-message.js';

describe('normalizeMessage', () => {
  it.each([
    [
      'Rate limit reached for gpt-4o in organization org-AbC123 on tokens per min: Limit 30000, Used 29876, Requested 1200. Please try again in 2.4s',
      'Rate limit reached for <id> in organization <id> on tokens per min: Limit <n>, Used <n>, Requested <n>. Please try again in <n>',
    ],
    [
      "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}",
      "Error code: <n> - {'error': {'message': <str>, 'type': <str>, 'param': None, 'code': 'rate_limit_exceeded'}}",
    ],
    [
      "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}, 'request_id': 'req_011CSHoEeqs5C35K2UUqR7Fy'}",
      "Error code: <n> - {'type': <str>, 'error': {'type': 'overloaded_error', 'message': <str>}, 'request_id': <str>}",
    ],
    ['{"error":{"message":"Invalid \\"model\\" value","type":"invalid_request_error"}}', '{"error":{"message":<str>,"type":"invalid_request_error"}}'],
    [
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
      "This model's maximum context length is <n> tokens. However, your messages resulted in <n> tokens.",
    ],
    ["ENOENT: no such file or directory, open '/app/data/run-42/out.json'", 'ENOENT: no such file or directory, open <str>'],
    ['cannot read `config.yaml`', 'cannot read <str>'],
    ["KeyError: 'user_id'", "KeyError: 'user_id'"],
    ['Request 550e8400-e29b-41d4-a716-446655440000 failed', 'Request <uuid> failed'],
    ['no account for bob.smith+test@example.co.uk', 'no account for <email>'],
    ['token expired at 2024-05-01T10:22:33.123Z (issued 2024-04-30)', 'token expired at <time> (issued <time>)'],
    ['POST https://api.openai.com/v1/chat/completions?user=42 timed out.', 'POST https://api.openai.com/<path> timed out.'],
    ['connect ECONNREFUSED http://10.0.0.12:8080', 'connect ECONNREFUSED http://<n>:<n>'],
    ['segfault at 0x7ffd5e8c in trace 4bf92f3577b34da6a3ce929d0e0e4736', 'segfault at <hex> in trace <hex>'],
    ['tool call call_abc123 failed for run req_8fK2x9', 'tool call <id> failed for run <id>'],
    ['offset -5 out of range 0.75, took 1,200ms', 'offset <n> out of range <n>, took <n>'],
    ['model claude-3-5-sonnet-20241022 not found', 'model <id> not found'],
    ["  can't\n\tconnect   ", "can't connect"],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });

  it.each([
    ['Request req_8fK2x9 failed after 3 retries', 'Request req_Zq71mm failed after 5 retries'],
    ['Limit 30000, Used 29876, Requested 1200. Please try again in 2.4s', 'Limit 90000, Used 89990, Requested 12. Please try again in 600ms'],
    ["open '/tmp/a.txt' failed", 'open "/var/data/b.json" failed'],
    ['span 4bf92f3577b34da6 ended', 'span 00f067aa0ba902b7 ended'],
  ])('gives %j and %j the same key', (a, b) => {
    expect(normalizeMessage(a)).toBe(normalizeMessage(b));
  });

  it.each([
    ['file not found', 'permission denied'],
    ["{'type': 'error', 'error': {'type': 'rate_limit_error'}}", "{'type': 'error', 'error': {'type': 'overloaded_error'}}"],
    ['connect to https://api.openai.com failed', 'connect to https://api.anthropic.com failed'],
    ["KeyError: 'user_id'", "KeyError: 'session_id'"],
  ])('keeps %j and %j apart', (a, b) => {
    expect(normalizeMessage(a)).not.toBe(normalizeMessage(b));
  });

  it('caps the key at 300 characters', () => {
    expect(normalizeMessage('word '.repeat(200)).length).toBeLessThanOrEqual(300);
  });
});

describe('clipMessage', () => {
  it('keeps the first 2,000 UTF-16 units of a message, without splitting a surrogate pair', () => {
    expect(clipMessage('x'.repeat(5_000))).toBe('x'.repeat(2_000));
    expect(clipMessage('short')).toBe('short');
    // A pair whose high half is the 2,000th unit goes whole.
    expect(clipMessage(`${'x'.repeat(1_999)}😀x`)).toBe('x'.repeat(1_999));
    expect(clipMessage(`${'x'.repeat(1_998)}😀x`)).toBe(`${'x'.repeat(1_998)}😀`);
  });
});

import { describe, expect, it } from 'vitest';
import type { NotifierDeps } from './notify/delivery.js';
import { ReceiversInForce } from './receivers-in-force.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const deps: NotifierDeps = { onResult: () => {}, logger: quiet };
const hook = (name: string, url = 'https://a.example.com/h') => ({ name, webhook: { url } });
const stored = (name: string, spec: object, updatedUs = 1) => ({ name, spec: JSON.stringify(spec), createdUs: 1, updatedUs });

describe('ReceiversInForce', () => {
  it("keeps an unchanged receiver's notifier when others come and go, and makes a changed one anew", () => {
    const receivers = new ReceiversInForce(deps);
    expect(receivers.setApi(hook('a'), 1, 1)).toBe(true);
    const a = receivers.notifier('a');
    expect(receivers.setApi(hook('b'), 1, 1)).toBe(true);
    expect(receivers.notifier('a')).toBe(a);
    expect(receivers.setApi(hook('a', 'https://b.example.com/h'), 1, 2)).toBe(false);
    expect(receivers.notifier('a')).not.toBe(a);
    expect(receivers.deleteApi('b')).toBe(true);
    expect([...receivers.names()].sort()).toEqual(['a', 'log']);
  });

  it("lists an API receiver the file's hides as not in force, and the file's first", () => {
    const receivers = new ReceiversInForce(deps);
    receivers.setApi(hook('oncall'), 5, 6);
    receivers.useFile([
      { name: 'oncall', slack: { url: 'https://hooks.slack.com/x' } },
      { name: 'log', log: {} },
    ]);
    expect(receivers.entries().map((e) => [e.config.name, e.source, e.inForce])).toEqual([
      ['log', 'builtin', true],
      ['oncall', 'file', true],
      ['oncall', 'api', false],
    ]);
    expect(receivers.configs().find((c) => c.name === 'oncall')).toHaveProperty('slack');
    expect(receivers.fromFile('oncall')).toBe(true);
  });

  it('changes nothing when a file receiver cannot be made', () => {
    const receivers = new ReceiversInForce(deps);
    delete process.env.SPOOR_TEST_UNSET_SECRET;
    expect(() => receivers.useFile([{ name: 'x', webhook: { url: 'https://a.example.com', secret: 'env:SPOOR_TEST_UNSET_SECRET' } }])).toThrow(/not set/);
    expect([...receivers.names()]).toEqual(['log']);
  });

  it('takes up the stored receivers, reports a bad one once per version, and drops those deleted', () => {
    const receivers = new ReceiversInForce(deps);
    const bad: string[] = [];
    const onBad = (name: string) => bad.push(name);
    expect(receivers.useStored([stored('a', { webhook: { url: 'https://a.example.com' } }), stored('odd', { carrier: 'pigeon' })], onBad)).toBe(true);
    expect(receivers.useStored([stored('a', { webhook: { url: 'https://a.example.com' } }), stored('odd', { carrier: 'pigeon' })], onBad)).toBe(false);
    expect(bad).toEqual(['odd']);
    expect(receivers.useStored([stored('odd', { carrier: 'pigeon' }, 2)], onBad)).toBe(true);
    expect(bad).toEqual(['odd', 'odd']);
    expect([...receivers.names()]).toEqual(['log']);
  });
});

import type { Attributes, SpanCategory } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { categoryOf } from './category.js';

describe('categoryOf', () => {
  it.each<{ label: string; name: string; attributes: Attributes; category: SpanCategory }>([
    {
      label: 'a GenAI tool execution',
      name: 'execute_tool lookup',
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' },
      category: 'tool',
    },
    { label: 'a span naming its tool by gen_ai.tool.name alone', name: 'lookup', attributes: { 'gen_ai.tool.name': 'lookup' }, category: 'tool' },
    {
      label: 'a span naming its tool by tool.name, with no GenAI attribute',
      name: 'lookup',
      attributes: { 'tool.name': 'lookup', 'tool.parameters': '{"q":"x"}' },
      category: 'tool',
    },
    { label: 'a span with an empty tool.name', name: 'lookup', attributes: { 'tool.name': '' }, category: 'other' },
    { label: 'a vector store query', name: 'query', attributes: { 'db.system.name': 'qdrant' }, category: 'retriever' },
    { label: 'a span with nothing to go by', name: 'handle', attributes: { 'http.route': '/orders' }, category: 'other' },
    // Names of Object's own members are words like any other: before, a plain-object table
    // answered them with Object's constructor, and a tool name after it was never read.
    {
      label: "an operation named 'constructor', naming a tool",
      name: 'x',
      attributes: { 'gen_ai.operation.name': 'constructor', 'tool.name': 'lookup' },
      category: 'tool',
    },
    {
      label: "a kind named '__proto__', naming a tool",
      name: 'x',
      attributes: { 'traceloop.span.kind': '__proto__', 'tool.name': 'lookup' },
      category: 'tool',
    },
    { label: "a kind named 'toString'", name: 'x', attributes: { 'openinference.span.kind': 'toString' }, category: 'other' },
  ])('takes $label for $category', ({ name, attributes, category }) => {
    expect(categoryOf(name, attributes, null)).toBe(category);
  });
});

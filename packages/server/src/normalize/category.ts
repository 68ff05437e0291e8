import type { Attributes, LlmFields, SpanCategory } from '@spoor/model';
import { GENKIT_SCOPE, genkitCategory } from './genkit.js';
import { langChainMetadataField, OPENINFERENCE_LANGCHAIN } from './langchain.js';
import { text } from './llm.js';

/**
 * `gen_ai.operation.name` values that are not model calls: the GenAI conventions' own, then the
 * frameworks' own words as they send them (test/fixtures/frameworks): OpenLLMetry's LangChain
 * `workflow` for every chain and graph, and Mastra's `agent.run`, `workflow.run`, `workflow.step`,
 * `model.step` (one turn of its model loop, under the generation that holds the usage) and
 * `tool.execute`.
 */
const OPERATION_CATEGORIES: ReadonlyMap<string, SpanCategory> = categories({
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  embeddings: 'embedding',
  retrieval: 'retriever',
  workflow: 'workflow',
  'agent.run': 'agent',
  'workflow.run': 'workflow',
  'workflow.step': 'step',
  'model.step': 'step',
  'tool.execute': 'tool',
});

/** Spoor SDK `spoor.kind`, OpenLLMetry `traceloop.span.kind`, OpenInference `openinference.span.kind`. */
const KIND_CATEGORIES: ReadonlyMap<string, SpanCategory> = categories({
  workflow: 'workflow',
  step: 'step',
  stage: 'step',
  task: 'step',
  chain: 'step',
  agent: 'agent',
  tool: 'tool',
  retriever: 'retriever',
  reranker: 'retriever',
  embedding: 'embedding',
  llm: 'llm',
});

/**
 * A table looked up by text that arrives with a span, as a map: a plain object would answer
 * `constructor` or `__proto__` with Object's own members.
 */
function categories(table: Record<string, SpanCategory>): ReadonlyMap<string, SpanCategory> {
  return new Map(Object.entries(table));
}

/** The instrumentation scope of OpenInference's OpenAI Agents SDK processor (test/fixtures/frameworks/README.md). */
const OPENINFERENCE_OPENAI_AGENTS = '@arizeai/openinference-instrumentation-openai-agents';

/** Vector stores by `db.system` / `db.system.name`: a query to one is a retrieval. */
const VECTOR_STORES = new Set(['pinecone', 'qdrant', 'chroma', 'chromadb', 'weaviate', 'milvus', 'pgvector', 'lancedb', 'vespa', 'turbopuffer']);

const RETRIEVAL_NAME = /retriev|vector[ ._-]?search|similarity[ ._-]?search|rerank/i;

/**
 * Where each convention names the tool a span runs: the GenAI conventions, OpenInference (and
 * apps that name their tools with no GenAI attribute), the Vercel AI SDK.
 */
export const TOOL_NAME_KEYS = ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name'];

/**
 * What a span is, for the views. An LLM call is `llm` (or `embedding`); otherwise the first of
 * these that the span carries decides: the GenAI operation, the kind an instrumentation gave it
 * (Spoor SDK, OpenLLMetry, OpenInference), the Vercel AI SDK operation, a tool name, a vector
 * store, a name that says retrieval. Pure.
 */
export function categoryOf(name: string, attributes: Attributes, llm: LlmFields | null, scopeName = ''): SpanCategory {
  if (llm !== null) return llm.operation === 'embeddings' ? 'embedding' : 'llm';
  const operation = text(attributes['gen_ai.operation.name']);
  const byOperation = operation === null ? undefined : OPERATION_CATEGORIES.get(operation);
  if (byOperation !== undefined) return byOperation;
  // OpenInference makes every LangChain run a CHAIN. The run of a whole graph is the one named
  // `LangGraph`, and langchain's `createAgent` marks its graph in the run metadata.
  if (name === 'LangGraph' && scopeName === OPENINFERENCE_LANGCHAIN) {
    return langChainMetadataField(attributes.metadata, 'ls_integration') === 'langchain_create_agent' ? 'agent' : 'workflow';
  }
  // OpenInference's OpenAI Agents processor makes the SDK's trace (`withTrace`, or the `Agent
  // workflow` of a bare `run`) an AGENT span too; only the spans of the agents themselves carry
  // `graph.node.id`.
  if (scopeName === OPENINFERENCE_OPENAI_AGENTS && attributes['graph.node.id'] === undefined && attributes['openinference.span.kind'] === 'AGENT')
    return 'workflow';
  for (const key of ['spoor.kind', 'traceloop.span.kind', 'openinference.span.kind']) {
    const kind = text(attributes[key]);
    const category = kind === null ? undefined : KIND_CATEGORIES.get(kind.toLowerCase());
    if (category !== undefined) return category;
  }
  if (scopeName === GENKIT_SCOPE) {
    const category = genkitCategory(attributes);
    if (category !== undefined) return category;
  }
  const operationId = text(attributes['ai.operationId']);
  if (operationId !== null) {
    if (operationId === 'ai.toolCall') return 'tool';
    // `ai.generateText` and friends run one or more model calls (and tools) as one step.
    if (operationId.startsWith('ai.')) return 'step';
  }
  for (const key of TOOL_NAME_KEYS) if (text(attributes[key]) !== null) return 'tool';
  const db = text(attributes['db.system.name']) ?? text(attributes['db.system']);
  if ((db !== null && VECTOR_STORES.has(db.toLowerCase())) || RETRIEVAL_NAME.test(name)) return 'retriever';
  return 'other';
}

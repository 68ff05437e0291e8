// What the traffic of `analytics-data.mjs` is made of: its workflows, services and versions, agents,
// models with their prices, tools, retrievers, steps, and the errors each kind of span may fail with.

export const WORKFLOWS = ['research', 'support_chat', 'code_review', 'summarize_docs', 'triage_ticket', 'sales_email'];
export const SERVICES = ['agent-gateway', 'orchestrator', 'research-agent', 'writer-agent', 'tool-runner', 'retrieval-service'];
export const VERSIONS = ['2.3.1', '2.4.0'];
export const AGENTS = [
  ['planner', 'orchestrator', 'Breaks the request into steps and hands them to the other agents'],
  ['researcher', 'research-agent', 'Searches the web and the knowledge base and collects sources'],
  ['writer', 'writer-agent', 'Drafts the answer from the collected notes and sources'],
  ['critic', 'writer-agent', 'Reviews the draft for errors, tone and missing citations'],
  ['coder', 'research-agent', 'Writes and runs code to check numbers and transform data'],
  ['router', 'orchestrator', 'Picks the agent and model best suited to each sub-task'],
];
// [provider, request model, response model, operation, $/M input, $/M output, weight in 20]
export const MODELS = [
  ['openai', 'gpt-5.4', 'gpt-5.4', 'chat', 2.5, 15, 3, 'api.openai.com'],
  ['openai', 'gpt-5.4-mini', 'gpt-5.4-mini', 'chat', 0.75, 4.5, 4, 'api.openai.com'],
  ['openai', 'gpt-4.1', 'gpt-4.1-2025-04-14', 'chat', 2, 8, 2, 'api.openai.com'],
  ['openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'chat', 0.15, 0.6, 3, 'api.openai.com'],
  ['openai', 'o4-mini', 'o4-mini-2025-04-16', 'chat', 1.1, 4.4, 1, 'api.openai.com'],
  ['anthropic', 'claude-sonnet-4-6', 'claude-sonnet-4-6', 'chat', 3, 15, 3, 'api.anthropic.com'],
  ['anthropic', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001', 'chat', 1, 5, 2, 'api.anthropic.com'],
  ['gcp.gemini', 'gemini-2.5-flash', 'gemini-2.5-flash', 'chat', 0.3, 2.5, 1, 'generativelanguage.googleapis.com'],
  ['mistral_ai', 'mistral-large-latest', 'mistral-large-2512', 'chat', 0.5, 1.5, 1, 'api.mistral.ai'],
];
export const EMBEDDING = ['openai', 'text-embedding-3-small', 'text-embedding-3-small', 'embeddings', 0.02, 0, 0, 'api.openai.com'];
export const TOOLS = [
  ['web_search', '{\\"query\\":\\"latest pricing of vector databases\\",\\"max_results\\":8}'],
  ['fetch_url', '{\\"url\\":\\"https://docs.example.com/guides/getting-started\\"}'],
  ['run_python', '{\\"code\\":\\"import pandas as pd; df = pd.read_csv(path); df.describe()\\"}'],
  ['sql_query', '{\\"sql\\":\\"SELECT region, sum(amount) FROM orders GROUP BY region\\"}'],
  ['send_email', '{\\"to\\":\\"customer@example.com\\",\\"template\\":\\"follow_up\\"}'],
  ['read_file', '{\\"path\\":\\"/workspace/reports/q3-summary.md\\"}'],
  ['create_ticket', '{\\"project\\":\\"SUP\\",\\"priority\\":\\"high\\",\\"title\\":\\"Refund request\\"}'],
  ['calculator', '{\\"expression\\":\\"(1299 * 0.85) + 49.99\\"}'],
];
export const RETRIEVERS = [['retrieve vector_store', 'qdrant', 'kb-docs'], ['retrieve keyword_index', 'opensearch', 'kb-articles'], ['rerank documents', 'cohere', 'rerank-v3']];
export const STEPS = ['step plan', 'step act', 'step reflect', 'step finalize'];
// [role, exception type, message, message key, http status, error.type, frame function, frame file]
export const ERROR_KINDS = [
  ['root', 'WorkflowError', 'workflow aborted after 3 failed steps', 'workflow aborted after <n> failed steps', null, null, 'runWorkflow', 'workflows/run.ts'],
  ['root', 'HTTPError', 'client closed the request before the answer was ready', 'client closed the request before the answer was ready', null, null, 'handleRequest', 'api/server.ts'],
  ['root', 'ValidationError', 'request body is missing the field input', 'request body is missing the field input', null, null, 'parseRequest', 'api/schema.ts'],
  ['agent', 'MaxIterationsError', 'agent stopped after 8 iterations without an answer', 'agent stopped after <n> iterations without an answer', null, null, 'runAgent', 'agents/loop.ts'],
  ['agent', 'HandoffError', 'no agent accepted the handoff', 'no agent accepted the handoff', null, null, 'handoff', 'agents/router.ts'],
  ['agent', 'OutputParserError', 'could not parse the final answer as JSON', 'could not parse the final answer as JSON', null, null, 'parseAnswer', 'agents/output.ts'],
  ['step', 'StepTimeoutError', 'step exceeded its budget of 60s', 'step exceeded its budget of <n>', null, null, 'runStep', 'graph/step.ts'],
  ['step', 'StateError', 'state key notes was empty', 'state key notes was empty', null, null, 'readState', 'graph/state.ts'],
  ['step', 'AbortError', 'the operation was aborted', 'the operation was aborted', null, null, 'runStep', 'graph/step.ts'],
  ['llm', 'RateLimitError', '429 Rate limit reached for requests per minute', '<n> Rate limit reached for requests per minute', 429, 'rate_limit_error', 'callModel', 'llm/client.ts'],
  ['llm', 'InternalServerError', '529 Overloaded', '<n> Overloaded', 529, 'overloaded_error', 'callModel', 'llm/client.ts'],
  ['llm', 'BadRequestError', "400 This model's maximum context length is 128000 tokens", "<n> This model's maximum context length is <n> tokens", 400, 'context_length_exceeded', 'callModel', 'llm/client.ts'],
  ['tool', 'TimeoutError', 'tool call timed out after 30000 ms', 'tool call timed out after <n> ms', null, null, 'runTool', 'tools/runner.ts'],
  ['tool', 'ToolExecutionError', 'upstream answered HTTP 502 Bad Gateway', 'upstream answered HTTP <n> Bad Gateway', null, null, 'runTool', 'tools/runner.ts'],
  ['tool', 'PermissionError', 'the tool is not allowed for this tenant', 'the tool is not allowed for this tenant', null, null, 'checkScopes', 'tools/policy.ts'],
  ['retriever', 'ConnectionError', 'connection reset by peer while querying the index', 'connection reset by peer while querying the index', null, null, 'search', 'retrieval/index.ts'],
  ['retriever', 'TimeoutError', 'index query timed out after 2000 ms', 'index query timed out after <n> ms', null, null, 'search', 'retrieval/index.ts'],
  ['retriever', 'EmptyResultError', 'no documents above the score threshold 0.35', 'no documents above the score threshold <n>', null, null, 'filterHits', 'retrieval/filter.ts'],
];

import { describe, expect, it } from 'vitest';
import { consoleCommands, docExamples, withServer } from './support/doc-examples.js';

describe('docExamples', () => {
  it('finds each fence with its line, language and kind, in order', () => {
    const page = [
      '# Title',
      '',
      '```sh',
      'curl -s http://127.0.0.1:4318/api/traces',
      '```',
      'text',
      '~~~ts',
      'const a = 1;',
      '~~~',
      '```',
      'a diagram',
      '```',
    ].join('\n');
    expect(docExamples('p.md', page)).toEqual([
      { page: 'p.md', line: 3, lang: 'sh', kind: 'shell', code: 'curl -s http://127.0.0.1:4318/api/traces' },
      { page: 'p.md', line: 7, lang: 'ts', kind: 'typescript', code: 'const a = 1;' },
      { page: 'p.md', line: 10, lang: '', kind: undefined, code: 'a diagram' },
    ]);
  });

  it("takes a list item's indentation off its fence's lines", () => {
    const page = ['1. Run it.', '', '   ```sh', '   curl -s -X POST x \\', '     -d "{}"', '   ```'].join('\n');
    expect(docExamples('p.md', page)[0]!.code).toBe('curl -s -X POST x \\\n  -d "{}"');
  });

  it('reads the not-runnable mark only on the line right before a fence', () => {
    const page = ['<!-- not-runnable: needs a ClickHouse server -->', '```sh', 'a', '```', '<!-- not-runnable: too far -->', '', '```sh', 'b', '```'].join(
      '\n',
    );
    const [first, second] = docExamples('p.md', page);
    expect(first!.notRunnable).toBe('needs a ClickHouse server');
    expect(second!.notRunnable).toBeUndefined();
  });

  it("reads a JSON body's route from the request mark", () => {
    expect(docExamples('p.md', '<!-- request: PUT /api/projects/default/sampling -->\n```json\n{}\n```')[0]!.request).toEqual({
      method: 'PUT',
      path: '/api/projects/default/sampling',
    });
  });

  it("knows the MCP test's blocks by their mark", () => {
    expect(docExamples('p.md', '<!-- mcp-config: inspector -->\n```sh\nnpx x\n```')[0]!.mcpConfig).toBe('inspector');
  });

  it.each([
    ['bash', 'shell'],
    ['console', 'shell'],
    ['yaml', 'yaml'],
    ['json', 'json'],
    ['text', 'text'],
    ['sql', 'unrunnable'],
    ['xml', 'unrunnable'],
    ['python', undefined],
  ])('gives a %s fence the kind %s', (lang, kind) => {
    expect(docExamples('p.md', `\`\`\`${lang}\nx\n\`\`\``)[0]!.kind).toBe(kind);
  });

  it('keeps a longer fence open past a shorter one inside it', () => {
    expect(docExamples('p.md', '````md\n```sh\nx\n```\n````')).toHaveLength(1);
  });
});

describe('consoleCommands', () => {
  it('keeps the $ lines and their continuations, not the output', () => {
    expect(consoleCommands('$ spoor keys list \\\n    --data .spoor\nNo keys\n$ echo hi\nhi')).toBe('spoor keys list \\\n    --data .spoor\necho hi');
  });
});

describe('withServer', () => {
  it("rewrites the docs' server address, and no other port", () => {
    expect(withServer('curl http://127.0.0.1:4318/a http://localhost:4318/b http://127.0.0.1:43180 --grpc 127.0.0.1:4317', 'H:1')).toBe(
      'curl http://H:1/a http://H:1/b http://127.0.0.1:43180 --grpc 127.0.0.1:4317',
    );
  });
});

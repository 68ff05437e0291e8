import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpanStatusCode } from '@opentelemetry/api';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traced, withSpan } from '../src/index.js';
import { byName, initInMemory, shutdown, type MemorySdk } from './support/memory.js';

/**
 * TypeScript 5 standard decorators from the SDK on a class. vitest's transform leaves standard
 * decorators alone and Node 20 cannot run them, so the fixture is compiled here by the real
 * TypeScript compiler, written next to the tests (so its relative import reaches the very SDK
 * module this test initializes), and imported.
 */

const TEST_DIR = fileURLToPath(new URL('.', import.meta.url));
const COMPILED_ROOT = join(TEST_DIR, '.compiled');
const SDK_INDEX = fileURLToPath(new URL('../src/index.js', import.meta.url));
const TYPE_ROOT = fileURLToPath(new URL('../../../node_modules/@types', import.meta.url));

/** The fixture: every decorator form a user would write. `SDK` is replaced by the import path. */
const FIXTURE_SOURCE = `
import { measureTime, traced } from 'SDK';

export class Planner {
  constructor(readonly prefix: string) {}

  @traced()
  async plan(goal: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return \`\${this.prefix}: \${goal}\`;
  }

  @traced({ name: 'custom' })
  label(step: number): string {
    return \`\${this.prefix} #\${step}\`;
  }

  @traced
  review(text: string): string {
    if (text === '') throw new RangeError(\`\${this.prefix} has nothing to review\`);
    return text.toUpperCase();
  }

  @traced()
  async publish(): Promise<never> {
    await Promise.resolve();
    throw new TypeError(\`\${this.prefix} cannot publish\`);
  }

  @traced()
  static create(prefix: string): Planner {
    return new Planner(prefix);
  }

  @measureTime('x.duration')
  scale(value: number): number {
    return value * this.prefix.length;
  }
}

export class ReviewPlanner extends Planner {}

/** The SDK module instance the fixture bound to, for the test to compare with its own. */
export { traced as fixtureTraced };
`;

interface PlannerInstance {
  prefix: string;
  plan(goal: string): Promise<string>;
  label(step: number): string;
  review(text: string): string;
  publish(): Promise<never>;
  scale(value: number): number;
}

interface FixtureModule {
  Planner: { new (prefix: string): PlannerInstance; create(prefix: string): PlannerInstance };
  ReviewPlanner: { new (prefix: string): PlannerInstance; create(prefix: string): PlannerInstance };
  fixtureTraced: unknown;
}

let workDir: string;
let sourcePath: string;
let fixture: FixtureModule;
let sdk: MemorySdk;

beforeAll(async () => {
  await mkdir(COMPILED_ROOT, { recursive: true });
  workDir = await mkdtemp(join(COMPILED_ROOT, 'decorators-'));
  const sdkImport = relative(workDir, SDK_INDEX).split(sep).join('/');
  const source = FIXTURE_SOURCE.replace("'SDK'", `'${sdkImport}'`);
  sourcePath = join(workDir, 'planner.ts');
  await writeFile(sourcePath, source);
  const output = ts.transpileModule(source, {
    fileName: 'planner.ts',
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  expect(output.diagnostics ?? []).toEqual([]);
  // Decorators must have been lowered: Node 20 would reject an '@' before a method.
  expect(output.outputText).not.toMatch(/^\s*@traced/m);
  const jsPath = join(workDir, 'planner.js');
  await writeFile(jsPath, output.outputText);
  fixture = (await import(pathToFileURL(jsPath).href)) as FixtureModule;
});

afterEach(() => shutdown());

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  // Leave the folder when another run still has a directory in it.
  await rmdir(COMPILED_ROOT).catch(() => undefined);
});

describe('standard decorators compiled by TypeScript', () => {
  it('bind to the same SDK module instance as this test', () => {
    expect(fixture.fixtureTraced).toBe(traced);
  });

  it('name a decorated method span Class.method, keep `this`, and nest under the caller', async () => {
    sdk = initInMemory();
    const planner = new fixture.Planner('alpha');
    await expect(withSpan('caller', () => planner.plan('ship it'))).resolves.toBe('alpha: ship it');
    const spans = await sdk.spans();
    const span = byName(spans, 'Planner.plan');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['code.function.name']).toBe('plan');
    expect(span.parentSpanContext?.spanId).toBe(byName(spans, 'caller').spanContext().spanId);
    // The span lasts until the returned promise settles, past the method's 1 ms wait (a span
    // ended when the method returned would last microseconds). Half of it: a 1 ms timer fired
    // 0.86 ms after the span began by the span's clock in CI.
    expect(span.duration[0] * 1e9 + span.duration[1]).toBeGreaterThanOrEqual(1e6 * 0.5);
  });

  it('use the given name for @traced({ name }) on a sync method', async () => {
    sdk = initInMemory();
    expect(new fixture.Planner('beta').label(3)).toBe('beta #3');
    const spans = await sdk.spans();
    expect(spans.map((span) => span.name)).toEqual(['custom']);
    expect(spans[0]!.attributes['code.function.name']).toBe('label');
  });

  it('accept @traced without parentheses', async () => {
    sdk = initInMemory();
    expect(new fixture.Planner('gamma').review('draft')).toBe('DRAFT');
    expect((await sdk.spans()).map((span) => span.name)).toEqual(['Planner.review']);
  });

  it('record a thrown or rejected exception on the span and rethrow it unchanged', async () => {
    sdk = initInMemory();
    const planner = new fixture.Planner('delta');
    expect(() => planner.review('')).toThrow(new RangeError('delta has nothing to review'));
    await expect(planner.publish()).rejects.toThrow(new TypeError('delta cannot publish'));
    const spans = await sdk.spans();
    for (const [name, type, message] of [
      ['Planner.review', 'RangeError', 'delta has nothing to review'],
      ['Planner.publish', 'TypeError', 'delta cannot publish'],
    ] as const) {
      const span = byName(spans, name);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
      expect(span.attributes['error.type']).toBe(type);
      expect(span.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({ 'exception.type': type, 'exception.message': message });
    }
  });

  it('name a static method span after the class', async () => {
    sdk = initInMemory();
    const made = fixture.Planner.create('epsilon');
    expect(made).toBeInstanceOf(fixture.Planner);
    expect(made.prefix).toBe('epsilon');
    expect((await sdk.spans()).map((span) => span.name)).toEqual(['Planner.create']);
  });

  it('name a method span after the class it is called on, whichever class called first', async () => {
    sdk = initInMemory();
    await new fixture.ReviewPlanner('a').plan('x');
    await new fixture.Planner('b').plan('y');
    fixture.ReviewPlanner.create('c');
    fixture.Planner.create('d');
    expect((await sdk.spans()).map((span) => span.name)).toEqual(['ReviewPlanner.plan', 'Planner.plan', 'ReviewPlanner.create', 'Planner.create']);
  });

  it('time a method with @measureTime into the named histogram, keeping `this`', async () => {
    sdk = initInMemory();
    const planner = new fixture.Planner('zeta');
    expect(planner.scale(10)).toBe(40);
    expect(planner.scale(1)).toBe(4);
    const metric = (await sdk.metrics()).get('x.duration');
    expect(metric?.descriptor.unit).toBe('s');
    const points = metric?.dataPoints ?? [];
    expect(points.map((point) => [point.attributes, (point.value as { count: number }).count])).toEqual([[{ status: 'ok' }, 2]]);
  });

  it("type-check under the repository's strict compiler options", () => {
    const program = ts.createProgram([sourcePath], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      typeRoots: [TYPE_ROOT],
      types: ['node'],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(problems).toEqual([]);
  });
});

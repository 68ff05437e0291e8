import type { Random } from './demo-history.js';

/*
 * What the demo's LLM calls said: a system prompt, the user's message and the answer of every
 * call, as an instrumentation that captures content records them, so that a call opens on its
 * conversation, evaluators have text to judge, and a dataset made from the runs has inputs to
 * replay. Drawn from the run's own random numbers: the same history every time.
 */

/** A call's conversation: the GenAI message JSON `DemoTelemetry.llmSpan` records. */
export interface Conversation {
  system: string;
  input: unknown[];
  output: unknown[];
}

const QUESTIONS = [
  'What is the COP of an air-source heat pump at -20 °C?',
  'How long do lithium iron phosphate batteries last in home storage?',
  'Is a heat pump worth it in a house built in 1930?',
  'What size of solar array covers a family of four?',
  'How much does triple glazing save on heating?',
  'Can a heat pump run off grid with batteries?',
  'Which refrigerant do new heat pumps use, and why?',
  'How loud is an air-source heat pump at night?',
  'Does underfloor heating need a lower flow temperature?',
  'What does a smart meter measure every half hour?',
];

const REPORT_TOPICS = [
  'heat pumps in cold climates',
  'home batteries and time-of-use tariffs',
  'district heating in small towns',
  'insulating houses built before 1950',
];

const THREADS = ['a support thread about a failed firmware update', 'a sales thread with a housing association', 'the team thread planning the spring release'];

/** Answers a careful model gives; the short ones fail the demo's length evaluator, as a terse model's would. */
const FACTS = [
  'Field studies measured a seasonal COP of 2.1 to 2.8 in homes below -15 °C, with the backup heater running under 5% of the hours.',
  'The sources agree that sizing to the coldest design day, not the average, decides whether the system keeps up.',
  'Two of the eight sources are manufacturer data sheets; the independent trials report figures about 10% lower.',
  'Most homes in the trials needed no new radiators once the flow temperature was lowered to 45 °C.',
  'Costs fall by about a third when the installation is done together with a planned boiler replacement.',
  'Noise stays under 40 dB(A) at three metres for the units tested, quieter than a refrigerator nearby.',
];
const SHORT_ANSWERS = ['I could not find enough sources to answer that.', 'It depends on the house.', 'Yes, in most cases.'];

const text = (content: string) => ({ type: 'text', content });
const user = (content: string) => ({ role: 'user', parts: [text(content)] });
const assistant = (content: string, finish = 'stop') => ({ role: 'assistant', parts: [text(content)], finish_reason: finish });

/** The question of an answer-question run, its report topic or its thread: one per run. */
export function subjectOf(workflow: string, random: Random): string {
  if (workflow === 'answer-question') return random.pick(QUESTIONS);
  if (workflow === 'research-report') return random.pick(REPORT_TOPICS);
  return random.pick(THREADS);
}

/** A cited answer of one to four facts, or now and then one that is too short. */
function answerText(random: Random): string {
  if (random.chance(0.2)) return random.pick(SHORT_ANSWERS);
  const count = random.int(1, 4);
  const start = random.int(0, FACTS.length - 1);
  return Array.from({ length: count }, (_, i) => `${FACTS[(start + i) % FACTS.length]} [${i + 1}]`).join(' ');
}

/** What each step of the demo's workflows asks its model, and what it answers. `answer` false: a refused call (no output). */
export function conversationOf(step: string, subject: string, random: Random, answered = true): Conversation {
  const out = (content: string) => (answered ? [assistant(content)] : []);
  switch (step) {
    case 'plan':
      return {
        system: 'You plan research reports. Answer with the steps to take, one per line.',
        input: [user(`Write a short report on ${subject}, citing every source.`)],
        output: out(`1. search: field studies of ${subject}\n2. analyze: what the measurements say\n3. write: a 300-word report citing every source`),
      };
    case 'research':
      return {
        system: 'You are a researcher. Use web_search, then summarise what the sources say.',
        input: [user(`Find field studies of ${subject}.`)],
        output: out(`${random.int(4, 9)} sources; ${FACTS[random.int(0, FACTS.length - 1)]}`),
      };
    case 'analyze':
      return {
        system: 'You are an analyst. Compare the sources and name where they disagree.',
        input: [user(`Compare what the sources say about ${subject}.`)],
        output: out(`${FACTS[random.int(0, FACTS.length - 1)]} The sources disagree mostly on installation costs.`),
      };
    case 'write':
      return {
        system: 'You write short reports. Cite every source as [n].',
        input: [user(`Write a 300-word report on ${subject} from the notes.`)],
        output: out(`# ${subject[0]!.toUpperCase()}${subject.slice(1)}\n\n${answerText(random)}\n\n${FACTS[random.int(0, FACTS.length - 1)]} [2]`),
      };
    case 'answer':
      return {
        system: 'Answer the question from the retrieved documents in one short paragraph. Cite them as [n].',
        input: [user(subject)],
        output: out(answerText(random)),
      };
    default:
      return {
        system: 'Summarise the conversation for the next person to pick it up: who asked what, what was done, what is open.',
        input: [user(`Summarise ${subject}.`)],
        output: out(`The customer asked about ${subject.replace(/^(a|the) /, '')}; the agent answered twice and one question is open.`),
      };
  }
}

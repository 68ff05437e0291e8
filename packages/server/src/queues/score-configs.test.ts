import type { ScoreConfig } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { QueueRecord } from '../store/ports/queues.js';
import { forgetConfigs, projectConfigs, rubricConflict, rubricMisfit, sameMeaning, scoreMisfit } from './score-configs.js';

const stars: ScoreConfig = { name: 'stars', description: '', type: 'numeric', min: 1, max: 5 };
const mood: ScoreConfig = { name: 'mood', description: '', type: 'categorical', labels: ['calm', 'tense'] };
const queue = (name: string, rubric: ScoreConfig[]): QueueRecord => ({
  name,
  spec: JSON.stringify({ rubric }),
  filtered: false,
  createdUs: 1,
  timeUs: 1,
  deleted: false,
});

describe("a project's score configs", () => {
  const configs = projectConfigs([queue('a', [stars]), queue('b', [stars, mood])]);

  it('holds each name once, from the first queue that defines it', () => {
    expect([...configs].map(([name, held]) => `${name} ${held.queue}`)).toEqual(['stars a', 'mood b']);
  });

  it.each([
    [stars, { ...stars, description: 'other words' }, true],
    [stars, { ...stars, max: 10 }, false],
    [mood, { ...mood, labels: ['tense', 'calm'] }, true],
    [mood, { ...mood, labels: ['calm', 'tense', 'angry'] }, false],
    [stars, { name: 'stars', description: '', type: 'boolean' } as ScoreConfig, false],
  ])('reads %o and %o as the same meaning: %s', (a, b, same) => {
    expect(sameMeaning(a, b)).toBe(same);
  });

  it('refuses a rubric that gives a name another meaning, and lets a new name through', () => {
    expect(rubricConflict([{ ...stars, min: 0 }], configs)).toMatch(/^rubric\[0\]: 'stars' is numeric 1 to 5 in the rubric of queue a/);
    expect(rubricConflict([{ ...stars, name: 'speed' }], configs)).toBeNull();
  });

  it('finds a score that misfits its config, and none for a name without one', () => {
    expect(scoreMisfit({ name: ' stars ', value: 6, label: null }, configs)).toBe(
      "value: 6 is out of the range of 'stars' (1 to 5): the score config of 'stars' in the rubric of queue a",
    );
    expect(scoreMisfit({ name: 'stars', value: 5, label: null }, configs)).toBeNull();
    expect(scoreMisfit({ name: 'free', value: 6, label: null }, configs)).toBeNull();
  });
});

describe('the configs kept for the scores sent', () => {
  it("reads a project's queues once while kept, again once forgotten or after ten seconds", async () => {
    let rubric = [stars];
    const reads: string[] = [];
    const queues = {
      listQueues: (projectId: string) => {
        reads.push(projectId);
        return Promise.resolve([queue('a', rubric)]);
      },
    };
    const seven = { name: 'stars', value: 7, label: null };
    expect(await rubricMisfit(queues, 'p1', seven, 1_000)).toMatch(/^value: 7 is out of the range/);
    expect(await rubricMisfit(queues, 'p1', seven, 2_000)).toMatch(/^value: 7 is out of the range/);
    expect(await rubricMisfit(queues, 'p2', seven, 2_000)).toMatch(/^value: 7 is out of the range/);
    expect(reads).toEqual(['p1', 'p2']);
    rubric = [{ ...stars, max: 10 }];
    // Kept: the old range still holds until the project's configs are forgotten.
    expect(await rubricMisfit(queues, 'p1', seven, 3_000)).not.toBeNull();
    forgetConfigs(queues, 'p1');
    expect(await rubricMisfit(queues, 'p1', seven, 3_000)).toBeNull();
    expect(await rubricMisfit(queues, 'p2', seven, 11_999)).not.toBeNull();
    expect(await rubricMisfit(queues, 'p2', seven, 12_000)).toBeNull();
    expect(reads).toEqual(['p1', 'p2', 'p1', 'p2']);
  });
});

import { describe, expect, it } from 'vitest';
import { alertTabFrom } from './alert-tabs';

describe('alertTabFrom', () => {
  it.each([
    { value: 'active', want: 'active' },
    { value: 'rules', want: 'rules' },
    { value: 'history', want: 'history' },
    { value: 'silences', want: 'silences' },
    { value: null, want: 'active' },
    { value: '', want: 'active' },
    { value: 'Rules', want: 'active' },
    { value: 'bogus', want: 'active' },
  ])('reads tab=$value as $want', ({ value, want }) => {
    expect(alertTabFrom(value)).toBe(want);
  });
});

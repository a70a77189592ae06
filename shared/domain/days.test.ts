import { describe, expect, it } from 'vitest';
import { dayName, dayStart } from './days.js';

describe('local days', () => {
  it('names a day and steps across month and year ends', () => {
    expect(dayName(new Date(2026, 0, 1), -1)).toBe('2025-12-31');
    expect(dayName(new Date(2026, 1, 28), 1)).toBe('2026-03-01');
    expect(dayName(new Date(2026, 10, 27, 23, 59))).toBe('2026-11-27');
  });

  it('starts a day at local midnight, and round-trips with its name', () => {
    expect(dayStart('2026-11-27')).toEqual(new Date(2026, 10, 27));
    expect(dayStart('2026-12-31', 1)).toEqual(new Date(2027, 0, 1));
    expect(dayName(dayStart('2024-02-29'))).toBe('2024-02-29');
  });
});

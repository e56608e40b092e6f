import { afterEach, describe, expect, it } from 'vitest';
import { limitHeapGrowth } from './heap.js';

describe('limitHeapGrowth', () => {
  const nodeOptions = process.env.NODE_OPTIONS;
  afterEach(() => {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  });

  it('sets the heap growth, unless the process was given its own', () => {
    delete process.env.NODE_OPTIONS;
    expect(limitHeapGrowth()).toBe(true);
    process.env.NODE_OPTIONS = '--enable-source-maps --heap-growing-percent=80';
    expect(limitHeapGrowth()).toBe(false);
  });

  it('refuses a percent that is not a whole number from 1 to 300, naming what it expected', () => {
    for (const bad of [0, -5, 2.5, 301, Number.NaN]) {
      expect(() => limitHeapGrowth(bad)).toThrow(/percent must be a whole number from 1 to 300/);
    }
  });
});

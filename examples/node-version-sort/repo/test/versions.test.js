'use strict';

const { parse, compare, sortVersions, latest } = require('../src/versions');

describe('parse', () => {
  test('reads release numbers and a pre-release tag', () => {
    expect(parse('v1.2.3-rc.1')).toEqual({ release: ['1', '2', '3'], pre: 'rc.1' });
  });

  test('refuses what is not a version', () => {
    expect(() => parse('latest')).toThrow('not a version');
  });
});

describe('compare', () => {
  test('orders single-digit parts', () => {
    expect(compare('1.2.0', '1.3.0')).toBeLessThan(0);
    expect(compare('2.0.0', '1.9.9')).toBeGreaterThan(0);
  });

  test('orders multi-digit parts by number', () => {
    expect(compare('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compare('2.0.10', '2.0.2')).toBeGreaterThan(0);
  });

  test('treats missing parts as zero', () => {
    expect(compare('1.2', '1.2.0')).toBe(0);
  });

  test('puts pre-releases before their release', () => {
    expect(compare('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
  });
});

describe('sortVersions', () => {
  test('sorts oldest to newest', () => {
    expect(sortVersions(['1.10.0', '1.2.0', '1.9.1', '1.0.0-beta'])).toEqual(['1.0.0-beta', '1.2.0', '1.9.1', '1.10.0']);
  });

  test('latest is the newest', () => {
    expect(latest(['0.9.0', '0.10.0', '0.8.5'])).toBe('0.10.0');
  });
});

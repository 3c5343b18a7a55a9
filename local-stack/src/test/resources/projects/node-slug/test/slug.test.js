'use strict';

const { slug } = require('../src/slug');

test('lowercases words', () => {
  expect(slug('Hello')).toBe('hello');
});

test('joins words with one dash', () => {
  expect(slug('Hello, World!')).toBe('hello-world');
});

test('trims dashes', () => {
  expect(slug('  spaced  ')).toBe('spaced');
});

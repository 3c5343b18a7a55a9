'use strict';
const assert = require('assert');
const { slug } = require('../lib/slug');

describe('slug', () => {
  it('lowercases words', () => assert.strictEqual(slug('Hello'), 'hello'));
  it('joins words with one dash', () => assert.strictEqual(slug('Hello, World!'), 'hello-world'));
  describe('edges', () => {
    it('trims dashes', () => assert.strictEqual(slug('  spaced  '), 'spaced'));
  });
});

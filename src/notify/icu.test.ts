import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeMessage, MessageFormatter, MessageSyntaxError, parseMessage } from './icu.js';

test('plural forms follow CLDR for each language, with exact cases and # as the number', () => {
  const msg = parseMessage('{n, plural, =0 {none} one {# account} many {# de cuentas} other {# accounts}}');
  const en = new MessageFormatter('en');
  assert.deepEqual([0, 1, 2, 1000000].map((n) => en.format(msg, { n })), ['none', '1 account', '2 accounts', '1,000,000 accounts']);
  const es = new MessageFormatter('es');
  assert.equal(es.format(msg, { n: 1000000 }), '1.000.000 de cuentas', 'Spanish "many" for round millions');
  const fr = new MessageFormatter('fr');
  assert.equal(fr.format(parseMessage('{n, plural, one {# compte} other {# comptes}}'), { n: 0 }), '0 compte', 'French "one" includes zero');
});

test('arguments: numbers formatted per language, lists joined by the language, values and text through the output', () => {
  const msg = parseMessage("l'{who} a vu {n} essais: {list}");
  const fr = new MessageFormatter('fr');
  assert.equal(fr.format(msg, { who: 'équipe', n: 12345, list: ['a', 'b', 'c'] }), "l'équipe a vu 12\u202f345 essais: a, b et c", 'French groups digits with a narrow no-break space');
  const out = { literal: (t: string) => t.toUpperCase(), value: (t: string) => `[${t}]` };
  assert.equal(new MessageFormatter('en').format(parseMessage('x {a} y {l}'), { a: 'v', l: ['p', 'q'] }, out), 'X [v] Y [p] AND [q]');
  assert.equal(new MessageFormatter('ur').separator(), '، ');
});

test('select and nesting; what a message uses', () => {
  const msg = parseMessage('{kind, select, tor {Tor: {n, plural, one {# exit} other {# exits}}} other {{kind}}}');
  const en = new MessageFormatter('en');
  assert.equal(en.format(msg, { kind: 'tor', n: 2 }), 'Tor: 2 exits');
  assert.equal(en.format(msg, { kind: 'vpn', n: 2 }), 'vpn');
  const d = describeMessage(msg);
  assert.deepEqual([...d.args].sort(), ['kind', 'n']);
  assert.deepEqual(d.plurals, [{ name: 'n', cases: ['one', 'other'] }]);
});

test('syntax errors say where', () => {
  for (const bad of ['{n, plural, one {x}}', '{n, plural, one {x} other {y}', 'a } b', '{n, date}', '{, x}', '{n, plural, one {x} one {y} other {z}}']) {
    assert.throws(() => parseMessage(bad), MessageSyntaxError, bad);
  }
  assert.throws(() => new MessageFormatter('en').format(parseMessage('{n, plural, other {#}}'), { n: 'x' }), /must be a number/);
  assert.throws(() => new MessageFormatter('en').format(parseMessage('{a}'), {}), /has no value/);
});

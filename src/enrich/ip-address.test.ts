import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { compareWords, formatIp, nextAddress, parseCidr, parseIp, previousAddress } from './ip-address.js';
import { seededRandom } from './fixtures/seeded-random.js';

test('parses the address forms vendors and lists use', () => {
  const cases: [string, 4 | 6, number[]][] = [
    ['8.8.8.8', 4, [0x08080808]],
    ['0.0.0.0', 4, [0]],
    ['255.255.255.255', 4, [0xffffffff]],
    ['2001:db8::1', 6, [0x20010db8, 0, 0, 1]],
    ['::', 6, [0, 0, 0, 0]],
    ['::1', 6, [0, 0, 0, 1]],
    ['fe80::1%eth0', 6, [0xfe800000, 0, 0, 1]],
    ['2001:DB8:0:0:0:0:0:FFFF', 6, [0x20010db8, 0, 0, 0xffff]],
    ['1:2:3:4:5:6:7::', 6, [0x10002, 0x30004, 0x50006, 0x70000]],
    ['::2:3:4:5:6:7:8', 6, [0x2, 0x30004, 0x50006, 0x70008]],
    ['64:ff9b::192.0.2.33', 6, [0x0064ff9b, 0, 0, 0xc0000221]],
    // IPv4-mapped IPv6 is the IPv4 address, so tables and caches see one form.
    ['::ffff:1.2.3.4', 4, [0x01020304]],
    ['::FFFF:102:304', 4, [0x01020304]],
  ];
  for (const [text, family, words] of cases) assert.deepEqual(parseIp(text), { family, words }, text);
});

test('refuses what is not an address, in agreement with node:net', () => {
  const bad = ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.-4', 'a.b.c.d',
    ':', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', ':1::', '1::2:', 'g::1', '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4', 'AWS Internal', '1.2.3.4:80'];
  for (const text of bad) {
    assert.equal(parseIp(text), undefined, text);
    assert.equal(isIP(text), 0, `node agrees ${text} is no address`);
  }
});

test('CIDR blocks: host bits cleared, bad prefixes refused', () => {
  assert.deepEqual(parseCidr('10.1.2.3/8'), { family: 4, start: [0x0a000000], end: [0x0affffff] });
  assert.deepEqual(parseCidr('1.2.3.4'), { family: 4, start: [0x01020304], end: [0x01020304] });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, start: [0], end: [0xffffffff] });
  assert.deepEqual(parseCidr('2001:db8::/33'), { family: 6, start: [0x20010db8, 0, 0, 0], end: [0x20010db8, 0x7fffffff, 0xffffffff, 0xffffffff] });
  assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { family: 4, start: [0x0a000000], end: [0x0affffff] });
  for (const bad of ['1.2.3.4/33', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/8x', '::/129', '::ffff:1.2.3.4/95', 'x/8']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('next/previous address carry across words and stop at the ends', () => {
  assert.deepEqual(nextAddress([0, 0xffffffff, 0xffffffff, 0xffffffff]), [1, 0, 0, 0]);
  assert.deepEqual(previousAddress([1, 0, 0, 0]), [0, 0xffffffff, 0xffffffff, 0xffffffff]);
  assert.equal(nextAddress([0xffffffff]), undefined);
  assert.equal(previousAddress([0, 0, 0, 0]), undefined);
  assert.equal(compareWords([1, 0, 0, 0], 0, [0, 0xffffffff, 0xffffffff, 0xffffffff], 0, 4), 1);
});

/** Text of random IPv6 words, compressed at a random zero run or not, sometimes with an IPv4 tail. */
function v6Text(words: number[], rnd: ReturnType<typeof seededRandom>): string {
  const groups = words.flatMap((w) => [w >>> 16, w & 0xffff]);
  const hex = groups.map((g) => g.toString(16));
  if (rnd.below(3) === 0) {
    const v4 = formatIp({ family: 4, words: [words[3]] });
    return [...hex.slice(0, 6), v4].join(':');
  }
  const zero = groups.findIndex((g) => g === 0);
  if (zero < 0 || rnd.below(2) === 0) return hex.join(':');
  let end = zero;
  while (end < 8 && groups[end] === 0) end++;
  return `${hex.slice(0, zero).join(':')}::${hex.slice(end).join(':')}`;
}

test('property: IPv6 text round-trips, and CIDR membership agrees with node:net BlockList (seeded)', () => {
  const rnd = seededRandom(20240227);
  for (let i = 0; i < 400; i++) {
    // Words with zero groups often, so compression is exercised; never the IPv4-mapped prefix.
    const words = [0, 1, 2, 3].map(() => (rnd.below(3) === 0 ? 0 : rnd.u32() & (rnd.below(2) ? 0xffff0000 : 0xffffffff)) >>> 0);
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) continue;
    words[0] = (words[0] | 0x20000000) >>> 0; // global unicast, so never mapped
    const text = v6Text(words, rnd);
    assert.deepEqual(parseIp(text), { family: 6, words }, text);

    const prefix = rnd.below(129);
    const range = parseCidr(`${text}/${prefix}`)!;
    const list = new BlockList();
    list.addSubnet(text, prefix, 'ipv6');
    for (const probe of [range.start, range.end, nextAddress(range.end), previousAddress(range.start)]) {
      if (!probe) continue;
      const inside = compareWords(probe, 0, range.start, 0, 4) >= 0 && compareWords(probe, 0, range.end, 0, 4) <= 0;
      assert.equal(list.check(formatIp({ family: 6, words: probe }), 'ipv6'), inside, `${text}/${prefix} probe ${formatIp({ family: 6, words: probe })}`);
    }
  }
});

test('property: IPv4 CIDR membership agrees with node:net BlockList (seeded)', () => {
  const rnd = seededRandom(7);
  for (let i = 0; i < 400; i++) {
    const base = formatIp({ family: 4, words: [rnd.u32()] });
    const prefix = rnd.below(33);
    const range = parseCidr(`${base}/${prefix}`)!;
    const list = new BlockList();
    list.addSubnet(base, prefix, 'ipv4');
    for (const probe of [range.start, range.end, nextAddress(range.end), previousAddress(range.start), [rnd.u32()]]) {
      if (!probe) continue;
      const inside = probe[0] >= range.start[0] && probe[0] <= range.end[0];
      assert.equal(list.check(formatIp({ family: 4, words: probe })), inside, `${base}/${prefix}`);
    }
  }
});

// MQTT commands: the accepted forms, and every hostile one refused with a code and a reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_COMMAND_BYTES, parseCommand, parseEntityCommand, RefusalAnswers, sameSecret } from '../../../core/mqtt/commands.js';

const parse = (text: string, token?: string) => parseCommand(text, Buffer.byteLength(text), token);
const code = (text: string, token?: string) => {
  const check = parse(text, token);
  return check.ok ? 'ok' : check.code;
};

test('the four commands', () => {
  assert.equal(parse('{"command":"mute"}'), { ok: true, command: { type: 'mute' } });
  assert.equal(parse('{"command":"unmute"}'), { ok: true, command: { type: 'unmute' } });
  assert.equal(parse('{"command":"acknowledge"}'), { ok: true, command: { type: 'acknowledge' } });
  assert.equal(parse('{"command":"brightness","value":0}'), { ok: true, command: { type: 'brightness', percent: 0 } });
  assert.equal(parse('{"command":"brightness","value":100}'), { ok: true, command: { type: 'brightness', percent: 100 } });
});

test('malformed, unknown and oversized payloads', () => {
  for (const text of [
    '',
    'mute',
    '{',
    'null',
    '[]',
    '"mute"',
    '42',
    '{"command":7}',
    '{"cmd":"mute"}',
    '{"command":"mute","extra":1}',
    '{"command":"mute","value":5}',
  ]) {
    assert.is(code(text), 'malformed', text);
  }
  for (const value of ['-1', '101', '"50"', 'null', '1e400', '[50]', '{}'])
    assert.is(code(`{"command":"brightness","value":${value}}`), 'malformed', value);
  assert.is(code('{"command":"brightness"}'), 'malformed');
  assert.is(code('{"command":"reboot"}'), 'unknown');
  assert.is(code('{"command":"__proto__"}'), 'unknown');
  const check = parse(`{"command":"${'x'.repeat(5000)}"}`);
  assert.equal(check.ok ? '' : [check.code, check.reason], ['oversized', `payload of 5014 bytes, over ${MAX_COMMAND_BYTES}`]);
  const long = parse(`{"command":"${'y'.repeat(500)}"}`);
  assert.ok(!long.ok && long.reason.length < 120, 'a reason never echoes a long payload');
});

test('with a token: a command without it or with a wrong one is unauthorised, whatever else it holds', () => {
  const token = 'correct-horse-battery-staple';
  assert.equal(parse(`{"command":"mute","token":"${token}"}`, token), { ok: true, command: { type: 'mute' } });
  assert.is(code('{"command":"mute"}', token), 'unauthorised');
  assert.is(code('{"command":"mute","token":"correct-horse-battery-stapl"}', token), 'unauthorised');
  assert.is(code('{"command":"mute","token":"correct-horse-battery-staple!"}', token), 'unauthorised');
  assert.is(code('{"command":"mute","token":42}', token), 'unauthorised');
  assert.is(code('{"command":"reboot"}', token), 'unauthorised', 'an unknown command does not tell an outsider it is unknown');
  assert.is(code('not json', token), 'malformed');
  // Without a token configured, a token field is accepted and ignored.
  assert.equal(parse('{"command":"acknowledge","token":"anything"}'), { ok: true, command: { type: 'acknowledge' } });
});

test('sameSecret compares whole strings', () => {
  assert.ok(sameSecret('abc', 'abc'));
  assert.not.ok(sameSecret('abd', 'abc'));
  assert.not.ok(sameSecret('ab', 'abc'));
  assert.not.ok(sameSecret('abcd', 'abc'));
  assert.not.ok(sameSecret('', 'abc'));
});

test('refusals are answered at most once per interval per topic; the skipped ones are counted', () => {
  const answers = new RefusalAnswers(1000);
  assert.equal(answers.take('a', 0), { answer: true, skipped: 0 });
  assert.equal(answers.take('a', 10), { answer: false, skipped: 1 });
  assert.equal(answers.take('a', 999), { answer: false, skipped: 2 });
  assert.equal(answers.take('b', 999), { answer: true, skipped: 0 }, 'another topic has its own interval');
  assert.equal(answers.take('a', 1000), { answer: true, skipped: 2 }, 'the next answer says how many went unanswered');
  assert.equal(answers.take('a', 1500), { answer: false, skipped: 1 });
  const unlimited = new RefusalAnswers(0);
  assert.equal(
    [unlimited.take('a', 5), unlimited.take('a', 5)],
    [
      { answer: true, skipped: 0 },
      { answer: true, skipped: 0 },
    ],
  );
});

test("the entities' commands: the switch's ON/OFF, the number's percent, the button's PRESS; nothing else", () => {
  const entity = (source: 'mute' | 'brightness' | 'acknowledge', text: string) => parseEntityCommand(source, text, Buffer.byteLength(text));
  assert.equal(entity('mute', 'ON'), { ok: true, command: { type: 'mute' } });
  assert.equal(entity('mute', 'OFF'), { ok: true, command: { type: 'unmute' } });
  assert.equal(entity('acknowledge', 'PRESS'), { ok: true, command: { type: 'acknowledge' } });
  assert.equal(entity('brightness', '40'), { ok: true, command: { type: 'brightness', percent: 40 } });
  assert.equal(entity('brightness', '12.5'), { ok: true, command: { type: 'brightness', percent: 12.5 } });
  const refused = (source: 'mute' | 'brightness' | 'acknowledge', text: string) => {
    const check = entity(source, text);
    return check.ok ? 'ok' : check.code;
  };
  assert.equal(
    [
      refused('mute', 'on'),
      refused('mute', '{"command":"mute"}'),
      refused('acknowledge', 'ON'),
      refused('brightness', ''),
      refused('brightness', '101'),
      refused('brightness', '-1'),
      refused('brightness', 'Infinity'),
      refused('brightness', '0x10'),
      refused('brightness', '0x10 '.repeat(10)),
    ],
    ['malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'oversized'],
  );
});

test.run();

// The replay CSV reader: formats it accepts, every malformed row reported by line, any chunking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TickCsvParser, type CsvTickRow } from '../../platform/replay/tick-csv.js';
import { seededRandom } from '../core/indicators/price-series.js';

function parse(text: string, chunkSize = text.length || 1) {
  const rows: CsvTickRow[] = [];
  const problems: Array<[number, string]> = [];
  const parser = new TickCsvParser({
    row: (row) => void rows.push({ ...row }),
    problem: (line, reason) => void problems.push([line, reason]),
  });
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
  parser.end();
  return { rows, problems };
}

test('epoch milliseconds and ISO 8601 times, optional volume, CRLF, BOM, extra columns, any order', () => {
  const { rows, problems } = parse(
    '\uFEFFsymbol,Price,TS,volume\r\n' +
      'BTC-USD,97000.5,1764200000000,0.25\r\n' +
      'BTC-USD,97001,2025-11-27T00:00:01Z,\r\n' +
      'BTC-USD,97002.125,2025-11-27T00:00:02.5,1\r\n' +
      'BTC-USD,97003,2025-11-27 00:00:03+01:00,2\n' +
      'BTC-USD,97004,2025-11-28,3',
  );
  assert.equal(problems, []);
  assert.equal(
    rows.map((r) => [r.line, r.ts, r.price, r.volume]),
    [
      [2, 1764200000000, 97000.5, 0.25],
      [3, Date.UTC(2025, 10, 27, 0, 0, 1), 97001, undefined],
      [4, Date.UTC(2025, 10, 27, 0, 0, 2, 500), 97002.125, 1],
      [5, Date.UTC(2025, 10, 26, 23, 0, 3), 97003, 2],
      [6, Date.UTC(2025, 10, 28), 97004, 3],
    ],
  );
});

test('each malformed row is reported with its line number and the reader goes on', () => {
  const { rows, problems } = parse(
    [
      'ts,price',
      '1764200000000,97000',
      '1764200001000',
      'yesterday,97000',
      '2025-13-45T99:99:99Z,97000',
      '1764200002000,ninety',
      '1764200003000,',
      '1764200004000,1e5',
      '1764200005000,97005',
    ].join('\n'),
  );
  assert.equal(
    rows.map((r) => [r.line, r.price]),
    [
      [2, 97000],
      [8, 100000],
      [9, 97005],
    ],
  );
  assert.equal(problems, [
    [3, 'expected at least 2 columns, found 1'],
    [4, 'ts: "yesterday" is neither epoch milliseconds nor ISO 8601'],
    [5, 'ts: "2025-13-45T99:99:99Z" is not a real date'],
    [6, 'price: not a number'],
    [7, 'price: not a number'],
  ]);
});

test('no header, a header without ts and price, an over-long line', () => {
  assert.equal(parse('').problems, [[0, 'no header line (expected ts,price[,volume])']]);
  const wrong = parse('time_of_day,amount\n1,2\n');
  assert.is(wrong.rows.length, 0);
  assert.match(wrong.problems[0]![1], /header must name ts and price/);
  const long = parse(`ts,price\n1764200000000,${'9'.repeat(10_000)}\n1764200001000,97001\n`, 1000);
  assert.equal(long.problems, [[2, 'line longer than 4096 characters']]);
  assert.equal(
    long.rows.map((r) => [r.line, r.price]),
    [[3, 97001]],
  );
});

test('numbers are read exactly as Number() reads them', () => {
  const random = seededRandom(3);
  const values: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const digits = 1 + Math.floor(random() * 6);
    const decimals = Math.floor(random() * 10);
    const whole = Math.floor(random() * 10 ** digits);
    values.push(decimals === 0 ? String(whole) : `${whole}.${String(Math.floor(random() * 10 ** decimals)).padStart(decimals, '0')}`);
  }
  values.push('0.1', '0.3', '99999.99999999999', '123456789012.345678', '1.7976931348623157e308', '-0.5');
  const { rows } = parse(`ts,price\n${values.map((v, i) => `${1764200000000 + i},${v}`).join('\n')}\n`);
  assert.is(rows.length, values.length);
  rows.forEach((row, i) => assert.ok(Object.is(row.price, Number(values[i])), `${values[i]} -> ${row.price}`));
});

test('fuzz: any bytes in any chunking give the same rows and problems, one outcome per line, no crash', () => {
  // Fed one byte at a time, every line goes through the careful path; fed whole, plain rows take
  // the one-pass path. Both must agree on every row and every problem.
  const random = seededRandom(11);
  const alphabet = '0123456789.,-:TZ \r\nabc\u00ff"';
  const numberish = ['-0', '.5', '5.', ' 7', '8 ', '', '-', '.', '1e3', '0012.50', '9999999999999999', '-97000.25'];
  for (let round = 0; round < 200; round++) {
    let text = 'ts,price,volume\n';
    const lines = 1 + Math.floor(random() * 30);
    for (let i = 0; i < lines; i++) {
      const pick = random();
      if (pick < 0.4) text += `${1764200000000 + i},${(random() * 1e5).toFixed(2)},${random().toFixed(3)}\n`;
      else if (pick < 0.7)
        text += `${1764200000000 + i},${numberish[Math.floor(random() * numberish.length)]},${numberish[Math.floor(random() * numberish.length)]}${random() < 0.3 ? '\r' : ''}\n`;
      else
        text += Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('') + '\n';
    }
    const whole = parse(text);
    const chunked = parse(text, 1 + Math.floor(random() * 7));
    assert.equal(chunked, whole);
    assert.equal(parse(text, 1), whole);
    const nonEmptyLines = text
      .split('\n')
      .slice(1)
      .filter((line) => line.replace(/\r$/, '') !== '').length;
    assert.is(whole.rows.length + whole.problems.length, nonEmptyLines, `round ${round}`);
  }
});

test.run();

// The replay CSV reader: formats it accepts, every malformed row reported by line, any chunking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TickCsvParser, type CsvTickRow } from '../../platform/replay/tick-csv.js';
import { seededRandom } from '../core/indicators/price-series.js';

function parse(input: string | Buffer, chunkSize = input.length || 1) {
  const rows: CsvTickRow[] = [];
  const problems: Array<[number, string]> = [];
  const parser = new TickCsvParser({
    row: (row) => void rows.push({ ...row }),
    problem: (line, reason) => void problems.push([line, reason]),
  });
  // Text as one byte per character (so the fuzz's \u00ff is one byte); a Buffer exactly as given.
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
  parser.end();
  return { rows, problems };
}

test('epoch milliseconds and ISO 8601 times, optional volume, CRLF, extra columns, any order', () => {
  const { rows, problems } = parse(
    'symbol,Price,TS,volume\r\n' +
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

test("a UTF-8 byte-order mark (Excel's CSV UTF-8) before the header is skipped, in any chunking", () => {
  // The mark as Excel writes it: the three bytes EF BB BF, right before the ts column's name.
  const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ts,price\r\n1764200000000,97000\r\n1764200001000,97001\r\n')]);
  for (const chunkSize of [file.length, 1, 2, 4]) {
    const { rows, problems } = parse(file, chunkSize);
    assert.equal(problems, [], `chunks of ${chunkSize}`);
    assert.equal(
      rows.map((r) => [r.line, r.ts, r.price]),
      [
        [2, 1764200000000, 97000],
        [3, 1764200001000, 97001],
      ],
    );
  }
});

test('ts in epoch seconds (below 1e11, fractions rounded to the millisecond), milliseconds or ISO 8601, in one file', () => {
  const { rows, problems } = parse(
    ['ts,price', '1764200000,97000', '1764200001.25,97001', ' 1764200002 ,97002', '1764200003000,97003', '2025-11-27T00:00:04Z,97004'].join(
      '\n',
    ),
  );
  assert.equal(problems, []);
  assert.equal(
    rows.map((r) => r.ts),
    [1764200000000, 1764200001250, 1764200002000, 1764200003000, Date.UTC(2025, 10, 27, 0, 0, 4)],
  );
});

test('an OHLC file (ts|time|timestamp|date, open, high, low, close[, volume], any case) is read as its closes', () => {
  for (const tsName of ['ts', 'Time', 'TIMESTAMP', 'date', 'Date']) {
    const { rows, problems } = parse(
      [
        `${tsName},Open,High,Low,Close,Volume`,
        '1764200000,96900,97100,96800,97000,12.5',
        '2025-11-27T00:01:00Z,97000,97200,96950,97150,',
      ].join('\r\n'),
    );
    assert.equal(problems, [], tsName);
    assert.equal(
      rows.map((r) => [r.ts, r.price, r.volume]),
      [
        [1764200000000, 97000, 12.5],
        [Date.UTC(2025, 10, 27, 0, 1), 97150, undefined],
      ],
      tsName,
    );
  }
  // A file with both a price and a close column: the price is the tick's price.
  assert.equal(
    parse('close,price,ts\n1,2,1764200000000\n').rows.map((r) => r.price),
    [2],
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
    [4, 'ts: "yesterday" is neither epoch seconds, epoch milliseconds nor ISO 8601'],
    [5, 'ts: "2025-13-45T99:99:99Z" is not a real date'],
    [6, 'price: not a number'],
    [7, 'price: not a number'],
  ]);
});

test('no header, a header without ts and price, an over-long line', () => {
  assert.equal(parse('').problems, [[0, 'no header line (expected ts,price[,volume] or ts,open,high,low,close[,volume])']]);
  // A header naming other columns: its rows are not guessed at, and each says why it is skipped.
  const wrong = parse('time_of_day,amount\n1,2\n3,4\n');
  assert.is(wrong.rows.length, 0);
  assert.equal(
    wrong.problems.map(([line, reason]) => [line, reason.replace(/ \(.*\)/, '')]),
    [
      [1, 'not a header, found "time_of_day,amount"'],
      [2, 'a row before any header line'],
      [3, 'a row before any header line'],
      [3, 'no header line'],
    ],
  );
  const long = parse(`ts,price\n1764200000000,${'9'.repeat(10_000)}\n1764200001000,97001\n`, 1000);
  assert.equal(long.problems, [[2, 'line longer than 4096 characters']]);
  assert.equal(
    long.rows.map((r) => [r.line, r.price]),
    [[3, 97001]],
  );
});

function parseWithNotes(input: string) {
  const rows: CsvTickRow[] = [];
  const problems: Array<[number, string]> = [];
  const notes: string[] = [];
  const parser = new TickCsvParser({
    row: (row) => void rows.push({ ...row }),
    problem: (line, reason) => void problems.push([line, reason]),
    note: (message) => void notes.push(message),
  });
  parser.push(Buffer.from(input, 'latin1'));
  parser.end();
  return { rows, problems, notes };
}

test("an exchange export with a banner line before its header, listed newest first (CryptoDataDownload's layout), is read oldest first", () => {
  const hours = Array.from({ length: 40 }, (_, i) => ({ unix: 1585000800 + i * 3600, close: 6500 + i }));
  const file =
    'https://www.CryptoDataDownload.com\n' +
    'unix,date,symbol,open,high,low,close,Volume BTC,Volume USD\n' +
    [...hours]
      .reverse()
      .map(
        ({ unix, close }) => `${unix},${new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ')},BTC/USD,1,2,0.5,${close},1.5,9`,
      )
      .join('\n') +
    '\n';
  const { rows, problems, notes } = parseWithNotes(file);
  assert.equal(problems, []);
  assert.equal(notes, [
    'line 1, before the header, passed over: "https://www.CryptoDataDownload.com"',
    'the rows go back in time (newest first): read last to first',
  ]);
  // Oldest first, each with its own line number (the newest is line 3).
  assert.equal(
    rows.map((r) => [r.line, r.ts, r.price, r.volume]),
    hours.map(({ unix, close }, i) => [42 - i, unix * 1000, close, undefined]),
  );
});

test('an oldest-first file stays in its order, and a row out of place among the first does not turn it around', () => {
  const ts = [0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map((i) => 1764200000000 + i * 1000);
  const { rows, notes } = parseWithNotes(`ts,price\n${ts.map((t, i) => `${t},${97000 + i}`).join('\n')}\n`);
  assert.equal(notes, []);
  assert.equal(
    rows.map((r) => r.ts),
    ts,
  );
  // Fewer rows than decide it: still handed over, in order, at the end.
  assert.equal(
    parseWithNotes('ts,price\n1764200000000,1\n1764200001000,2\n').rows.map((r) => r.price),
    [1, 2],
  );
  assert.equal(
    parseWithNotes('ts,price\n1764200001000,2\n1764200000000,1\n').rows.map((r) => r.price),
    [1, 2],
  );
});

test("files without a header are read by position: Kraken's OHLCVT (seconds), Binance's klines (microseconds), ts,price", () => {
  const kraken = parseWithNotes('1585000800,6500.1,6510,6490,6505.5,12.5,321\n1585004400,6505.5,6520,6500,6512,8,210\n');
  assert.equal(kraken.problems, []);
  assert.equal(kraken.notes, ['no header: columns read by position as ts,open,high,low,close,volume']);
  assert.equal(
    kraken.rows.map((r) => [r.line, r.ts, r.price, r.volume]),
    [
      [1, 1585000800000, 6505.5, 12.5],
      [2, 1585004400000, 6512, 8],
    ],
  );
  // Binance spot klines since 2025: open time in microseconds, then open, high, low, close, volume, close time, ...
  const binance = parseWithNotes(
    '1735689600000000,93576.00,93610.93,93537.50,93610.93,8.21827000,1735689659999999,768978.46,1542,4.23,395815.61,0\n' +
      '1735689660000000,93610.93,93652.00,93606.02,93648.38,11.91541000,1735689719999999,1115789.82,2318,6.81,637747.52,0\n',
  );
  assert.equal(binance.problems, []);
  assert.equal(
    binance.rows.map((r) => [r.ts, r.price, r.volume]),
    [
      [Date.UTC(2025, 0, 1), 93610.93, 8.21827],
      [Date.UTC(2025, 0, 1, 0, 1), 93648.38, 11.91541],
    ],
  );
  const plain = parseWithNotes('2025-11-27T00:00:00Z,97000\n2025-11-27T00:00:01Z,97001\n');
  assert.equal(
    plain.rows.map((r) => [r.ts, r.price]),
    [
      [Date.UTC(2025, 10, 27), 97000],
      [Date.UTC(2025, 10, 27, 0, 0, 1), 97001],
    ],
  );
  // Four columns could be either: not guessed.
  assert.match(parseWithNotes('1585000800,1,2,3\n').problems[0]![1], /^not a header/);
  // Lines that are neither a header nor a row, and never a header after them: each is a problem.
  const garbage = parseWithNotes(Array.from({ length: 12 }, (_, i) => `junk ${i}`).join('\n'));
  assert.equal(
    garbage.problems.map(([line]) => line),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12],
  );
  assert.equal(garbage.rows, []);
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

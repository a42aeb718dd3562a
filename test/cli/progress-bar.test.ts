// The terminal progress bar download draws on stderr: one line redrawn in place, at most five times a second.
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgressBar } from '../../cli/progress-bar.js';

function sink(): { stream: Writable; written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  return { stream, written };
}

test('draws the share done and the detail over the same line, skips redraws within 200 ms, clears it', () => {
  const { stream, written } = sink();
  const bar = new ProgressBar(stream);
  bar.show(0.5, '600 candles');
  bar.show(0.6, 'too soon');
  bar.clear();
  assert.equal(written, [`\r\u001b[K[${'#'.repeat(15)}${'.'.repeat(15)}] 50 % 600 candles`, '\r\u001b[K']);
});

test('a share outside 0..1 is drawn within it', () => {
  const { stream, written } = sink();
  new ProgressBar(stream).show(1.7, 'done');
  assert.match(written[0]!, /\[#{30}\] 100 % done$/);
});

test.run();

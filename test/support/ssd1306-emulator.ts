// An SSD1306 controller on an I2C bus, written from the datasheet for the tests: it takes the bytes a
// driver writes (through the same methods of the i2c-bus Bus object that oled-i2c-bus and our queue
// call), decodes control bytes, commands and their arguments (kept across transactions, as the chip
// does) and display data into its 128x64 GDDRAM, and shows the panel as a Frame.
import { createFrame, setPixel, type Frame } from '../../core/edge/frame.js';

type Callback = (error: Error | null, bytes: number, buffer: Buffer) => void;

/** Arguments each multi-byte command takes (datasheet section 10). */
const ARGUMENTS: Record<number, number> = {
  0x20: 1, // memory addressing mode
  0x21: 2, // column address
  0x22: 2, // page address
  0x26: 6,
  0x27: 6, // horizontal scroll setup
  0x29: 5,
  0x2a: 5, // vertical and horizontal scroll setup
  0x81: 1, // contrast
  0x8d: 1, // charge pump
  0xa3: 2, // vertical scroll area
  0xa8: 1, // multiplex ratio
  0xd3: 1, // display offset
  0xd5: 1, // clock divide / oscillator
  0xd9: 1, // pre-charge period
  0xda: 1, // COM pins configuration
  0xdb: 1, // VCOMH deselect level
};

export interface EmulatorStats {
  transactions: number;
  bytes: number;
  dataBytes: number;
  commands: number;
}

export class Ssd1306Emulator {
  readonly ram = new Uint8Array(128 * 8);
  displayOn = false;
  contrast = 0x7f;
  inverse = false;
  entireOn = false;
  chargePump = false;
  multiplex = 63;
  comPins = 0x12;
  startLine = 0;
  displayOffset = 0;
  segmentRemap = false;
  comScanReversed = false;
  addressingMode: 'horizontal' | 'vertical' | 'page' = 'page';
  readonly stats: EmulatorStats = { transactions: 0, bytes: 0, dataBytes: 0, commands: 0 };
  /** Every command as decoded: its opcode and arguments. */
  readonly commandLog: number[][] = [];
  /** Set to make the next writes fail, as a loose cable does. */
  failWrites: Error | undefined;
  private columnStart = 0;
  private columnEnd = 127;
  private pageStart = 0;
  private pageEnd = 7;
  private column = 0;
  private page = 0;
  private pending: number[] | undefined;
  private pendingArgs = 0;

  constructor(readonly address = 0x3c) {}

  // --- the i2c-bus Bus methods drivers call ---

  i2cWriteSync(address: number, length: number, buffer: Buffer): number {
    if (this.failWrites) throw this.failWrites;
    if (address !== this.address) throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
    this.transaction(buffer.subarray(0, length));
    return length;
  }

  /** As i2c-bus does it: the transfer happens later (in libuv's thread pool), then the callback. */
  i2cWrite(address: number, length: number, buffer: Buffer, callback: Callback): void {
    setImmediate(() => {
      let error: Error | null = null;
      try {
        this.i2cWriteSync(address, length, buffer);
      } catch (caught) {
        error = caught as Error;
      }
      callback(error, error ? 0 : length, buffer);
    });
  }

  /** Status read: bit 6 is set while the display is off (datasheet 8.1.3); never busy. */
  i2cReadSync(address: number, length: number, buffer: Buffer): number {
    if (address !== this.address) throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 });
    if (length > 0) buffer[0] = this.displayOn ? 0x00 : 0x40;
    return Math.min(length, 1);
  }

  close(callback: (error: Error | null) => void): void {
    setImmediate(() => callback(null));
  }

  // --- decoding ---

  private transaction(bytes: Uint8Array): void {
    this.stats.transactions++;
    this.stats.bytes += bytes.length;
    let i = 0;
    while (i < bytes.length) {
      const control = bytes[i++]!;
      const continuation = (control & 0x80) !== 0;
      const data = (control & 0x40) !== 0;
      if ((control & 0x3f) !== 0) throw new Error(`ssd1306: invalid control byte 0x${control.toString(16)}`);
      if (continuation) {
        // Co = 1: one byte, then another control byte.
        if (i < bytes.length) this.accept(bytes[i++]!, data);
      } else {
        // Co = 0: the rest of the transaction is all data or all commands.
        while (i < bytes.length) this.accept(bytes[i++]!, data);
      }
    }
  }

  private accept(byte: number, data: boolean): void {
    if (data) this.writeData(byte);
    else this.command(byte);
  }

  private command(byte: number): void {
    if (this.pending) {
      this.pending.push(byte);
      if (--this.pendingArgs === 0) this.execute(this.pending);
      return;
    }
    const args = ARGUMENTS[byte] ?? 0;
    if (args > 0) {
      this.pending = [byte];
      this.pendingArgs = args;
      return;
    }
    this.execute([byte]);
  }

  private execute(command: number[]): void {
    this.pending = undefined;
    this.stats.commands++;
    this.commandLog.push(command);
    const [op, a = 0, b = 0] = command as [number, number?, number?];
    if (op <= 0x0f)
      this.column = (this.column & 0xf0) | op; // lower column nibble (page mode)
    else if (op <= 0x1f) this.column = ((op & 0x0f) << 4) | (this.column & 0x0f);
    else if (op === 0x20) this.addressingMode = (['horizontal', 'vertical', 'page'] as const)[a & 0x03] ?? this.addressingMode;
    else if (op === 0x21) {
      this.columnStart = a & 0x7f;
      this.columnEnd = b & 0x7f;
      this.column = this.columnStart;
    } else if (op === 0x22) {
      this.pageStart = a & 0x07;
      this.pageEnd = b & 0x07;
      this.page = this.pageStart;
    } else if (op >= 0x40 && op <= 0x7f) this.startLine = op & 0x3f;
    else if (op === 0x81) this.contrast = a;
    else if (op === 0x8d) this.chargePump = (a & 0x04) !== 0;
    else if (op === 0xa0 || op === 0xa1) this.segmentRemap = op === 0xa1;
    else if (op === 0xa4 || op === 0xa5) this.entireOn = op === 0xa5;
    else if (op === 0xa6 || op === 0xa7) this.inverse = op === 0xa7;
    else if (op === 0xa8) this.multiplex = a & 0x3f;
    else if (op === 0xae || op === 0xaf) this.displayOn = op === 0xaf;
    else if (op >= 0xb0 && op <= 0xb7) this.page = op & 0x07;
    else if (op === 0xc0 || op === 0xc8) this.comScanReversed = op === 0xc8;
    else if (op === 0xd3) this.displayOffset = a & 0x3f;
    else if (op === 0xda) this.comPins = a;
    // Timing, scrolling and NOP commands change nothing this emulator draws.
  }

  private writeData(byte: number): void {
    this.stats.dataBytes++;
    this.ram[this.page * 128 + this.column] = byte;
    if (this.addressingMode === 'page') {
      this.column = this.column >= 127 ? 0 : this.column + 1;
    } else if (this.addressingMode === 'horizontal') {
      if (this.column >= this.columnEnd) {
        this.column = this.columnStart;
        this.page = this.page >= this.pageEnd ? this.pageStart : this.page + 1;
      } else this.column++;
    } else if (this.page >= this.pageEnd) {
      this.page = this.pageStart;
      this.column = this.column >= this.columnEnd ? this.columnStart : this.column + 1;
    } else this.page++;
  }

  /** The RAM bit at (column, row). */
  ramPixel(column: number, row: number): boolean {
    return (this.ram[(row >> 3) * 128 + column]! & (1 << (row & 7))) !== 0;
  }

  /**
   * What the panel shows, as a width x (multiplex + 1) frame. Segment remap 0xA1 with COM scan 0xC8 is
   * the upright orientation of the common modules; 0xA0 or 0xC0 mirrors. Off shows nothing.
   */
  panel(width = 128): Frame {
    const height = this.multiplex + 1;
    const frame = createFrame(width, height);
    if (!this.displayOn) return frame;
    for (let y = 0; y < height; y++) {
      const row = ((this.comScanReversed ? y : height - 1 - y) + this.startLine + this.displayOffset) % 64;
      for (let x = 0; x < width; x++) {
        const column = this.segmentRemap ? x : 127 - x;
        const lit = this.entireOn || this.ramPixel(column, row);
        setPixel(frame, x, y, lit !== this.inverse);
      }
    }
    return frame;
  }
}

// Types for the parts of i2c-bus and oled-i2c-bus the edge adapters use (neither ships its own).

declare module 'i2c-bus' {
  export type WriteCallback = (error: Error | null, bytesWritten: number, buffer: Buffer) => void;
  export interface I2CBus {
    i2cWrite(address: number, length: number, buffer: Buffer, callback: WriteCallback): void;
    i2cWriteSync(address: number, length: number, buffer: Buffer): number;
    i2cReadSync(address: number, length: number, buffer: Buffer): number;
    close(callback: (error: Error | null) => void): void;
  }
  export function open(busNumber: number, callback: (error: Error | null) => void): I2CBus;
  const i2c: { open: typeof open };
  export default i2c;
}

declare module 'oled-i2c-bus' {
  import type { I2CBus } from 'i2c-bus';
  interface OledOptions {
    width?: number;
    height?: number;
    address?: number;
  }
  class Oled {
    constructor(wire: Pick<I2CBus, 'i2cWriteSync' | 'i2cReadSync'>, options: OledOptions);
    buffer: Buffer;
    update(): void;
    turnOnDisplay(): void;
    turnOffDisplay(): void;
    clearDisplay(sync?: boolean): void;
  }
  export default Oled;
}

// SSD1306 command bytes (datasheet section 9), in one table rather than as literals in the adapter.
export const SSD1306 = {
  CONTROL_COMMANDS: 0x00,
  CONTROL_DATA: 0x40,
  SET_START_LINE: 0x40,
  SET_CONTRAST: 0x81,
  DISPLAY_OFF: 0xae,
  DISPLAY_ON: 0xaf,
  MEMORY_MODE: 0x20,
  MEMORY_MODE_HORIZONTAL: 0x00,
  COLUMN_ADDR: 0x21,
  PAGE_ADDR: 0x22,
} as const;

// `stock-stream edge`: the edge appliance role (OLED price display, buy/sell LEDs, buzzer, button).
import { edgeRole } from '../../edge/role.js';
import type { Command } from '../command.js';
import { runRole } from '../role-runner.js';

export const edgeCommand: Command = {
  name: 'edge',
  description:
    'Reads the ticks, indicators and signals topics (its own reader group edge.group, from the latest\n' +
    'message) and shows each followed symbol on an SSD1306 OLED (I2C, 128x64 or 128x32): price, change\n' +
    'since the UTC day open, sparkline, RSI, the last signal and its age, and STALE / NO BUS / SIM marks.\n' +
    'A fresh signal blinks the buy or sell LED and beeps (muted in quiet hours); the button acknowledges.\n' +
    'Without /dev/i2c-N or sysfs GPIO it runs virtually (edge.hardware: auto), keeping the frame and LED\n' +
    'states in memory for the dashboard; edge.hardware: required makes missing hardware an error.\n' +
    'With mqtt.url (MQTT_URL) set it also publishes prices, indicators and signals over MQTT with Home\n' +
    'Assistant discovery, and takes mute/unmute/acknowledge/brightness commands when mqtt.commands.enabled\n' +
    '(docs/mqtt.md). Serves /healthz and /metrics on PORT. On SIGINT/SIGTERM the LEDs go off, the lines are\n' +
    'released, MQTT says offline and the display is switched off. See docs/edge.md.',
  positionals: [],
  options: {},
  examples: [
    'stock-stream edge',
    'MQTT_URL=mqtt://broker.lan:1883 MQTT_USERNAME=edge MQTT_PASSWORD_FILE=/run/secrets/mqtt stock-stream edge   # and Home Assistant',
    'EDGE_HARDWARE=virtual PORT=9102 stock-stream edge   # no hardware, frames in memory only',
  ],
  run: (context) => runRole(context, edgeRole()),
};

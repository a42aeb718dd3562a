// `stock-stream config`: prints the effective configuration (file + environment), secrets redacted.
import { redactConfig } from '../../platform/config/load.js';
import type { Command } from '../command.js';

export const configCommand: Command = {
  name: 'config',
  description: 'Exits 78 with a one-line error naming the key when the configuration is invalid.',
  positionals: [],
  options: {},
  async run(context) {
    context.stdout.write(`${JSON.stringify(redactConfig(context.config()), null, 2)}\n`);
    return 0;
  },
};

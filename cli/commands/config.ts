// `stock-stream config`: prints the effective configuration (file + environment), secrets redacted,
// after one line on stderr saying which file it read, so stdout stays pure JSON.
import { configSearchPath, findConfigFile, redactConfig } from '../../platform/config/load.js';
import type { Command } from '../command.js';

export const configCommand: Command = {
  name: 'config',
  description: [
    'Exits 78 with a one-line error naming the key when the configuration is invalid.',
    'The file is --config, else STOCK_STREAM_CONFIG, else the first of ./stock-stream.yaml,',
    '$XDG_CONFIG_HOME/stock-stream/config.yaml (~/.config when unset) and /etc/stock-stream/config.yaml',
    'that exists; the first line on stderr says which.',
  ].join('\n'),
  positionals: [],
  options: {},
  examples: ['stock-stream config', 'stock-stream config --config ./stock-stream.yaml 2>/dev/null | jq .http'],
  async run(context) {
    const config = redactConfig(context.config());
    const file = findConfigFile({ env: context.env, file: context.options.config as string | undefined });
    context.stderr.write(
      file === undefined
        ? `no configuration file; defaults and environment (looked for ${configSearchPath(context.env, process.cwd()).join(', ')})\n`
        : `configuration file: ${file}\n`,
    );
    context.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  },
};

// Every subcommand, in the order `stock-stream --help` lists them. A role's command joins when it works.
import type { Command } from '../command.js';
import { aggregateCommand } from './aggregate.js';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { edgeCommand } from './edge.js';
import { ingestCommand } from './ingest.js';
import { notificationsCommand } from './notifications.js';
import { notifyCommand } from './notify.js';
import { processCommand } from './process.js';
import { publishCommand } from './publish.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { statsCommand } from './stats.js';
import { tailCommand } from './tail.js';
import { webCommand } from './web.js';

export const commands: readonly Command[] = [
  runCommand,
  ingestCommand,
  processCommand,
  aggregateCommand,
  notifyCommand,
  edgeCommand,
  webCommand,
  replayCommand,
  statsCommand,
  notificationsCommand,
  tailCommand,
  publishCommand,
  checkCommand,
  configCommand,
];

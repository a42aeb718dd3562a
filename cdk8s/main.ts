// `npm run synth`: the options from CDK8S_OPTIONS_FILE and CDK8S_* variables, the manifests into dist/.
import { join } from 'node:path';
import { App } from 'cdk8s';
import { optionsFromEnv } from './options.js';
import { StockStreamChart } from './stock-stream-chart.js';

const outdir = process.env.CDK8S_OUTDIR ?? join(import.meta.dirname, '..', 'dist');
try {
  const options = optionsFromEnv(process.env);
  const app = new App({ outdir });
  new StockStreamChart(app, 'stock-stream', options);
  app.synth();
  process.stdout.write(`${join(outdir, 'stock-stream.k8s.yaml')}\n`);
} catch (error) {
  process.stderr.write(`synth: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

// An ESLint rule that keeps the layers apart: core imports nothing outside core (no node:, no
// package), platform imports no role, a role imports no other role, and the bus's message shapes
// come from core/contracts/index.js only. cli/ (the composition root), test/ and bench/ are above all.
import { dirname, relative, resolve, sep } from 'node:path';

/** The layer a repository path belongs to: a role is its own folder. */
export function layerOf(path) {
  const [top, second] = path.split(sep);
  if (top === 'cluster' || top === 'web') return second === undefined ? top : `${top}/${second}`;
  return top;
}

const ROLES = ['cluster/ingest', 'cluster/process', 'cluster/aggregate', 'cluster/notify', 'edge', 'web/server'];
const ABOVE_ALL = ['cli', 'test', 'bench', 'bin', 'lint'];

/** Which layers a layer may import from, besides itself; undefined: anything. */
function allowed(layer) {
  if (ABOVE_ALL.includes(layer)) return undefined;
  if (layer === 'core') return [];
  if (layer === 'platform') return ['core'];
  if (ROLES.includes(layer)) return ['core', 'platform'];
  if (layer === 'web/client') return ['core'];
  return ['core', 'platform'];
}

export const layersPlugin = {
  rules: {
    imports: {
      meta: {
        type: 'problem',
        docs: { description: 'imports that cross the layers the wrong way' },
        schema: [],
        messages: {
          layer: '{{from}} must not import {{to}} ({{rule}})',
          external: 'core must not import "{{source}}": the core does no I/O and uses no package',
          contracts: 'import the message contracts from core/contracts/index.js, not {{to}}',
        },
      },
      create(context) {
        const file = relative(context.cwd, context.filename);
        if (file.startsWith('..')) return {};
        const from = layerOf(file);
        const may = allowed(from);
        function check(node) {
          const source = node.source?.value;
          if (typeof source !== 'string') return;
          if (!source.startsWith('.')) {
            if (from === 'core') context.report({ node, messageId: 'external', data: { source } });
            return;
          }
          const target = relative(context.cwd, resolve(dirname(context.filename), source));
          const to = layerOf(target);
          const inContracts = (path) => path.startsWith(`core${sep}contracts${sep}`);
          if (inContracts(target) && !inContracts(file) && !target.endsWith(`${sep}index.js`)) {
            context.report({ node, messageId: 'contracts', data: { to: target } });
          }
          if (may === undefined || to === from || may.includes(to)) return;
          const rule =
            from === 'core'
              ? 'core imports only core'
              : from === 'platform'
                ? 'platform imports no role'
                : 'a role imports only core, platform and itself';
          context.report({ node, messageId: 'layer', data: { from, to, rule } });
        }
        return {
          ImportDeclaration: check,
          ExportAllDeclaration: check,
          ExportNamedDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

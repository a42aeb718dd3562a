// Types for lint/layers.js (plain JavaScript, so eslint.config.js loads it without a build).
import type { ESLint } from 'eslint';

export function layerOf(path: string): string;
export const layersPlugin: ESLint.Plugin;

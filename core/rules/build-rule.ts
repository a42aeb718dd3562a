// Turns one rule configuration into a running rule (combinations recursively).
import { bollingerRule } from './bollinger-rule.js';
import { CombinationDetector } from './combination-rule.js';
import { GatedRule } from './gated-rule.js';
import { maCrossoverRule } from './ma-crossover-rule.js';
import { macdRule } from './macd-rule.js';
import type { RuleConfig } from './rule-config.js';
import type { Detector } from './rule.js';
import { rsiRule } from './rsi-rule.js';

export function buildRule(config: RuleConfig): GatedRule {
  return new GatedRule(config.name, detector(config), config.confirmTicks, config.cooldownMs);
}

function detector(config: RuleConfig): Detector {
  switch (config.type) {
    case 'rsi':
      return rsiRule(config);
    case 'ma-crossover':
      return maCrossoverRule(config);
    case 'macd-cross':
      return macdRule(config);
    case 'bollinger':
      return bollingerRule(config);
    case 'all-of':
    case 'any-of':
      return new CombinationDetector(config.type, config.window, config.rules.map(buildRule));
  }
}

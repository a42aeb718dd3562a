// How the edge role starts: the hardware opened (or virtual), the panel, MQTT when configured, and
// the EdgeDriver that drives them from the bus.
import type { RoleSpec } from '../platform/role.js';
import { EdgeDriver } from './edge-driver.js';
import { openEdgeHardware } from './hardware.js';
import { edgeMetrics } from './metrics.js';
import { contrastFromPercent, edgeSettings } from './settings.js';
import { EdgePanel } from './virtual-panel.js';

/** The edge role; `onPanel` receives its panel (the frame and LED states) for a dashboard in the same process. */
export function edgeRole(onPanel?: (panel: EdgePanel) => void): RoleSpec {
  return {
    name: 'edge',
    async start({ config, logger, bus, registry, version }) {
      const { display, alerts } = edgeSettings(config.edge);
      const hardware = await openEdgeHardware(config.edge, logger);
      const panel = new EdgePanel(display.width, display.height, {
        display: hardware.frameSink !== undefined,
        gpio: hardware.outputs !== undefined,
      });
      // The MQTT client (mqtt.js, ~15 MB) is loaded only when MQTT is configured.
      const mqtt =
        config.mqtt.url === undefined ? undefined : (await import('./mqtt-bridge.js')).mqttComponent(config, logger, registry, version);
      const role = new EdgeDriver({
        bus,
        logger,
        topics: config.topics,
        group: config.edge.group,
        symbols: config.symbols,
        display,
        alerts,
        panel,
        frameSink: hardware.frameSink,
        outputs: hardware.outputs,
        metrics: edgeMetrics(registry),
        components: mqtt ? [mqtt] : [],
      });
      await role.start();
      onPanel?.(panel);
      logger.info({ contrast: contrastFromPercent(config.edge.display.brightness), ...panel.hardware }, 'edge panel ready');
      const componentChecks = role.components.map((component) => ({ name: component.name, check: () => component.health() }));
      return { checks: [{ name: 'edge', check: () => role.health() }, ...componentChecks], stop: () => role.stop() };
    },
  };
}

/**
 * A virtual edge for a dashboard that runs without the edge role (the web role alone, in a cluster):
 * the same pure core reading the same topics in its own reader group, no hardware, no MQTT.
 */
export function virtualEdgeRole(group: string, onPanel: (panel: EdgePanel) => void): RoleSpec {
  return {
    name: 'edge',
    async start({ config, logger, bus }) {
      const { display, alerts } = edgeSettings(config.edge);
      const panel = new EdgePanel(display.width, display.height, { display: false, gpio: false });
      const role = new EdgeDriver({ bus, logger, topics: config.topics, group, symbols: config.symbols, display, alerts, panel });
      await role.start();
      onPanel(panel);
      return { checks: [{ name: 'edge', check: () => role.health() }], stop: () => role.stop() };
    },
  };
}

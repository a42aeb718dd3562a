// Home Assistant's documented rules for the MQTT discovery payloads the bridge publishes, written as
// data so that a test can hold every payload against them. Sources (checked 2026):
//   discovery topic and device:  https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery
//   sensor:                      https://www.home-assistant.io/integrations/sensor.mqtt/
//   sensor device/state classes: https://www.home-assistant.io/integrations/sensor/#device-class
//                                (monetary: state_class total or none; enum: options, no state_class, no unit)
//   binary sensor:               https://www.home-assistant.io/integrations/binary_sensor.mqtt/
//   event:                       https://www.home-assistant.io/integrations/event.mqtt/
//   device trigger:              https://www.home-assistant.io/integrations/device_trigger.mqtt/
//   switch:                      https://www.home-assistant.io/integrations/switch.mqtt/
//   number:                      https://www.home-assistant.io/integrations/number.mqtt/
//                                (min default 1, max default 100, step default 1 and at least 0.001,
//                                mode auto/box/slider; Home Assistant refuses max <= min)
//   button:                      https://www.home-assistant.io/integrations/button.mqtt/
//   (command_topic "Required" for all three: they are MQTT's read-write schema)

/** Keys every MQTT entity (not device triggers) accepts. */
const ENTITY_KEYS = [
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'device',
  'default_entity_id',
  'enabled_by_default',
  'encoding',
  'entity_category',
  'entity_picture',
  'icon',
  'json_attributes_template',
  'json_attributes_topic',
  'name',
  'object_id',
  'origin',
  'payload_available',
  'payload_not_available',
  'platform',
  'qos',
  'unique_id',
  'value_template',
];

export interface ComponentRule {
  readonly required: readonly string[];
  readonly allowed: readonly string[];
}

/** Keys every commanded entity (switch, number, button) accepts besides its own. */
const COMMAND_KEYS = ['command_template', 'command_topic', 'retain'];

export const COMPONENT_RULES: Record<
  'sensor' | 'binary_sensor' | 'event' | 'device_automation' | 'switch' | 'number' | 'button',
  ComponentRule
> = {
  sensor: {
    required: ['state_topic'],
    allowed: [
      ...ENTITY_KEYS,
      'device_class',
      'expire_after',
      'force_update',
      'last_reset_value_template',
      'options',
      'state_class',
      'state_topic',
      'suggested_display_precision',
      'unit_of_measurement',
    ],
  },
  binary_sensor: {
    required: ['state_topic'],
    allowed: [...ENTITY_KEYS, 'device_class', 'expire_after', 'force_update', 'off_delay', 'payload_off', 'payload_on', 'state_topic'],
  },
  event: {
    required: ['state_topic', 'event_types'],
    allowed: [...ENTITY_KEYS, 'device_class', 'event_types', 'state_topic'],
  },
  device_automation: {
    // "device: Required"; platform is only for device-based discovery, so it is not allowed here.
    required: ['automation_type', 'topic', 'type', 'subtype', 'device'],
    allowed: ['automation_type', 'device', 'payload', 'qos', 'subtype', 'topic', 'type', 'value_template'],
  },
  switch: {
    required: ['command_topic'],
    allowed: [
      ...ENTITY_KEYS,
      ...COMMAND_KEYS,
      'device_class',
      'optimistic',
      'payload_off',
      'payload_on',
      'state_off',
      'state_on',
      'state_topic',
    ],
  },
  number: {
    required: ['command_topic'],
    allowed: [
      ...ENTITY_KEYS,
      ...COMMAND_KEYS,
      'device_class',
      'max',
      'min',
      'mode',
      'optimistic',
      'payload_reset',
      'state_topic',
      'step',
      'unit_of_measurement',
    ],
  },
  button: {
    required: ['command_topic'],
    allowed: [...ENTITY_KEYS, ...COMMAND_KEYS, 'device_class', 'payload_press'],
  },
};

export const SWITCH_DEVICE_CLASSES = ['outlet', 'switch'];
export const BUTTON_DEVICE_CLASSES = ['identify', 'restart', 'update'];
export const NUMBER_MODES = ['auto', 'box', 'slider'];

export const DEVICE_KEYS = [
  'configuration_url',
  'connections',
  'hw_version',
  'identifiers',
  'manufacturer',
  'model',
  'model_id',
  'name',
  'serial_number',
  'suggested_area',
  'sw_version',
  'via_device',
];

export const ORIGIN_KEYS = ['name', 'sw_version', 'support_url'];

export const SENSOR_STATE_CLASSES = ['measurement', 'measurement_angle', 'total', 'total_increasing'];

/** Device classes whose state_class is restricted (sensor docs): the allowed ones, undefined meaning none. */
export const STATE_CLASS_LIMITS: Record<string, readonly (string | undefined)[]> = {
  monetary: [undefined, 'total'],
  enum: [undefined],
  timestamp: [undefined],
  date: [undefined],
};

export const BINARY_SENSOR_DEVICE_CLASSES = [
  'battery',
  'battery_charging',
  'carbon_monoxide',
  'cold',
  'connectivity',
  'door',
  'garage_door',
  'gas',
  'heat',
  'light',
  'lock',
  'moisture',
  'motion',
  'moving',
  'occupancy',
  'opening',
  'plug',
  'power',
  'presence',
  'problem',
  'running',
  'safety',
  'smoke',
  'sound',
  'tamper',
  'update',
  'vibration',
  'window',
];

export const ENTITY_CATEGORIES = ['config', 'diagnostic'];

/** `<prefix>/<component>/[<node_id>/]<object_id>/config`, ids of letters, digits, "_" and "-". */
export function discoveryTopicProblem(topic: string, prefix: string, component: string): string | undefined {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${component}/(?:[a-zA-Z0-9_-]+/)?[a-zA-Z0-9_-]+/config$`);
  return pattern.test(topic) ? undefined : `${topic}: not <prefix>/${component}/[<node_id>/]<object_id>/config`;
}

/** Every documented rule the payload breaks, as messages (empty: valid). */
export function discoveryProblems(component: keyof typeof COMPONENT_RULES, payload: Record<string, unknown>): string[] {
  const rule = COMPONENT_RULES[component];
  const problems: string[] = [];
  for (const key of rule.required) if (payload[key] === undefined) problems.push(`${key} is required`);
  for (const key of Object.keys(payload)) if (!rule.allowed.includes(key)) problems.push(`${key} is not a ${component} key`);
  const device = payload.device as Record<string, unknown> | undefined;
  if (device !== undefined) {
    for (const key of Object.keys(device)) if (!DEVICE_KEYS.includes(key)) problems.push(`device.${key} is not a device key`);
    if (device.identifiers === undefined && device.connections === undefined) problems.push('device needs identifiers or connections');
  }
  const origin = payload.origin as Record<string, unknown> | undefined;
  if (origin !== undefined) {
    if (typeof origin.name !== 'string') problems.push('origin.name is required');
    for (const key of Object.keys(origin)) if (!ORIGIN_KEYS.includes(key)) problems.push(`origin.${key} is not an origin key`);
  }
  if (payload.device !== undefined && component !== 'device_automation' && payload.unique_id === undefined)
    problems.push('device info needs a unique_id');
  if (payload.availability_topic !== undefined && payload.availability !== undefined)
    problems.push('availability and availability_topic together');
  if (payload.entity_category !== undefined && !ENTITY_CATEGORIES.includes(payload.entity_category as string))
    problems.push('entity_category');
  if (component === 'sensor') {
    const deviceClass = payload.device_class as string | undefined;
    const stateClass = payload.state_class as string | undefined;
    if (stateClass !== undefined && !SENSOR_STATE_CLASSES.includes(stateClass)) problems.push(`state_class ${stateClass}`);
    const limits = deviceClass === undefined ? undefined : STATE_CLASS_LIMITS[deviceClass];
    if (limits && !limits.includes(stateClass)) problems.push(`device_class ${deviceClass} forbids state_class ${stateClass}`);
    if (deviceClass === 'enum') {
      if (!Array.isArray(payload.options) || payload.options.length === 0) problems.push('device_class enum needs options');
      if (payload.unit_of_measurement !== undefined) problems.push('device_class enum takes no unit');
    } else if (payload.options !== undefined) problems.push('options only with device_class enum');
  }
  if (
    component === 'binary_sensor' &&
    payload.device_class !== undefined &&
    !BINARY_SENSOR_DEVICE_CLASSES.includes(payload.device_class as string)
  ) {
    problems.push(`binary_sensor device_class ${String(payload.device_class)}`);
  }
  if (component === 'event') {
    const types = payload.event_types;
    if (!Array.isArray(types) || types.length === 0 || !types.every((type) => typeof type === 'string'))
      problems.push('event_types must be a non-empty list of strings');
  }
  if (component === 'switch' && payload.device_class !== undefined && !SWITCH_DEVICE_CLASSES.includes(payload.device_class as string))
    problems.push(`switch device_class ${String(payload.device_class)}`);
  if (component === 'button' && payload.device_class !== undefined && !BUTTON_DEVICE_CLASSES.includes(payload.device_class as string))
    problems.push(`button device_class ${String(payload.device_class)}`);
  if (component === 'number') {
    const { min = 1, max = 100, step = 1, mode = 'auto' } = payload as { min?: unknown; max?: unknown; step?: unknown; mode?: unknown };
    if (typeof min !== 'number' || typeof max !== 'number' || typeof step !== 'number') problems.push('min, max and step must be numbers');
    else {
      if (max <= min) problems.push('max must be greater than min');
      if (step < 0.001) problems.push('step must be at least 0.001');
      if (step > max - min) problems.push('step must fit within min..max');
    }
    if (!NUMBER_MODES.includes(mode as string)) problems.push(`number mode ${String(mode)}`);
  }
  if (component === 'device_automation') {
    if (payload.automation_type !== 'trigger') problems.push('automation_type must be trigger');
    for (const key of ['topic', 'type', 'subtype'])
      if (typeof payload[key] !== 'string' || payload[key] === '') problems.push(`${key} must be a string`);
  }
  return problems;
}

// The `mqtt` section of the configuration: the broker, the topic layout, Home Assistant discovery and
// commands (docs/mqtt.md). Kept beside schema.ts so that the shared file holds one line for it.
import { z } from 'zod';

const brokerUrl = z.string().refine(
  (value) => {
    try {
      return ['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'must be a URL starting with mqtt://, mqtts://, ws:// or wss://' },
);

/** A topic prefix: levels of printable characters without wildcards, no empty level, no leading or trailing "/". */
const topicPrefix = z
  .string()
  .max(200)
  .regex(/^[^/#+\s]+(\/[^/#+\s]+)*$/, 'must be topic levels separated by "/", without "+", "#", spaces or empty levels');

const identifier = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

export const mqttSchema = z
  .object({
    /** Set: the edge role publishes to this broker (and Home Assistant discovery). */
    url: brokerUrl.optional(),
    username: z.string().min(1).optional(),
    /** Secret: only from MQTT_PASSWORD or MQTT_PASSWORD_FILE. */
    password: z.string().min(1).optional(),
    /** PEM files: the CA that signed the broker's certificate, and a client certificate and key. */
    caFile: z.string().min(1).optional(),
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Unset: stock-stream-<deviceId>. The broker drops an older connection with the same id. */
    clientId: z.string().min(1).max(128).optional(),
    /** Every state, event and command topic starts with this. */
    baseTopic: topicPrefix.default('stock-stream'),
    /** Home Assistant MQTT discovery: publish the entities' configs under discoveryPrefix. */
    discovery: z.boolean().default(true),
    discoveryPrefix: topicPrefix.default('homeassistant'),
    /** The appliance's id in Home Assistant (device identifier, node id, unique_id prefix): one per appliance. */
    deviceId: identifier.default('stock-stream'),
    deviceName: z.string().min(1).max(64).default('Stock Stream'),
    /** Seconds between pings; the broker publishes the last will after 1.5 times this without a word. */
    keepaliveSeconds: z.number().int().min(1).max(3600).default(30),
    /** Reconnect delays grow from 1 s, doubling, up to this. */
    reconnectMaxSeconds: z.number().min(1).max(3600).default(60),
    /** Each symbol's state at most once per this many seconds (0: every change); signals and alerts at once. */
    throttleSeconds: z.number().min(0).max(3600).default(10),
    /** A price this far from the last published one (a fraction: 0.005 is 0.5 %) is published at once. */
    throttleMoveFraction: z.number().min(0).max(1).default(0.005),
    /** The dashboard's address, shown as the device's link in Home Assistant (configuration_url). */
    configurationUrl: z
      .string()
      .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), {
        message: 'must be a URL starting with http:// or https://',
      })
      .optional(),
    commands: z
      .object({
        /** Accept mute, unmute, acknowledge and brightness on <baseTopic>/command. */
        enabled: z.boolean().default(false),
        /** Secret: only from MQTT_COMMAND_TOKEN or MQTT_COMMAND_TOKEN_FILE. Set: a command must carry it. */
        token: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
        /**
         * Also expose mute, brightness and acknowledge as Home Assistant entities and accept their
         * commands, which carry no token: the broker's ACL is then the protection (docs/mqtt.md).
         */
        allowEntities: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((mqtt) => (mqtt.certFile === undefined) === (mqtt.keyFile === undefined), {
    message: 'set both certFile and keyFile, or neither',
    path: ['certFile'],
  })
  .prefault({});

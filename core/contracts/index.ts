// Every message on the bus, in one place: its shape and the check each reader applies. Producers and
// consumers import from here (a lint rule keeps them to this file), so a shape cannot drift apart.
export * from './check.js';
export * from './dead-letter.js';
export * from './indicators.js';
export * from './notification.js';
export * from './panel.js';
export * from './signal.js';
export * from './tick.js';

// The test-traffic injector (`sigwall inject`) and the test rig's message files.
export * from './packets.js';
export * from './sources.js';
export * from './sender.js';
export * from './rig-messages.js';

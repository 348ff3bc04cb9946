export * from './test-environment.js';
export * from './wait-for.js';
export * from './free-port.js';
export * from './fakes/rtmp-sink.js';
export * from './fakes/dj-publisher.js';
export * from './fakes/media-probe.js';
export * from './outside-host.js';
export * from './test-stack.js';

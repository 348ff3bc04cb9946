export * from './backoff.js';
export * from './line-splitter.js';
export * from './ffmpeg-progress.parser.js';
export * from './process-supervisor.js';
export * from './run-once.js';
export * from './ffmpeg-args.js';

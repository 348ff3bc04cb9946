export * from './stack.js';
export * from './nginx-rtmp.js';
export * from './render-template.js';
export * from './database.js';
export * from './icecast.js';

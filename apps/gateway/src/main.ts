import 'reflect-metadata';
import { runMain } from '@streamcaster/service-kit';
import { startGateway } from './bootstrap.js';
import { SERVICE } from './app.module.js';
import { loadGatewayConfig } from './config/gateway.config.js';

runMain(SERVICE, async () => {
  await startGateway(loadGatewayConfig(process.env));
});

import 'reflect-metadata';
import { runMain, startBusService } from '@streamcaster/service-kit';
import { PublisherModule, SERVICE } from './app.module.js';
import { loadPublisherConfig } from './config/publisher.config.js';

runMain(SERVICE, async () => {
  const config = loadPublisherConfig(process.env);
  await startBusService(SERVICE, PublisherModule.forRoot(config), config);
});

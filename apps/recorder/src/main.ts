import 'reflect-metadata';
import { runMain, startBusService } from '@streamcaster/service-kit';
import { RecorderModule, SERVICE } from './app.module.js';
import { loadRecorderConfig } from './config/recorder.config.js';

runMain(SERVICE, async () => {
  const config = loadRecorderConfig(process.env);
  await startBusService(SERVICE, RecorderModule.forRoot(config), config);
});

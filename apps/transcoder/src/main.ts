import 'reflect-metadata';
import { runMain, startBusService } from '@streamcaster/service-kit';
import { SERVICE, TranscoderModule } from './app.module.js';
import { loadTranscoderConfig } from './config/transcoder.config.js';

runMain(SERVICE, async () => {
  const config = loadTranscoderConfig(process.env);
  await startBusService(SERVICE, TranscoderModule.forRoot(config), config);
});

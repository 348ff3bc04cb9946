import 'reflect-metadata';
import { runMain, startBusService } from '@streamcaster/service-kit';
import { SERVICE, StatsModule } from './app.module.js';
import { loadStatsConfig } from './config/stats.config.js';

runMain(SERVICE, async () => {
  const config = loadStatsConfig(process.env);
  await startBusService(SERVICE, StatsModule.forRoot(config), config);
});

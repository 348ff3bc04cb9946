import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.js';
import { HostSampler } from '../host/host-sampler.js';
import { IngestStatReader } from '../ingest/ingest-stat.reader.js';
import { LifecycleModule } from '../lifecycle/lifecycle.module.js';
import { ProgressModule } from '../progress/progress.module.js';
import { SnapshotService } from './snapshot.service.js';

@Module({
  imports: [LifecycleModule, ProgressModule, HistoryModule],
  providers: [SnapshotService, IngestStatReader, HostSampler],
  exports: [SnapshotService],
})
export class SnapshotsModule {}

import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { TranscoderConfig } from './config/transcoder.config.js';
import { EncoderRegistry } from './encoders/encoder-registry.js';
import { TranscodeNatsController } from './transcode/transcode.nats.controller.js';
import { TranscodeProcessor } from './transcode/transcode.processor.js';

export const SERVICE = 'transcoder';

/** No database: the transcoder's state is its BullMQ jobs and the processes it runs. */
@Module({})
export class TranscoderModule {
  static forRoot(config: TranscoderConfig): DynamicModule {
    return {
      module: TranscoderModule,
      imports: [ServiceConfigModule.forRoot(TranscoderConfig, config), BusModule.forRoot(SERVICE), ServiceHealthModule.forRoot(SERVICE)],
      controllers: [TranscodeNatsController],
      providers: [EncoderRegistry, TranscodeProcessor],
    };
  }
}

import { Controller } from '@nestjs/common';
import { GetBranding, SetBrandingLogo, UpdateBranding, type CommandRequest, type Branding } from '@streamcaster/contracts';
import { OnCommand } from '@streamcaster/service-kit';
import { BrandingService } from './branding.service.js';

@Controller()
export class BrandingNatsController {
  constructor(private readonly branding: BrandingService) {}

  @OnCommand(GetBranding)
  get(): Promise<Branding> {
    return this.branding.get();
  }

  @OnCommand(UpdateBranding)
  update(request: CommandRequest<typeof UpdateBranding>): Promise<Branding> {
    return this.branding.update(request);
  }

  @OnCommand(SetBrandingLogo)
  setLogo(request: CommandRequest<typeof SetBrandingLogo>): Promise<Branding> {
    return this.branding.setLogo(request);
  }
}

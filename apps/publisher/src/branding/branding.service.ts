import { Injectable } from '@nestjs/common';
import type { Branding, Environment, Logo } from '@streamcaster/contracts';
import { brandingUpdateSchema, renderTemplate } from '@streamcaster/contracts';
import type { z } from 'zod';
import type { BrandingEntity } from './branding.entity.js';
import { BrandingRepository } from './branding.repository.js';

function toBranding(entity: BrandingEntity): Branding {
  return {
    organizationName: entity.organizationName,
    titleTemplate: entity.titleTemplate,
    descriptionTemplate: entity.descriptionTemplate,
    slateTemplate: entity.slateTemplate,
    logoPosition: entity.logoPosition,
    logo: entity.logo,
    vj: entity.vj,
    updatedAt: entity.updatedAt.toISOString(),
  };
}

@Injectable()
export class BrandingService {
  constructor(private readonly branding: BrandingRepository) {}

  async get(): Promise<Branding> {
    return toBranding(await this.branding.get());
  }

  async update(changes: z.output<typeof brandingUpdateSchema>): Promise<Branding> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    return toBranding(await this.branding.update(defined));
  }

  async setLogo(logo: Logo): Promise<Branding> {
    return toBranding(await this.branding.update({ logo }));
  }

  /** Title and description for a new broadcast: the same text goes to every platform. */
  async renderFor(djName: string, environment: Environment, startedAt: Date): Promise<{ title: string; description: string; slateMessage: string; branding: Branding }> {
    const branding = await this.get();
    const context = { dj: djName, org: branding.organizationName, startedAt, environment, timeZone: 'UTC' };
    return {
      title: renderTemplate(branding.titleTemplate, context),
      description: renderTemplate(branding.descriptionTemplate, context),
      slateMessage: renderTemplate(branding.slateTemplate, context),
      branding,
    };
  }
}

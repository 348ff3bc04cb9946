import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { ApiBodyOptions } from '@nestjs/swagger';
import { describeIssue } from '@streamcaster/service-kit';
import { z } from 'zod';

/** Validates a body or query with the same zod schema the bus uses; the message names each field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0 && !this.acceptsEmpty())) {
      throw new BadRequestException('request body is missing or empty');
    }
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) throw new BadRequestException(parsed.error.issues.map(describeIssue).join('; '));
    return parsed.data;
  }

  private acceptsEmpty(): boolean {
    return this.schema.safeParse({}).success;
  }
}

/** OpenAPI description of a zod schema, for @ApiBody / @ApiOkResponse. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export function apiBody(schema: z.ZodType): ApiBodyOptions {
  return { schema: openApiSchema(schema) } as ApiBodyOptions;
}

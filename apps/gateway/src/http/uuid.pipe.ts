import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';

const uuidSchema = z.uuid();
const SHOWN_CHARACTERS = 40;

/**
 * A path id that must be a UUID, checked with the same rule as the bus contracts (so that what
 * passes here passes the owner too). The refusal names the id and quotes what came, shortened and
 * escaped: traversal attempts, NUL bytes and 8 KB ids all end here as a 400.
 */
export class UuidPipe implements PipeTransform<unknown, string> {
  constructor(private readonly what: string) {}

  transform(value: unknown): string {
    if (typeof value === 'string' && uuidSchema.safeParse(value).success) return value.toLowerCase();
    throw new BadRequestException(`${this.what} must be a UUID, got ${quoted(value)}`);
  }
}

function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  if (text.length <= SHOWN_CHARACTERS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, SHOWN_CHARACTERS))}… (${text.length} characters)`;
}

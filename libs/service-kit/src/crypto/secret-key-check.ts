import { createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ConfigError } from '../config/config-schema.js';

/** A value derived from the key that tells keys apart without revealing anything about them. */
export function secretKeyCheckValue(keyBase64: string): string {
  return createHmac('sha256', Buffer.from(keyBase64, 'base64')).update('streamcaster secret key check v1').digest('base64url').slice(0, 16);
}

/**
 * At every start: the first start records the check value of STREAMCASTER_SECRET_KEY in the
 * service's schema; a later start with another key refuses to run (ConfigError, exit 78) and says
 * what to restore, instead of failing later on every secret it cannot open.
 */
export async function verifySecretKey(dataSource: DataSource, schema: string, service: string, keyBase64: string): Promise<void> {
  const value = secretKeyCheckValue(keyBase64);
  await dataSource.query(`INSERT INTO "${schema}".secret_key_check (id, check_value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [value]);
  const [row] = (await dataSource.query(`SELECT check_value, created_at FROM "${schema}".secret_key_check WHERE id = 1`)) as Array<{
    check_value: string;
    created_at: Date;
  }>;
  if (row && row.check_value !== value) {
    throw new ConfigError(service, [
      `STREAMCASTER_SECRET_KEY is not the key this database was set up with on ${row.created_at.toISOString()} ` +
        `(its check value is ${row.check_value}, this key's is ${value}). Secrets sealed with the first key cannot be read with this one. ` +
        `Restore that key: the secretKey of var/secrets.json from that installation, or the STREAMCASTER_SECRET_KEY it was started with. ` +
        `To start over instead, delete the destinations and platform accounts, then the row of ${schema}.secret_key_check.`,
    ]);
  }
}

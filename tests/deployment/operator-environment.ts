import { randomBytes } from 'node:crypto';

/**
 * The secrets an operator provides, in deploy/.env for compose or in the credentials Secret for
 * Kubernetes, each in the form deploy/README.md tells them to generate it. The checks resolve the
 * deployment with these values, as compose and Kubernetes would, and then check what the services get.
 */
export const OPERATOR_SECRETS: Readonly<Record<string, string>> = {
  POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  REDIS_PASSWORD: randomBytes(24).toString('hex'),
  NATS_PASSWORD: randomBytes(24).toString('hex'),
  JWT_SECRET: randomBytes(48).toString('base64'),
  STREAMCASTER_SECRET_KEY: randomBytes(32).toString('base64'),
  INGEST_HOOKS_SECRET: randomBytes(24).toString('hex'),
  ICECAST_READER_PASSWORD: randomBytes(24).toString('hex'),
  ICECAST_ADMIN_PASSWORD: randomBytes(24).toString('hex'),
  ICECAST_RELAY_PASSWORD: randomBytes(24).toString('hex'),
};

/** The settings compose cannot guess and asks for (deploy/.env), as an operator would write them. */
export const OPERATOR_SETTINGS: Readonly<Record<string, string>> = {
  PUBLIC_RTMP_URL: 'rtmp://stream.example.org:1935',
  PUBLIC_ICECAST_URL: 'http://stream.example.org:8000',
};

/** deploy/.env as a whole. */
export const OPERATOR_ENVIRONMENT: Readonly<Record<string, string>> = { ...OPERATOR_SECRETS, ...OPERATOR_SETTINGS };

import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own PostgreSQL schema: no other service reads or writes it. */
  schema: string;
  // TypeORM types entity and migration lists this loosely itself.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

export function serviceDataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    // Migrations only: the schema is never derived from the entities at run time.
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, application_name: `streamcaster-${options.schema}` },
  };
}

/**
 * Opens the service's DataSource after making sure its schema exists, then applies pending
 * migrations. Two replicas booting together are serialised by a PostgreSQL advisory lock.
 */
export async function openServiceDataSource(options: DataSourceOptions & { schema?: string }): Promise<DataSource> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`streamcaster-migrate-${options.schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`streamcaster-migrate-${options.schema}`]);
    }
  } finally {
    await runner.release();
  }
  return dataSource;
}

@Module({})
export class DatabaseModule {
  /** `options` is resolved from the service's config by `inject`ed factory. */
  static forRootAsync(factory: {
    inject: InjectionToken[];
    // Nest's own factory signature: the injected values arrive untyped.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    useFactory: (...args: any[]) => ServiceDatabaseOptions;
  }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: factory.inject,
          useFactory: (...args: unknown[]) => serviceDataSourceOptions(factory.useFactory(...args)),
          dataSourceFactory: async (options) => openServiceDataSource(options as DataSourceOptions & { schema: string }),
        }),
      ],
    };
  }
}

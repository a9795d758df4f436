export { createDataSource, openDatabase } from './data-source';
export { startEmbeddedPostgres, EmbeddedDatabase } from './embedded-postgres';
export * from './entities';

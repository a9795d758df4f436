import { MigrationInterface, QueryRunner } from 'typeorm';

/** Published versions of the mapping definitions. */
export class MappingReleases1764200001000 implements MigrationInterface {
  name = 'MappingReleases1764200001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mapping_release (
        version      integer PRIMARY KEY,
        created_at   timestamptz NOT NULL DEFAULT now(),
        author       text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('import', 'publish', 'rollback')),
        rollback_of  integer REFERENCES mapping_release (version),
        note         text,
        checksum     text NOT NULL,
        files        jsonb NOT NULL,
        diff         text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mapping_release`);
  }
}

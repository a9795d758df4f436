import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per call through the gateway, for the back office's statistics
 * (services/statistics, docs/statistics.md). Appended in batches, read by
 * time range, pruned by age: no primary key (nothing refers to a row, and
 * each index costs every insert).
 */
export class AccessEvents1764500000000 implements MigrationInterface {
  name = 'AccessEvents1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access_event (
        at           timestamptz NOT NULL,
        function     text NOT NULL,
        route_group  text,
        user_id      text,
        client_ip    text,
        status       smallint NOT NULL,
        outcome      text NOT NULL CHECK (outcome IN ('ok', 'refused', 'error')),
        error_code   text,
        latency_ms   double precision NOT NULL,
        request_id   text,
        node_id      text
      )`);
    await q.query(`CREATE INDEX access_event_at_idx ON access_event (at)`);
    await q.query(`CREATE INDEX access_event_function_at_idx ON access_event (function, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_event`);
  }
}

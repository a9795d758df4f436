import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Public information and smart electricity (issue 12): articles of typed
 * categories with publish windows and a bigram search vector (Chinese search
 * without an extension, docs/decisions.md), business outlets, outage
 * bulletins imported from the data center's drop; and the operator role
 * `editor`, which writes them.
 */
export class Content1765200000000 implements MigrationInterface {
  name = 'Content1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE content_item (
        id             bigserial PRIMARY KEY,
        category       text NOT NULL CHECK (category IN ('NEWS', 'FAQ', 'KNOWLEDGE', 'GUIDE', 'POLICY', 'CASE', 'GRID_NEWS', 'INDUSTRY_NEWS', 'ENERGY_TECH', 'APP_LINK')),
        title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        summary        text NOT NULL DEFAULT '',
        body           text NOT NULL,
        body_format    text NOT NULL DEFAULT 'text' CHECK (body_format IN ('text', 'markdown')),
        link_url       text,
        tags           text[] NOT NULL DEFAULT '{}',
        state          text NOT NULL DEFAULT 'DRAFT' CHECK (state IN ('DRAFT', 'PUBLISHED', 'RETIRED')),
        publish_from   timestamptz,
        publish_until  timestamptz,
        published_at   timestamptz,
        version        integer NOT NULL DEFAULT 1,
        search_vector  tsvector NOT NULL,
        created_by     text NOT NULL,
        updated_by     text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CHECK (publish_until IS NULL OR publish_from IS NULL OR publish_until > publish_from)
      )`);
    await q.query('CREATE INDEX content_item_search ON content_item USING gin (search_vector)');
    await q.query('CREATE INDEX content_item_listing ON content_item (category, state, (coalesce(publish_from, published_at)) DESC)');
    await q.query(`
      CREATE TABLE outlet (
        id          bigserial PRIMARY KEY,
        name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        address     text NOT NULL,
        phone       text,
        lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lng         double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
        hours       jsonb NOT NULL DEFAULT '[]',
        services    text[] NOT NULL DEFAULT '{}',
        active      boolean NOT NULL DEFAULT true,
        version     integer NOT NULL DEFAULT 1,
        created_by  text NOT NULL,
        updated_by  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX outlet_position ON outlet (lat, lng) WHERE active');
    await q.query(`
      CREATE TABLE outage_bulletin (
        bulletin_id  text PRIMARY KEY,
        area_code    text NOT NULL,
        area_name    text NOT NULL,
        starts_at    timestamptz NOT NULL,
        ends_at      timestamptz NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('PLANNED', 'FAULT')),
        reason       text NOT NULL DEFAULT '',
        scope        text NOT NULL DEFAULT '',
        issued_at    timestamptz NOT NULL,
        source_file  text NOT NULL,
        imported_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await q.query('CREATE INDEX outage_bulletin_area_window ON outage_bulletin (area_code, ends_at, starts_at)');
    // Operators who write content: role editor (services/auth/operator-accounts.ts ROLES).
    await q.query('ALTER TABLE operator DROP CONSTRAINT operator_roles_check');
    await q.query(`ALTER TABLE operator ADD CONSTRAINT operator_roles_check CHECK (roles <@ ARRAY['admin', 'operator', 'auditor', 'editor']::text[] AND cardinality(roles) > 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE operator DROP CONSTRAINT operator_roles_check');
    await q.query(`ALTER TABLE operator ADD CONSTRAINT operator_roles_check CHECK (roles <@ ARRAY['admin', 'operator', 'auditor']::text[] AND cardinality(roles) > 0)`);
    await q.query('DROP TABLE outage_bulletin');
    await q.query('DROP TABLE outlet');
    await q.query('DROP TABLE content_item');
  }
}

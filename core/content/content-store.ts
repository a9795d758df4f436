import { DataSource } from 'typeorm';
import { GridbusError } from '../errors';
import { BodyFormat, ContentCategory, ContentState } from './categories';
import { searchQueryText, searchVectorText } from './search-tokens';

/** What an editor writes (POST /admin/api/content, PUT …/:id). */
export interface ContentInput {
  category: ContentCategory;
  title: string;
  summary?: string;
  body: string;
  bodyFormat?: BodyFormat;
  linkUrl?: string | null;
  tags?: string[];
  publishFrom?: string | null;
  publishUntil?: string | null;
}

export interface ContentItem {
  id: string;
  category: ContentCategory;
  title: string;
  summary: string;
  body: string;
  bodyFormat: BodyFormat;
  linkUrl: string | null;
  tags: string[];
  state: ContentState;
  publishFrom: string | null;
  publishUntil: string | null;
  /** When it shows as published: the window's start, else when it was first published. */
  publishedAt: string | null;
  version: number;
  updatedAt: string;
}

export type ContentSummary = Omit<ContentItem, 'body' | 'state' | 'publishFrom' | 'publishUntil'>;

interface Row {
  id: string;
  category: ContentCategory;
  title: string;
  summary: string;
  body?: string;
  body_format: BodyFormat;
  link_url: string | null;
  tags: string[];
  state: ContentState;
  publish_from: Date | null;
  publish_until: Date | null;
  shown_at: Date | null;
  version: number;
  updated_at: Date;
  total?: number;
  rank?: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const COLUMNS = `id::text AS id, category, title, summary, body_format, link_url, tags, state, publish_from, publish_until,
  coalesce(publish_from, published_at) AS shown_at, version, updated_at`;

/** Published now: the state, and inside the window (from included, until excluded). */
const VISIBLE = `state = 'PUBLISHED' AND (publish_from IS NULL OR publish_from <= now()) AND (publish_until IS NULL OR publish_until > now())`;

function toItem(r: Row): ContentItem {
  return {
    id: r.id,
    category: r.category,
    title: r.title,
    summary: r.summary,
    body: r.body ?? '',
    bodyFormat: r.body_format,
    linkUrl: r.link_url,
    tags: r.tags,
    state: r.state,
    publishFrom: iso(r.publish_from),
    publishUntil: iso(r.publish_until),
    publishedAt: iso(r.shown_at),
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** What users see of an article in a list: no body, no editorial state. */
export function toSummary(item: ContentItem): ContentSummary {
  const { body: _b, state: _s, publishFrom: _f, publishUntil: _u, ...rest } = item;
  return rest;
}

function vectorOf(input: ContentInput): string {
  return searchVectorText([
    { text: input.title, weight: 'A' },
    { text: [...(input.tags ?? []), input.summary ?? ''].join(' '), weight: 'B' },
    { text: input.body, weight: 'D' },
  ]);
}

/** Articles in PostgreSQL (table content_item, migration 1765200000000-content). */
export class ContentStore {
  constructor(private readonly ds: DataSource) {}

  /** Published now, newest first, one page; `total` counts every page. */
  async listPublished(opts: { category?: ContentCategory; page: number; pageSize: number }): Promise<{ items: ContentItem[]; total: number }> {
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM content_item
        WHERE ${VISIBLE} AND ($1::text IS NULL OR category = $1)
        ORDER BY coalesce(publish_from, published_at) DESC, id DESC LIMIT $2 OFFSET $3`,
      [opts.category ?? null, opts.pageSize, (opts.page - 1) * opts.pageSize],
    );
    return { items: rows.map(toItem), total: rows[0]?.total ?? (await this.countPublished(opts.category)) };
  }

  private async countPublished(category?: ContentCategory): Promise<number> {
    const [row] = await this.ds.query(`SELECT count(*)::int AS n FROM content_item WHERE ${VISIBLE} AND ($1::text IS NULL OR category = $1)`, [category ?? null]);
    return row.n;
  }

  /** One article as users see it: published now, else null. */
  async getPublished(id: string): Promise<ContentItem | null> {
    const [row] = await this.ds.query(`SELECT ${COLUMNS}, body FROM content_item WHERE id = $1 AND ${VISIBLE}`, [id]);
    return row ? toItem(row) : null;
  }

  /**
   * Published articles matching every term of the query (search-tokens.ts),
   * best first: a match in the title weighs most, then tags and summary, then the body.
   */
  async search(opts: { q: string; category?: ContentCategory; limit: number }): Promise<Array<ContentItem & { score: number }>> {
    const query = searchQueryText(opts.q);
    if (!query) {
      throw new GridbusError('VALIDATION_FAILED', 'q has no letters, digits or Chinese characters to search for', {
        details: { problems: [{ field: 'q', type: 'searchable', message: 'q must contain letters, digits or Chinese characters' }] },
      });
    }
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS}, ts_rank(search_vector, q) AS rank FROM content_item, CAST($1 AS tsquery) AS q
        WHERE search_vector @@ q AND ${VISIBLE} AND ($2::text IS NULL OR category = $2)
        ORDER BY rank DESC, coalesce(publish_from, published_at) DESC, id DESC LIMIT $3`,
      [query, opts.category ?? null, opts.limit],
    );
    return rows.map((r) => ({ ...toItem(r), score: Math.round(Number(r.rank) * 10000) / 10000 }));
  }

  /** Every article of any state (editors and auditors), newest change first. */
  async listAll(opts: { category?: ContentCategory; state?: ContentState; page: number; pageSize: number }): Promise<{ items: ContentItem[]; total: number }> {
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM content_item
        WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR state = $2)
        ORDER BY updated_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [opts.category ?? null, opts.state ?? null, opts.pageSize, (opts.page - 1) * opts.pageSize],
    );
    if (rows.length || opts.page === 1) return { items: rows.map(toItem), total: rows[0]?.total ?? 0 };
    const [row] = await this.ds.query('SELECT count(*)::int AS n FROM content_item WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR state = $2)', [opts.category ?? null, opts.state ?? null]);
    return { items: [], total: row.n };
  }

  async get(id: string): Promise<ContentItem | null> {
    const [row] = await this.ds.query(`SELECT ${COLUMNS}, body FROM content_item WHERE id = $1`, [id]);
    return row ? toItem(row) : null;
  }

  async create(input: ContentInput, actor: string, publish: boolean): Promise<ContentItem> {
    const [row] = await this.ds.query(
      `INSERT INTO content_item (category, title, summary, body, body_format, link_url, tags, publish_from, publish_until, state, published_at, search_vector, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text, CASE WHEN $10::text = 'PUBLISHED' THEN now() END, $11::tsvector, $12, $12)
       RETURNING ${COLUMNS}, body`,
      [...this.values(input), publish ? 'PUBLISHED' : 'DRAFT', vectorOf(input), actor],
    );
    return toItem(row);
  }

  /** Replaces the editable fields if the article is still at `version`; the state stays. */
  async update(id: string, version: number, input: ContentInput, actor: string): Promise<ContentItem> {
    const rows: Row[] = await this.ds.query(
      `WITH u AS (
         UPDATE content_item SET category = $3, title = $4, summary = $5, body = $6, body_format = $7, link_url = $8, tags = $9,
           publish_from = $10, publish_until = $11, search_vector = $12::tsvector, updated_by = $13, updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2 RETURNING *)
       SELECT ${COLUMNS}, body FROM u`,
      [id, version, ...this.values(input), vectorOf(input), actor],
    );
    if (!rows.length) await this.refuse(id);
    return toItem(rows[0]);
  }

  /** Publishes or retires (any version when `version` is not given). */
  async setState(id: string, version: number | undefined, state: 'PUBLISHED' | 'RETIRED', actor: string): Promise<ContentItem> {
    const rows: Row[] = await this.ds.query(
      `WITH u AS (
         UPDATE content_item SET state = $3::text, published_at = CASE WHEN $3::text = 'PUBLISHED' THEN coalesce(published_at, now()) ELSE published_at END,
           updated_by = $4, updated_at = now(), version = version + 1
         WHERE id = $1 AND ($2::int IS NULL OR version = $2) RETURNING *)
       SELECT ${COLUMNS}, body FROM u`,
      [id, version ?? null, state, actor],
    );
    if (!rows.length) await this.refuse(id);
    return toItem(rows[0]);
  }

  /** Why an update found no row: no such article, or another version. */
  private async refuse(id: string): Promise<never> {
    const [row] = await this.ds.query('SELECT version FROM content_item WHERE id = $1', [id]);
    if (!row) throw new GridbusError('CONTENT_NOT_FOUND', `No article ${id}`, { details: { id } });
    throw new GridbusError('CONTENT_VERSION_CONFLICT', `Article ${id} was changed since you read it (now version ${row.version}): read it again and redo the change`, {
      details: { id, currentVersion: row.version },
    });
  }

  private values(input: ContentInput): unknown[] {
    return [
      input.category,
      input.title,
      input.summary ?? '',
      input.body,
      input.bodyFormat ?? 'text',
      input.linkUrl ?? null,
      [...new Set(input.tags ?? [])],
      input.publishFrom ?? null,
      input.publishUntil ?? null,
    ];
  }
}

import { Context, ServiceSchema } from 'moleculer';
import { isEmbeddedDefault } from '../../config';
import { ContentCategory, ContentState } from '../../core/content/categories';
import { checkBody } from '../../core/content/content-body';
import { ContentInput, ContentStore, toSummary } from '../../core/content/content-store';
import { seedDemoContent } from '../../core/content/demo-seed';
import { OutageStore } from '../../core/content/outage-store';
import { OutletInput, OutletStore } from '../../core/content/outlet-store';
import { GridbusError } from '../../core/errors';
import { requireDep, ServiceDeps } from '../service-deps';
import { CATEGORY, CONTENT_FIELDS, ID, INSTANT, OUTLET_FIELDS, PAGE, PAGE_SIZE, STATE, VERSION } from './params';

type Meta = { user?: { id: string; roles?: string[] } | null; clientIp?: string | null };

const DEFAULT_PAGE_SIZE = 20;
/** Without `to`, outages up to this far ahead (current and planned). */
const OUTAGE_HORIZON_MS = 30 * 86_400_000;

function invalid(field: string, message: string): GridbusError {
  return new GridbusError('VALIDATION_FAILED', message, { details: { problems: [{ field, type: 'invalid', message }] } });
}

/** What the parameters cannot say alone: no HTML in text, an app link has a link, a window that closes after it opens. */
function checkContent(input: ContentInput): ContentInput {
  checkBody('body', input.body, input.bodyFormat ?? 'text');
  checkBody('title', input.title, 'text');
  checkBody('summary', input.summary ?? '', 'text');
  if (input.category === 'APP_LINK' && !input.linkUrl) throw invalid('linkUrl', 'an APP_LINK item needs linkUrl (the app store address)');
  if (input.linkUrl && !/^https?:\/\//i.test(input.linkUrl)) throw invalid('linkUrl', 'linkUrl must be an http(s) URL');
  if (input.publishFrom && input.publishUntil && Date.parse(input.publishUntil) <= Date.parse(input.publishFrom)) {
    throw invalid('publishUntil', 'publishUntil must be after publishFrom');
  }
  return input;
}

function contentInput(p: ContentInput): ContentInput {
  const { category, title, summary, body, bodyFormat, linkUrl, tags, publishFrom, publishUntil } = p;
  return checkContent({ category, title, summary, body, bodyFormat, linkUrl, tags, publishFrom, publishUntil });
}

function outletInput(p: OutletInput): OutletInput {
  const { name, address, phone, lat, lng, hours, services, active } = p;
  checkBody('name', name, 'text');
  checkBody('address', address, 'text');
  return { name, address, phone, lat, lng, hours, services, active };
}

/**
 * Public information and smart electricity (issue 12): articles of typed
 * categories with publish windows and Chinese full-text search, business
 * outlets by distance with their opening hours, and outage bulletins imported
 * from the data center's drop (channel datacenter.outage-bulletins, polled by
 * the job outage-import). Users read what is published now; editors write,
 * every change audited. See docs/content.md.
 */
export function createContentService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'content');
  const { config } = deps;
  const channels = deps.channels ?? null;
  const articles = new ContentStore(ds);
  const outlets = new OutletStore(ds);
  const outages = new OutageStore(ds);

  const actorOf = (ctx: Context<unknown, Meta>) => ctx.meta.user?.id ?? 'system';
  const audit = (ctx: Context<unknown, Meta>, action: string, outcome: 'success' | 'denied', target: string, details?: Record<string, unknown>) =>
    ctx.emit('audit.event', {
      actor: actorOf(ctx),
      action,
      outcome,
      target,
      sourceIp: ctx.meta.clientIp ?? null,
      requestId: ctx.requestID,
      nodeId: config.nodeId,
      details: details ?? null,
    });
  /** Runs an editor's change; a refusal the store makes (conflict, unknown id) is audited as denied, then answered. */
  const edit = async <T>(ctx: Context<unknown, Meta>, action: string, target: string, change: () => Promise<T>, details: (r: T) => Record<string, unknown>): Promise<T> => {
    try {
      const result = await change();
      audit(ctx, action, 'success', target, details(result));
      return result;
    } catch (err) {
      if (err instanceof GridbusError) audit(ctx, action, 'denied', target, { reason: err.type, ...(err.data as object) });
      throw err;
    }
  };

  return {
    name: 'content',
    actions: {
      /** GET /api/v1/content: published articles, newest first, one page. */
      list: {
        params: { category: { ...CATEGORY, optional: true }, page: PAGE, pageSize: PAGE_SIZE, $$strict: true },
        async handler(ctx: Context<{ category?: ContentCategory; page?: number; pageSize?: number }>) {
          const page = ctx.params.page ?? 1;
          const pageSize = ctx.params.pageSize ?? DEFAULT_PAGE_SIZE;
          const { items, total } = await articles.listPublished({ category: ctx.params.category, page, pageSize });
          return { items: items.map(toSummary), page, pageSize, total };
        },
      },
      /** GET /api/v1/content/:id: one published article; anything else is CONTENT_NOT_FOUND. */
      get: {
        params: { id: ID, $$strict: true },
        async handler(ctx: Context<{ id: string }>) {
          const item = await articles.getPublished(ctx.params.id);
          if (!item) throw new GridbusError('CONTENT_NOT_FOUND', `No published article ${ctx.params.id}`, { details: { id: ctx.params.id } });
          const { state: _s, publishFrom: _f, publishUntil: _u, ...shown } = item;
          return shown;
        },
      },
      /** GET /api/v1/content/search?q=停电: published articles matching every term, best first. */
      search: {
        params: { q: { type: 'string', min: 1, max: 64, trim: true }, category: { ...CATEGORY, optional: true }, limit: PAGE_SIZE, $$strict: true },
        async handler(ctx: Context<{ q: string; category?: ContentCategory; limit?: number }>) {
          const found = await articles.search({ q: ctx.params.q, category: ctx.params.category, limit: ctx.params.limit ?? DEFAULT_PAGE_SIZE });
          return { q: ctx.params.q, items: found.map((f) => ({ ...toSummary(f), score: f.score })) };
        },
      },
      /** GET /api/v1/outlets?lat=&lng=: business outlets nearest first, with opening hours and openNow (Asia/Shanghai). */
      outlets: {
        params: {
          lat: { type: 'number', min: -90, max: 90, convert: true },
          lng: { type: 'number', min: -180, max: 180, convert: true },
          radiusKm: { type: 'number', min: 0.1, max: 100, optional: true, convert: true },
          limit: PAGE_SIZE,
          $$strict: true,
        },
        async handler(ctx: Context<{ lat: number; lng: number; radiusKm?: number; limit?: number }>) {
          const radiusKm = ctx.params.radiusKm ?? 10;
          const found = await outlets.near({ lat: ctx.params.lat, lng: ctx.params.lng, radiusKm, limit: ctx.params.limit ?? DEFAULT_PAGE_SIZE });
          return { radiusKm, items: found.map(({ active: _a, version: _v, ...o }) => o) };
        },
      },
      /** GET /api/v1/outages?area=&from=&to=: bulletins overlapping the window (default: from now, 30 days ahead). */
      outages: {
        params: { area: { type: 'string', min: 1, max: 50, trim: true, optional: true }, from: { ...INSTANT, optional: true }, to: { ...INSTANT, optional: true }, $$strict: true },
        async handler(ctx: Context<{ area?: string; from?: string; to?: string }>) {
          const now = Date.now();
          const from = ctx.params.from ? new Date(ctx.params.from) : new Date(now);
          const to = ctx.params.to ? new Date(ctx.params.to) : new Date(Math.max(now, from.getTime()) + OUTAGE_HORIZON_MS);
          if (Number.isNaN(from.getTime())) throw invalid('from', 'from is not a date that exists');
          if (Number.isNaN(to.getTime())) throw invalid('to', 'to is not a date that exists');
          if (to <= from) throw invalid('to', 'to must be after from');
          if (to.getTime() - from.getTime() > 366 * 86_400_000) throw invalid('to', 'the window from..to is at most 366 days');
          const items = await outages.find({ area: ctx.params.area, from, to, now: new Date(now) });
          return { from: from.toISOString(), to: to.toISOString(), items };
        },
      },

      // operators (/admin/api, roles in routes.ts)
      adminList: {
        params: { category: { ...CATEGORY, optional: true }, state: { ...STATE, optional: true }, page: PAGE, pageSize: PAGE_SIZE, $$strict: true },
        async handler(ctx: Context<{ category?: ContentCategory; state?: ContentState; page?: number; pageSize?: number }>) {
          const page = ctx.params.page ?? 1;
          const pageSize = ctx.params.pageSize ?? DEFAULT_PAGE_SIZE;
          return { ...(await articles.listAll({ ...ctx.params, page, pageSize })), page, pageSize };
        },
      },
      adminGet: {
        params: { id: ID, $$strict: true },
        async handler(ctx: Context<{ id: string }>) {
          const item = await articles.get(ctx.params.id);
          if (!item) throw new GridbusError('CONTENT_NOT_FOUND', `No article ${ctx.params.id}`, { details: { id: ctx.params.id } });
          return item;
        },
      },
      create: {
        params: { ...CONTENT_FIELDS, publish: { type: 'boolean', optional: true }, $$strict: true },
        async handler(ctx: Context<ContentInput & { publish?: boolean }, Meta>) {
          const input = contentInput(ctx.params);
          const item = await articles.create(input, actorOf(ctx), ctx.params.publish === true);
          audit(ctx, 'content.created', 'success', `content:${item.id}`, { category: item.category, title: item.title, state: item.state, version: item.version });
          return item;
        },
      },
      update: {
        params: { id: ID, version: VERSION, ...CONTENT_FIELDS, $$strict: true },
        handler(ctx: Context<ContentInput & { id: string; version: number }, Meta>) {
          const input = contentInput(ctx.params);
          return edit(ctx, 'content.updated', `content:${ctx.params.id}`, () => articles.update(ctx.params.id, ctx.params.version, input, actorOf(ctx)), (i) => ({ title: i.title, version: i.version }));
        },
      },
      publish: {
        params: { id: ID, version: { ...VERSION, optional: true }, $$strict: true },
        handler(ctx: Context<{ id: string; version?: number }, Meta>) {
          return edit(ctx, 'content.published', `content:${ctx.params.id}`, () => articles.setState(ctx.params.id, ctx.params.version, 'PUBLISHED', actorOf(ctx)), (i) => ({ version: i.version }));
        },
      },
      retire: {
        params: { id: ID, version: { ...VERSION, optional: true }, $$strict: true },
        handler(ctx: Context<{ id: string; version?: number }, Meta>) {
          return edit(ctx, 'content.retired', `content:${ctx.params.id}`, () => articles.setState(ctx.params.id, ctx.params.version, 'RETIRED', actorOf(ctx)), (i) => ({ version: i.version }));
        },
      },
      adminOutlets: {
        handler() {
          return outlets.list().then((items) => ({ items }));
        },
      },
      createOutlet: {
        params: { ...OUTLET_FIELDS, $$strict: true },
        async handler(ctx: Context<OutletInput, Meta>) {
          const outlet = await outlets.create(outletInput(ctx.params), actorOf(ctx));
          audit(ctx, 'content.outlet.created', 'success', `outlet:${outlet.id}`, { name: outlet.name, version: outlet.version });
          return outlet;
        },
      },
      updateOutlet: {
        params: { id: ID, version: VERSION, ...OUTLET_FIELDS, $$strict: true },
        handler(ctx: Context<OutletInput & { id: string; version: number }, Meta>) {
          const input = outletInput(ctx.params);
          return edit(ctx, 'content.outlet.updated', `outlet:${ctx.params.id}`, () => outlets.update(ctx.params.id, ctx.params.version, input, actorOf(ctx)), (o) => ({ name: o.name, version: o.version }));
        },
      },
      /** Polls this node's outage drops now (the job outage-import; operators through `gridbus jobs run outage-import`). */
      pollOutages: {
        async handler() {
          const results = channels ? await channels.poll('content') : [];
          if (!results.length) return { polled: false, reason: 'no outage channel runs on this node (mappings/channels, sink outage-bulletins)', channels: [] };
          return { polled: results.some((r) => r.polled), channels: results };
        },
      },
    },
    async started() {
      // The embedded default shows a new user something: a few articles, outlets in Hangzhou, one outage (once).
      if (isEmbeddedDefault(config)) {
        const seeded = await seedDemoContent(ds);
        if (seeded) this.logger.info('demo: content seeded (news, FAQ, knowledge, outlets in Hangzhou, an outage bulletin); embedded default only, done once');
      }
    },
  };
}

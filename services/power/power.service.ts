import { createHash } from 'crypto';
import * as path from 'path';
import { Context, ServiceSchema } from 'moleculer';
import type { Readable } from 'stream';
import { maskMobile, PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { enqueueOutbox, SqlRunner } from '../../core/outbox/outbox-writer';
import { EARN_RULES } from '../../core/power/earn-rules';
import { CREATE_TICKET_OPERATION } from '../../core/power/outbox-hooks';
import { earnPoints, pointsStatement, redeemPoints } from '../../core/power/points-ledger';
import { findUserReport, insertReport, listUserReports, lockReport, openReports, recordReportStatus, ReportRow, ReportStatus, reportPhotos, reportTimeline } from '../../core/power/report-store';
import { cleanImage } from '../../core/uploads/clean-image';
import { MalformedImageError } from '../../core/uploads/malformed';
import { IMAGE_EXTENSIONS } from '../../core/uploads/sniff';
import { UploadStore } from '../../core/uploads/upload-store';
import { requireBoundAccount } from '../binding/ownership';
import { resolvePiiKeys } from '../binding/pii-keys';
import { requireDep, ServiceDeps } from '../service-deps';
import { currentRealName } from './real-name';
import { readReportBody } from './report-body';
import { CONTENT_MAX, readReportForm } from './report-form';

type Meta = { user?: { id: string } | null; clientIp?: string | null; $statusCode?: number; $params?: Record<string, unknown> };

const ID = { type: 'string', pattern: /^[1-9][0-9]{0,17}$/, messages: { stringPattern: 'id must be a positive integer' } };
const ITEM_ID = { type: 'string', pattern: /^[a-z0-9][a-z0-9-]{0,39}$/, messages: { stringPattern: 'itemId is 1-40 lower-case letters, digits and dashes' } };
const LIST_LIMIT = 50;

/**
 * Power services (issue 12; docs/power-services.md): real-name status as
 * Alipay last answered it, illegal-use reports and feedback with photos
 * (sniffed, EXIF location read, metadata stripped, stored outside any served
 * folder) that become marketing-system tickets through the outbox with their
 * status followed back, and the points ledger (earn once per event, redeem
 * against a catalogue, never below zero).
 */
export function createPowerService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'power');
  // a node running power without binding or outbox gets no keys from the composition root: the same resolution, here
  const keys = deps.pii ?? resolvePiiKeys(deps.config);
  const { config } = deps;
  const cipher = new PiiCipher(keys.encKey);
  const uploads = new UploadStore(path.join(config.varDir, 'uploads'));
  const limits = { fileBytes: config.uploads.maxPhotoBytes, files: config.uploads.maxPhotos, fieldBytes: CONTENT_MAX * 4 + 64, fields: 8 };

  const userOf = (ctx: Context<unknown, Meta>): string => {
    const id = ctx.meta.user?.id;
    if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
    return id;
  };
  const audit = (ctx: Context<unknown, Meta>, action: string, target: string | null, details: Record<string, unknown> | null = null, outcome: 'success' | 'denied' = 'success') =>
    ctx.emit('audit.event', { actor: ctx.meta.user?.id ?? 'system', action, outcome, target, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details });
  const inTransaction = <T>(work: (tx: SqlRunner) => Promise<T>) => ds.transaction((m) => work(m));

  const reportView = async (r: ReportRow, full: boolean) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    ticketNo: r.ticketNo,
    reply: r.reply,
    accountNo: r.accountNo,
    location: r.location,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(full
      ? {
          content: cipher.decrypt(r.contentEnc),
          contactMobile: r.contactMobileEnc ? maskMobile(cipher.decrypt(r.contactMobileEnc)) : null,
          photos: await reportPhotos(ds, r.id),
          timeline: await reportTimeline(ds, r.id),
        }
      : {}),
  });

  /** Sniffs, reads and strips each photo; nothing is stored until every photo passed. */
  const cleanPhotos = (files: Array<{ data: Buffer }>) =>
    files.map((file, i) => {
      let clean: ReturnType<typeof cleanImage>;
      try {
        clean = cleanImage(file.data);
      } catch (err) {
        if (!(err instanceof MalformedImageError)) throw err;
        throw new GridbusError('UNSUPPORTED_MEDIA_TYPE', `Photo ${i + 1} is a damaged ${err.kind} image`, { details: { photo: i + 1, reason: 'damaged image' } });
      }
      if (!clean) throw new GridbusError('UNSUPPORTED_MEDIA_TYPE', `Photo ${i + 1} is not a JPEG, PNG or WebP image (told by its content)`, { details: { photo: i + 1, allowed: ['image/jpeg', 'image/png', 'image/webp'] } });
      return clean;
    });

  return {
    name: 'power',
    actions: {
      /** GET /api/v1/me/real-name: whether the user is real-name certified, as Alipay last answered (a check, or an identity binding), masked. */
      realName: {
        params: { $$strict: true },
        async handler(ctx: Context<Record<string, never>, Meta>) {
          return currentRealName(ds, cipher, userOf(ctx));
        },
      },

      /** POST /api/v1/me/real-name: asks Alipay now (an auth code of the user's with the auth_user scope) and records the answer. */
      checkRealName: {
        params: { authCode: { type: 'string', min: 1, max: 128 }, $$strict: true },
        async handler(ctx: Context<{ authCode: string }, Meta>) {
          const userId = userOf(ctx);
          const grant = (await ctx.call('alipay.exchangeAuthCode', { authCode: ctx.params.authCode })) as { userId: string; accessToken: string };
          if (grant.userId !== userId) {
            audit(ctx, 'power.realName.checked', null, { reason: 'auth code of another Alipay user' }, 'denied');
            throw new GridbusError('FORBIDDEN', 'The Alipay authorisation belongs to another user than the one signed in', { details: { reason: 'auth code of another Alipay user' } });
          }
          const info = (await ctx.call('alipay.userInfo', { authToken: grant.accessToken })) as { userId: string; certNo: string | null; certType: string | null; userName: string | null; isCertified: boolean };
          const certified = Boolean(info.isCertified);
          await ds.query(
            `INSERT INTO power_real_name (user_id, certified, name_enc, cert_no_enc, cert_type, checked_at) VALUES ($1, $2, $3, $4, $5, now())
             ON CONFLICT (user_id) DO UPDATE SET certified = $2, name_enc = $3, cert_no_enc = $4, cert_type = $5, checked_at = now()`,
            [userId, certified, info.userName ? cipher.encrypt(info.userName) : null, info.certNo ? cipher.encrypt(info.certNo) : null, info.certType],
          );
          audit(ctx, 'power.realName.checked', null, { certified });
          return currentRealName(ds, cipher, userId);
        },
      },

      /** POST /api/v1/reports (multipart/form-data, a stream alias): a report with up to UPLOAD_MAX_PHOTOS photos, queued as a marketing ticket. */
      createReport: {
        // ctx.params is the request body as a stream (core/broker/strict-params.ts lets it through unchecked)
        stream: true,
        async handler(ctx: Context<Readable, Meta>) {
          const userId = userOf(ctx);
          // the route has no query or path parameters: any is an unknown field, as on every other action
          const unknown = Object.keys(ctx.meta.$params ?? {});
          if (unknown.length) {
            ctx.params.resume();
            throw new GridbusError('VALIDATION_FAILED', 'Request parameters are invalid', {
              details: { problems: unknown.slice(0, 10).map((f) => ({ field: f.slice(0, 40), type: 'unknown', message: `${f.slice(0, 40)} is not a parameter of this route` })) },
            });
          }
          const form = await readReportBody(ctx.params, limits);
          const fields = readReportForm(form);
          if (fields.accountNo) await requireBoundAccount(ctx, fields.accountNo, 'power.createReport', config.nodeId);
          const photos = cleanPhotos(form.files);
          const fromPhoto = photos.find((p) => p.location)?.location ?? null;
          const location = fields.location ? { ...fields.location, source: 'USER' as const } : fromPhoto ? { ...fromPhoto, source: 'PHOTO' as const } : null;

          const stored: string[] = [];
          let report: ReportRow;
          try {
            for (const p of photos) stored.push(await uploads.save(p.data, IMAGE_EXTENSIONS[p.type] as 'jpg' | 'png' | 'webp'));
            report = await inTransaction(async (tx) => {
              const row = await insertReport(tx, {
                userId,
                kind: fields.kind,
                contentEnc: cipher.encrypt(fields.content),
                accountNo: fields.accountNo,
                contactMobileEnc: fields.contactMobile ? cipher.encrypt(fields.contactMobile) : null,
                location,
                photos: photos.map((p, i) => ({ path: stored[i], mediaType: p.type, bytes: p.data.length, sha256: createHash('sha256').update(p.data).digest('hex') })),
              });
              await enqueueOutbox(tx, cipher, {
                operation: CREATE_TICKET_OPERATION,
                partitionKey: row.accountNo ?? row.serial,
                serial: row.serial,
                payload: {
                  kind: row.kind,
                  accountNo: row.accountNo,
                  content: fields.content,
                  contactMobile: fields.contactMobile,
                  photoCount: photos.length,
                  ...(location ? { location: { lat: location.lat, lng: location.lng } } : {}),
                },
                piiFields: ['content', 'contactMobile'],
              });
              return row;
            });
          } catch (err) {
            // no report kept, no file left behind
            await uploads.remove(stored);
            throw err;
          }
          audit(ctx, 'power.report.created', `report:${report.id}`, { kind: report.kind, photos: photos.length, locationSource: location?.source ?? null });
          ctx.meta.$statusCode = 201;
          return reportView(report, true);
        },
      },

      /** GET /api/v1/reports: the user's own reports, newest first. */
      listReports: {
        params: { $$strict: true },
        async handler(ctx: Context<Record<string, never>, Meta>) {
          const rows = await listUserReports(ds, userOf(ctx), LIST_LIMIT);
          return { reports: await Promise.all(rows.map((r) => reportView(r, false))) };
        },
      },

      /** GET /api/v1/reports/:id: one of the user's reports with its status timeline; anyone else's is not found. */
      getReport: {
        params: { id: ID, $$strict: true },
        async handler(ctx: Context<{ id: string }, Meta>) {
          const report = await findUserReport(ds, userOf(ctx), ctx.params.id);
          if (!report) throw new GridbusError('REPORT_NOT_FOUND', 'You have no report with this id');
          return reportView(report, true);
        },
      },

      /** GET /api/v1/points: the user's balance and newest ledger entries. */
      points: {
        params: { $$strict: true },
        async handler(ctx: Context<Record<string, never>, Meta>) {
          return pointsStatement(ds, userOf(ctx), LIST_LIMIT);
        },
      },

      /** GET /api/v1/points/catalogue: what points can be redeemed for now. */
      catalogue: {
        params: { $$strict: true },
        async handler() {
          const rows = (await ds.query(`SELECT item_id, name, description, cost, stock FROM points_catalogue WHERE active ORDER BY cost, item_id`)) as Array<{ item_id: string; name: string; description: string | null; cost: string; stock: number | null }>;
          return { items: rows.map((r) => ({ itemId: r.item_id, name: r.name, description: r.description, cost: Number(r.cost), inStock: r.stock === null || r.stock > 0 })) };
        },
      },

      /** POST /api/v1/points/redemptions: redeems an item, once per clientRequestId; never below zero. */
      redeem: {
        params: { itemId: ITEM_ID, clientRequestId: { type: 'string', pattern: /^[A-Za-z0-9._:-]{8,64}$/, messages: { stringPattern: 'clientRequestId is 8-64 letters, digits, dot, dash, colon or underscore' } }, $$strict: true },
        async handler(ctx: Context<{ itemId: string; clientRequestId: string }, Meta>) {
          const userId = userOf(ctx);
          const redemption = await inTransaction((tx) => redeemPoints(tx, { userId, itemId: ctx.params.itemId, clientRequestId: ctx.params.clientRequestId }));
          if (redemption.created) audit(ctx, 'power.points.redeemed', `points:${userId}`, { itemId: redemption.itemId, cost: redemption.cost, redemption: redemption.id });
          return redemption;
        },
      },

      /** GET /admin/api/points/:userId: a user's balance and ledger (operators, auditors). */
      adminPoints: {
        params: { userId: { type: 'string', min: 1, max: 128 }, limit: { type: 'number', integer: true, min: 1, max: 1000, optional: true, convert: true }, $$strict: true },
        async handler(ctx: Context<{ userId: string; limit?: number }, Meta>) {
          return { userId: ctx.params.userId, ...(await pointsStatement(ds, ctx.params.userId, ctx.params.limit ?? 200)) };
        },
      },

      /** GET /admin/api/points/catalogue: every item, withdrawn ones and stock included. */
      adminCatalogue: {
        params: { $$strict: true },
        async handler() {
          const rows = (await ds.query(`SELECT item_id, name, description, cost, stock, active, updated_at FROM points_catalogue ORDER BY item_id`)) as Array<{
            item_id: string;
            name: string;
            description: string | null;
            cost: string;
            stock: number | null;
            active: boolean;
            updated_at: Date;
          }>;
          return { items: rows.map((r) => ({ itemId: r.item_id, name: r.name, description: r.description, cost: Number(r.cost), stock: r.stock, active: r.active, updatedAt: new Date(r.updated_at).toISOString() })) };
        },
      },

      /** PUT /admin/api/points/catalogue/:itemId: creates or changes an item (operators; audited). */
      adminSaveCatalogueItem: {
        params: {
          itemId: ITEM_ID,
          name: { type: 'string', min: 1, max: 100, trim: true },
          description: { type: 'string', max: 500, optional: true, nullable: true },
          cost: { type: 'number', integer: true, min: 1, max: 1_000_000_000 },
          stock: { type: 'number', integer: true, min: 0, max: 1_000_000_000, optional: true, nullable: true },
          active: { type: 'boolean', optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ itemId: string; name: string; description?: string | null; cost: number; stock?: number | null; active?: boolean }, Meta>) {
          const p = ctx.params;
          await ds.query(
            `INSERT INTO points_catalogue (item_id, name, description, cost, stock, active) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (item_id) DO UPDATE SET name = $2, description = $3, cost = $4, stock = $5, active = $6, updated_at = now()`,
            [p.itemId, p.name, p.description ?? null, p.cost, p.stock ?? null, p.active ?? true],
          );
          audit(ctx, 'power.catalogue.saved', `catalogue:${p.itemId}`, { name: p.name, cost: p.cost, stock: p.stock ?? null, active: p.active ?? true });
          return { itemId: p.itemId, name: p.name, description: p.description ?? null, cost: p.cost, stock: p.stock ?? null, active: p.active ?? true };
        },
      },

      /** The report-status job: asks marketing.queryTicket about open reports and records each change. Internal: never routed. */
      syncReports: {
        visibility: 'public',
        params: { limit: { type: 'number', integer: true, min: 1, max: 1000, optional: true }, $$strict: true },
        async handler(ctx: Context<{ limit?: number }>) {
          const result = { asked: 0, changed: 0, failed: 0 };
          for (const open of await openReports(ds, ctx.params.limit ?? 100)) {
            result.asked++;
            let answer: { found: boolean; status: ReportStatus | null; reply: string | null; ticketNo: string | null };
            try {
              answer = (await ctx.call('marketing.queryTicket', { serial: open.serial })) as typeof answer;
            } catch {
              result.failed++;
              continue;
            }
            if (!answer.found || !answer.status) continue;
            const changed = await inTransaction(async (tx) => {
              const report = await lockReport(tx, open.id);
              if (!report || (report.status !== 'ACCEPTED' && report.status !== 'IN_PROGRESS')) return false;
              return recordReportStatus(tx, report, { status: answer.status!, reply: answer.reply ?? null, ticketNo: answer.ticketNo }, 'report-status job');
            });
            if (changed) result.changed++;
          }
          return result;
        },
      },
    },
    events: {
      /** An account switched to e-bills (services/electricity): points once per user and account. */
      async 'electricity.ebill.subscribed'(ctx: Context<{ userId?: string; accountNo?: string; subscribe?: boolean }>) {
        const { userId, accountNo } = ctx.params;
        if (!userId || !accountNo || ctx.params.subscribe === false) return;
        await inTransaction((tx) => earnPoints(tx, { userId, points: EARN_RULES.ebillSubscribed, reason: 'EBILL_SUBSCRIBED', sourceEvent: `ebill:${userId}:${accountNo}`, actor: 'electricity' }));
      },
    },
  };
}

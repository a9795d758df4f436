import { createHash } from 'crypto';
import { Context, ServiceActionsSchema } from 'moleculer';
import type { Readable } from 'stream';
import { maskMobile } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { enqueueOutbox } from '../../core/outbox/outbox-writer';
import { CREATE_TICKET_OPERATION } from '../../core/power/outbox-hooks';
import { findPhoto, findReport, findUserReport, insertReport, listReports, listUserReports, lockReport, openReports, recordReportStatus, ReportRow, ReportStatus, reportPhotos, reportTimeline } from '../../core/power/report-store';
import { cleanImage } from '../../core/uploads/clean-image';
import { MalformedImageError } from '../../core/uploads/malformed';
import { IMAGE_EXTENSIONS } from '../../core/uploads/sniff';
import { requireBoundAccount } from '../binding/ownership';
import { Meta, PowerContext } from './power-context';
import { readReportBody } from './report-body';
import { CONTENT_MAX, readReportForm } from './report-form';

const ID = { type: 'string', pattern: /^[1-9][0-9]{0,17}$/, messages: { stringPattern: 'id must be a positive integer' } };
const SEQ = { type: 'number', integer: true, min: 1, max: 100, convert: true };
const STATUSES: readonly ReportStatus[] = ['SUBMITTED', 'ACCEPTED', 'IN_PROGRESS', 'CLOSED', 'REFUSED'];
const LIST_LIMIT = 50;
/** What marketing.queryTicket may answer; anything else is not recorded. */
const TICKET_STATUSES: readonly ReportStatus[] = ['ACCEPTED', 'IN_PROGRESS', 'CLOSED'];

/** Sniffs, reads and strips each photo; nothing is stored until every photo passed. */
function cleanPhotos(files: Array<{ data: Buffer }>) {
  return files.map((file, i) => {
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
}

/** Illegal-use reports, feedback and complaints with photos, their tickets and status timeline (docs/power-services.md). */
export function reportActions(p: PowerContext): ServiceActionsSchema {
  const { ds, cipher, config, uploads, userOf, audit, inTransaction } = p;
  const limits = { fileBytes: config.uploads.maxPhotoBytes, files: config.uploads.maxPhotos, fieldBytes: CONTENT_MAX * 4 + 64, fields: 8 };

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

  /** Streams a stored photo with its sniffed type; never cached, never sniffed again by a browser. */
  const sendPhoto = async (ctx: Context<unknown, Meta & { $responseType?: string; $responseHeaders?: Record<string, string> }>, reportId: string, seq: number) => {
    const photo = await findPhoto(ds, reportId, seq);
    if (!photo) throw new GridbusError('NOT_FOUND', `Report ${reportId} has no photo ${seq}`);
    ctx.meta.$responseType = photo.mediaType;
    ctx.meta.$responseHeaders = { 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': `inline; filename="report-${reportId}-${seq}.${photo.path.split('.').pop()}"` };
    return uploads.open(photo.path);
  };

  return {
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

    /** GET /api/v1/reports/:id/photos/:seq: a photo of one of the user's reports, as stored (metadata stripped). */
    photo: {
      params: { id: ID, seq: SEQ, $$strict: true },
      async handler(ctx: Context<{ id: string; seq: number }, Meta>) {
        const report = await findUserReport(ds, userOf(ctx), ctx.params.id);
        if (!report) throw new GridbusError('REPORT_NOT_FOUND', 'You have no report with this id');
        return sendPhoto(ctx, report.id, ctx.params.seq);
      },
    },

    /** GET /admin/api/reports: reports, newest first, optionally of one status (operators, auditors). */
    adminListReports: {
      params: { status: { type: 'enum', values: [...STATUSES], optional: true }, limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true }, $$strict: true },
      async handler(ctx: Context<{ status?: ReportStatus; limit?: number }, Meta>) {
        const rows = await listReports(ds, ctx.params.status ?? null, ctx.params.limit ?? 100);
        return { reports: await Promise.all(rows.map(async (r) => ({ ...(await reportView(r, false)), userId: r.userId }))) };
      },
    },

    /** GET /admin/api/reports/:id: one report with its text, photos and timeline (operators, auditors; audited: personal data is read). */
    adminGetReport: {
      params: { id: ID, $$strict: true },
      async handler(ctx: Context<{ id: string }, Meta>) {
        const report = await findReport(ds, ctx.params.id);
        if (!report) throw new GridbusError('REPORT_NOT_FOUND', `No report ${ctx.params.id}`);
        audit(ctx, 'power.report.viewed', `report:${report.id}`);
        return { ...(await reportView(report, true)), userId: report.userId };
      },
    },

    /** GET /admin/api/reports/:id/photos/:seq: a photo, as stored (operators, auditors; audited). */
    adminPhoto: {
      params: { id: ID, seq: SEQ, $$strict: true },
      async handler(ctx: Context<{ id: string; seq: number }, Meta>) {
        const report = await findReport(ds, ctx.params.id);
        if (!report) throw new GridbusError('REPORT_NOT_FOUND', `No report ${ctx.params.id}`);
        audit(ctx, 'power.report.photo.viewed', `report:${report.id}`, { seq: ctx.params.seq });
        return sendPhoto(ctx, report.id, ctx.params.seq);
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
          if (!answer.found || !answer.status || !TICKET_STATUSES.includes(answer.status)) continue;
          try {
            const changed = await inTransaction(async (tx) => {
              const report = await lockReport(tx, open.id);
              if (!report || (report.status !== 'ACCEPTED' && report.status !== 'IN_PROGRESS')) return false;
              return recordReportStatus(tx, report, { status: answer.status!, reply: answer.reply ?? null, ticketNo: answer.ticketNo }, 'report-status job');
            });
            if (changed) result.changed++;
          } catch {
            // one report that cannot be recorded now is asked again at the next run; the others go on
            result.failed++;
          }
        }
        return result;
      },
    },
  };
}

import { createHash } from 'crypto';
import { DataSource } from 'typeorm';

/** What the life-number gateway emits (services/gateway/routes/alipay.route.ts, `lifenumber.user.event`). */
export interface LifeNumberEvent {
  eventType: string;
  fromUserId: string;
  createTime?: string | null;
  actionParam?: string | null;
  receivedAt?: string;
  requestId?: string | null;
}

export interface DailyFollows {
  date: string;
  follows: number;
  unfollows: number;
}

const FOLLOW_TYPES = new Set(['follow', 'unfollow']);
const EVENT_TYPE = /^[a-z_]{1,32}$/;
const ALIPAY_USER = /^[0-9A-Za-z_+/=-]{1,64}$/;

/** Alipay's CreateTime is epoch milliseconds; anything else falls back to when the bus received it. */
export function occurredAt(e: LifeNumberEvent): Date {
  const ms = e.createTime && /^[0-9]{10,16}$/.test(e.createTime) ? Number(e.createTime) : NaN;
  if (Number.isFinite(ms)) return new Date(ms);
  const received = e.receivedAt ? new Date(e.receivedAt) : new Date();
  return Number.isNaN(received.getTime()) ? new Date() : received;
}

/**
 * One key per event as Alipay sent it: a redelivery (same user, type, time
 * and parameter) is the same event. Without a CreateTime nothing tells a
 * redelivery apart, so the gateway request id keys it.
 */
export function dedupeKey(e: LifeNumberEvent): string {
  const identity = e.createTime ? `${e.fromUserId}|${e.eventType}|${e.createTime}|${e.actionParam ?? ''}` : `req|${e.requestId ?? ''}|${e.fromUserId}|${e.eventType}`;
  return createHash('sha256').update(identity).digest('hex');
}

/**
 * Life-number events per user: lifenumber_event (append-only, once per event)
 * and lifenumber_follow (the latest follow state; an older event arriving late
 * does not overwrite a newer one).
 */
export class FollowStore {
  constructor(private readonly ds: DataSource) {}

  /** Records the event; 'duplicate' for a redelivery, 'ignored' for an unusable one. */
  async record(e: LifeNumberEvent): Promise<'recorded' | 'duplicate' | 'ignored'> {
    if (!e || typeof e.eventType !== 'string' || typeof e.fromUserId !== 'string') return 'ignored';
    const eventType = e.eventType.toLowerCase();
    if (!EVENT_TYPE.test(eventType) || !ALIPAY_USER.test(e.fromUserId)) return 'ignored';
    const at = occurredAt(e);
    return this.ds.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO lifenumber_event (alipay_user_id, event_type, occurred_at, action_param, dedupe_key)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [e.fromUserId, eventType, at, e.actionParam ? String(e.actionParam).slice(0, 256) : null, dedupeKey({ ...e, eventType })],
      );
      if (!inserted.length) return 'duplicate';
      if (FOLLOW_TYPES.has(eventType)) {
        const following = eventType === 'follow';
        await tx.query(
          `INSERT INTO lifenumber_follow (alipay_user_id, following, changed_at, first_followed_at)
           VALUES ($1, $2, $3, CASE WHEN $2 THEN $3::timestamptz END)
           ON CONFLICT (alipay_user_id) DO UPDATE
             SET following = EXCLUDED.following, changed_at = EXCLUDED.changed_at,
                 first_followed_at = COALESCE(lifenumber_follow.first_followed_at, EXCLUDED.first_followed_at)
           WHERE lifenumber_follow.changed_at <= EXCLUDED.changed_at`,
          [e.fromUserId, following, at],
        );
      }
      return 'recorded';
    });
  }

  async follows(alipayUserId: string): Promise<boolean> {
    const rows: Array<{ following: boolean }> = await this.ds.query(`SELECT following FROM lifenumber_follow WHERE alipay_user_id = $1`, [alipayUserId]);
    return rows[0]?.following === true;
  }

  async followerCount(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM lifenumber_follow WHERE following`);
    return row.n;
  }

  /** Follows and unfollows per day in [from, to) in the time zone (days without events are there with zeros). */
  async daily(from: string, to: string, timeZone: string): Promise<DailyFollows[]> {
    const rows: Array<{ date: string; follows: number; unfollows: number }> = await this.ds.query(
      `SELECT to_char(d, 'YYYY-MM-DD') AS date,
              count(e.id) FILTER (WHERE e.event_type = 'follow')::int AS follows,
              count(e.id) FILTER (WHERE e.event_type = 'unfollow')::int AS unfollows
         FROM generate_series($1::date, $2::date - 1, interval '1 day') AS d
         LEFT JOIN lifenumber_event e
           ON e.event_type IN ('follow', 'unfollow') AND (e.occurred_at AT TIME ZONE $3)::date = d::date
        GROUP BY d ORDER BY d`,
      [from, to, timeZone],
    );
    return rows;
  }
}

import { DataSource } from 'typeorm';

export type OutagePhase = 'ONGOING' | 'UPCOMING' | 'ENDED';

export interface OutageBulletin {
  bulletinId: string;
  areaCode: string;
  areaName: string;
  startsAt: string;
  endsAt: string;
  kind: 'PLANNED' | 'FAULT';
  reason: string;
  scope: string;
  issuedAt: string;
  /** Where the outage stands at the time of the answer. */
  phase: OutagePhase;
}

interface Row {
  bulletin_id: string;
  area_code: string;
  area_name: string;
  starts_at: Date;
  ends_at: Date;
  kind: 'PLANNED' | 'FAULT';
  reason: string;
  scope: string;
  issued_at: Date;
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Outage bulletins (table outage_bulletin), as the import left them. */
export class OutageStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Bulletins whose outage overlaps [from, to), earliest first. `area` of
   * digits is an area code or its prefix (3301 finds every district of
   * 330100); other text is part of the area name (西湖).
   */
  async find(opts: { area?: string; from: Date; to: Date; now: Date }): Promise<OutageBulletin[]> {
    const area = opts.area ?? null;
    const byCode = area !== null && /^[0-9]+$/.test(area);
    const rows: Row[] = await this.ds.query(
      `SELECT bulletin_id, area_code, area_name, starts_at, ends_at, kind, reason, scope, issued_at FROM outage_bulletin
        WHERE starts_at < $2 AND ends_at > $1
          AND ($3::text IS NULL OR ($4 AND area_code LIKE $3 || '%') OR (NOT $4 AND area_name LIKE '%' || $3 || '%'))
        ORDER BY starts_at, bulletin_id LIMIT 500`,
      [opts.from, opts.to, area === null ? null : likeEscape(area), byCode],
    );
    const now = opts.now.getTime();
    return rows.map((r) => ({
      bulletinId: r.bulletin_id,
      areaCode: r.area_code,
      areaName: r.area_name,
      startsAt: r.starts_at.toISOString(),
      endsAt: r.ends_at.toISOString(),
      kind: r.kind,
      reason: r.reason,
      scope: r.scope,
      issuedAt: r.issued_at.toISOString(),
      phase: r.ends_at.getTime() <= now ? 'ENDED' : r.starts_at.getTime() <= now ? 'ONGOING' : 'UPCOMING',
    }));
  }
}

import { DataSource } from 'typeorm';
import { GridbusError } from '../errors';
import { isOpenAt, normaliseHours, OpeningInterval } from './opening-hours';

/** What an editor writes (POST /admin/api/outlets, PUT …/:id). */
export interface OutletInput {
  name: string;
  address: string;
  phone?: string | null;
  lat: number;
  lng: number;
  hours: OpeningInterval[];
  services?: string[];
  active?: boolean;
}

export interface Outlet {
  id: string;
  name: string;
  address: string;
  phone: string | null;
  lat: number;
  lng: number;
  hours: OpeningInterval[];
  services: string[];
  active: boolean;
  /** Open at the time of the answer, in Asia/Shanghai time. */
  openNow: boolean;
  version: number;
}

interface Row {
  id: string;
  name: string;
  address: string;
  phone: string | null;
  lat: number;
  lng: number;
  hours: OpeningInterval[];
  services: string[];
  active: boolean;
  version: number;
  distance_km?: number;
}

const EARTH_RADIUS_KM = 6371.0088;
/** Kilometres per degree of latitude: the band that may hold outlets within the radius. */
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
const COLUMNS = 'id::text AS id, name, address, phone, lat, lng, hours, services, active, version';

function toOutlet(r: Row, now: Date): Outlet {
  const hours = r.hours.map(({ weekday, opens, closes }) => ({ weekday, opens, closes }));
  return { id: r.id, name: r.name, address: r.address, phone: r.phone, lat: r.lat, lng: r.lng, hours, services: r.services, active: r.active, openNow: r.active && isOpenAt(hours, now), version: r.version };
}

/** Business outlets (table outlet): found by great-circle distance from a point. */
export class OutletStore {
  constructor(private readonly ds: DataSource) {}

  /** Active outlets within `radiusKm` of the point, nearest first, with their distance (haversine, in SQL). */
  async near(opts: { lat: number; lng: number; radiusKm: number; limit: number; now?: Date }): Promise<Array<Outlet & { distanceKm: number }>> {
    const rows: Row[] = await this.ds.query(
      `SELECT * FROM (
         SELECT ${COLUMNS}, ${EARTH_RADIUS_KM} * 2 * asin(sqrt(
             power(sin(radians(lat - $1) / 2), 2) + cos(radians($1)) * cos(radians(lat)) * power(sin(radians(lng - $2) / 2), 2))) AS distance_km
           FROM outlet WHERE active AND lat BETWEEN $1 - $5 AND $1 + $5) o
       WHERE distance_km <= $3 ORDER BY distance_km, id LIMIT $4`,
      [opts.lat, opts.lng, opts.radiusKm, opts.limit, opts.radiusKm / KM_PER_DEGREE],
    );
    const now = opts.now ?? new Date();
    return rows.map((r) => ({ ...toOutlet(r, now), distanceKm: Math.round(Number(r.distance_km) * 1000) / 1000 }));
  }

  async list(): Promise<Outlet[]> {
    const rows: Row[] = await this.ds.query(`SELECT ${COLUMNS} FROM outlet ORDER BY id`);
    const now = new Date();
    return rows.map((r) => toOutlet(r, now));
  }

  async create(input: OutletInput, actor: string): Promise<Outlet> {
    const [row] = await this.ds.query(
      `INSERT INTO outlet (name, address, phone, lat, lng, hours, services, active, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $9) RETURNING ${COLUMNS}`,
      [...this.values(input), actor],
    );
    return toOutlet(row, new Date());
  }

  /** Replaces the outlet if it is still at `version`. */
  async update(id: string, version: number, input: OutletInput, actor: string): Promise<Outlet> {
    const rows: Row[] = await this.ds.query(
      `WITH u AS (
         UPDATE outlet SET name = $3, address = $4, phone = $5, lat = $6, lng = $7, hours = $8::jsonb, services = $9, active = $10,
           updated_by = $11, updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2 RETURNING *)
       SELECT ${COLUMNS} FROM u`,
      [id, version, ...this.values(input), actor],
    );
    if (rows.length) return toOutlet(rows[0], new Date());
    const [row] = await this.ds.query('SELECT version FROM outlet WHERE id = $1', [id]);
    if (!row) throw new GridbusError('OUTLET_NOT_FOUND', `No outlet ${id}`, { details: { id } });
    throw new GridbusError('CONTENT_VERSION_CONFLICT', `Outlet ${id} was changed since you read it (now version ${row.version}): read it again and redo the change`, {
      details: { id, currentVersion: row.version },
    });
  }

  private values(input: OutletInput): unknown[] {
    return [input.name, input.address, input.phone ?? null, input.lat, input.lng, JSON.stringify(normaliseHours(input.hours)), [...new Set(input.services ?? [])], input.active ?? true];
  }
}

import { CanonicalDailyReading, upsertDailyReadings } from '../../collection/meter-reading-store';
import { RecordSink } from '../contract';

/** Daily meter readings of the collection system, stored once per meter point and day. */
export const DAILY_READINGS: RecordSink = {
  name: 'daily-readings',
  service: 'collection',
  input: 'records',
  description: 'daily readings { meterPointId, dataDate, readingTotal, ... } into meter_daily_reading',
  async write(ds, records) {
    await upsertDailyReadings(
      ds,
      records.map((r) => ({ reading: r.record as unknown as CanonicalDailyReading, topic: r.topic, partition: r.partition, offset: r.offset })),
    );
  },
};

export {
  AccessBatch,
  AccessEvent,
  AccessEventRow,
  AccessOutcome,
  ACCESS_BATCH_EVENT,
  ACCESS_EVENT_FIELDS,
  STATISTICS_GROUP,
  batchOf,
  eventsOf,
  outcomeOf,
} from './access-event';
export { AccessEventStore, AccessGroup, AccessGroupBy, AccessQuery } from './access-event-store';
export { ACCESS_GROUP_BY, ISO_INSTANT, MAX_RANGE_DAYS, parseAccessQuery } from './access-query';

import { ChannelSink } from '../contract';
import { DAILY_READINGS } from './daily-readings';
import { RECONCILIATION_RECORDS } from './reconciliation-records';
import { OUTAGE_BULLETINS } from '../../content/outage-sink';

/**
 * The canonical targets a channel may feed, by the name a definition's
 * `sink:` uses. A new one (bills issued, outage bulletins) is one file here
 * and one line in this list.
 */
export const SINKS: ReadonlyMap<string, ChannelSink> = new Map([RECONCILIATION_RECORDS, DAILY_READINGS, OUTAGE_BULLETINS].map((s) => [s.name, s]));

import { ChannelKind } from '../contract';
import { KAFKA_CHANNEL } from './kafka-channel';
import { SFTP_CHANNEL } from './sftp-channel';

/** Every kind of channel, by the `kind:` of a definition. */
export const CHANNEL_KINDS: ReadonlyMap<string, ChannelKind> = new Map([SFTP_CHANNEL, KAFKA_CHANNEL].map((k) => [k.kind, k]));

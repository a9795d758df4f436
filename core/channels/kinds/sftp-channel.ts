import { PostgresIdempotentRepository, SftpConsumer, SftpConsumerOptions } from '../../../adapters/sftp';
import { GridbusError } from '../../errors';
import { ChannelKind, FileSink } from '../contract';
import { withoutEmpty } from './options';

/** `sftp://user@host[:port]/directory` into the adapter's connection options. */
function fromUrl(text: string, channel: string): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GridbusError('CONFIG_INVALID', `channel ${channel}: endpoint.url '${text}' is not a URL: write sftp://user@host[:port]/directory`);
  }
  if (url.protocol !== 'sftp:' || !url.username || !url.hostname) {
    throw new GridbusError('CONFIG_INVALID', `channel ${channel}: endpoint.url must be sftp://user@host[:port]/directory`);
  }
  return {
    host: url.hostname,
    port: Number(url.port || 22),
    username: decodeURIComponent(url.username),
    directory: decodeURIComponent(url.pathname) || '.',
  };
}

/**
 * A file drop: the SFTP consumer (Camel's file semantics, options under
 * Camel's names) hands each file to the sink with the layout of the active
 * release; files done are remembered in PostgreSQL.
 */
export const SFTP_CHANNEL: ChannelKind = {
  kind: 'sftp',
  sinkInput: 'file',
  reads: 'layout',
  create(channel, deps) {
    const sink = channel.sink as FileSink;
    const { url, ...parts } = withoutEmpty(channel.endpoint);
    const connection = url === undefined ? parts : { ...parts, ...fromUrl(String(url), channel.name) };
    const options = { ...connection, ...withoutEmpty(channel.options) } as unknown as SftpConsumerOptions;
    const consumer = new SftpConsumer(options, {
      repository: new PostgresIdempotentRepository(deps.dataSource),
      logger: deps.logger,
      handler: async (body, file) => {
        deps.logger.info(await sink.write(deps.dataSource, deps.layout(), body, file));
      },
    });
    return {
      adapterId: consumer.id,
      start: () => consumer.start(),
      stop: () => consumer.stop(),
      health: () => consumer.health(),
      metrics: () => consumer.metrics(),
      poll: () => consumer.poll(),
    };
  },
};

/** The SFTP adapter's public surface (docs/adapters/sftp.md). */
export { SftpConsumer, SftpConsumerDeps, SftpConsumerMetrics, SftpFileHandler, SftpFileMetadata, SftpPollResult } from './sftp-consumer';
export { SftpProducer, SftpProducerDeps, SftpProducerMetrics, SftpPutResult } from './sftp-producer';
export { SftpConsumerOptions, SftpProducerOptions, SftpConnectionOptions, SftpLogger, resolveConsumerOptions, resolveProducerOptions } from './sftp-options';
export { IdempotentRepository, MemoryIdempotentRepository, FileKey, FileRecord, FileState, FileOutcome, fileKeyString } from './idempotent-repository';
export { PostgresIdempotentRepository } from './pg-idempotent-repository';
export { ReadLockStrategy, ChangedReadLock, NoReadLock, Clock, ListedFile } from './read-lock';
export { SocketFactory, noDelaySocket } from './sftp-connection';
export { SftpFailureReason } from './sftp-errors';

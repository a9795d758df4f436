/** In-memory counters of one consumer, for the lead to expose as metrics. */
export interface KafkaConsumerCounters {
  /** Records taken from Kafka. */
  consumed: number;
  /** Records the handler completed. */
  handled: number;
  /** Records published to the dead-letter topic (malformed ones included). */
  deadLettered: number;
  /** Records whose value could not be parsed (not JSON) or that the handler's decode() refused. */
  malformed: number;
  /** Records the handler's decode() skipped (done without the handler). */
  skipped: number;
  /** Handler attempts that failed and were retried. */
  retries: number;
  /** handleBatch() calls that succeeded. */
  batches: number;
  /** Failed batches split into single records to isolate the bad one. */
  batchSplits: number;
  /** Failed attempts to publish to the dead-letter topic (each retried). */
  deadLetterErrors: number;
  /** Offset commits confirmed (one per partition and commit). */
  commits: number;
  commitErrors: number;
  rebalances: number;
  pollErrors: number;
  /** Records fetched but not started when their partition was revoked or the consumer stopped (re-read later). */
  dropped: number;
  /** Partitions paused in librdkafka by backpressure (each partition counts). */
  pauses: number;
  resumes: number;
}

export interface KafkaConsumerMetrics extends KafkaConsumerCounters {
  /** Records taken from Kafka and not yet done. */
  inFlight: number;
  /** Highest in-flight count seen. */
  maxInFlightObserved: number;
  /** The overall bound is reached: every partition is paused. */
  paused: boolean;
  /** Assigned partitions paused right now (their share or the overall bound is used up). */
  pausedPartitions: number;
  /** Same as `pauses` / `resumes`. */
  pausedCount: number;
  resumedCount: number;
  assignedPartitions: number;
}

export function zeroCounters(): KafkaConsumerCounters {
  return {
    consumed: 0,
    handled: 0,
    deadLettered: 0,
    malformed: 0,
    skipped: 0,
    retries: 0,
    batches: 0,
    batchSplits: 0,
    deadLetterErrors: 0,
    commits: 0,
    commitErrors: 0,
    rebalances: 0,
    pollErrors: 0,
    dropped: 0,
    pauses: 0,
    resumes: 0,
  };
}

/**
 * The one error vocabulary of the bus. A code never changes meaning once
 * published: clients, mappings and dashboards key on it. The HTTP status is
 * applied once, at the gateway.
 */
export const ERROR_CODES = {
  // request problems (4xx)
  /** The request could not be read: not HTTP, bad JSON, too deep, a bad path or query, a body that does not inflate as its Content-Encoding says. */
  MALFORMED_REQUEST: { status: 400, retryable: false },
  /**
   * The parameters were read but are not acceptable: a field the action does not take, a wrong type or range,
   * a prototype key (`__proto__`, `constructor`, `prototype`) or a NUL character. `details.problems` names
   * each field (`{ field, type, message, expected? }`), never the value sent, a node or an internal action.
   */
  VALIDATION_FAILED: { status: 422, retryable: false },
  UNAUTHORIZED: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  ACCOUNT_NOT_FOUND: { status: 404, retryable: false },
  /** Binding by identity needs an Alipay user who completed real-name certification. */
  IDENTITY_NOT_CERTIFIED: { status: 403, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  /** A body's media type, charset or Content-Encoding (only identity, gzip, deflate) is not accepted. */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  /** The client address sent too many requests too fast and is banned for a while (Retry-After says how long). */
  IP_BANNED: { status: 429, retryable: true },
  /** Too many request headers, or too large (the gateway's header flood limits). */
  REQUEST_HEADER_FIELDS_TOO_LARGE: { status: 431, retryable: false },
  // back-office problems (5xx)
  BACKEND_FAULT: { status: 502, retryable: false },
  BACKEND_BAD_RESPONSE: { status: 502, retryable: false },
  BACKEND_UNAVAILABLE: { status: 503, retryable: true },
  BACKEND_TIMEOUT: { status: 504, retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, retryable: true },
  // our own problems
  MAPPING_INVALID: { status: 500, retryable: false },
  /**
   * A mapping release was recorded but at least one node refused to switch to it (it cannot compile it with its
   * own variables or systems): `details.nodes` gives every node's answer, `details.version` the release. A 409
   * (the release conflicts with a node's configuration), not a 5xx: the operator needs the details, which 5xx hide.
   */
  MAPPING_NOT_ACTIVE: { status: 409, retryable: false },
  CONFIG_INVALID: { status: 500, retryable: false },
  /** A job's schedule was refused (a cron expression node-cron does not parse, an unknown time zone): the message names the job. */
  JOB_SCHEDULE_INVALID: { status: 422, retryable: false },
  /** No scheduled job of that name is registered (`gridbus jobs list` names them). */
  JOB_NOT_FOUND: { status: 404, retryable: false },
  /** A job run's write was refused: its lease (fencing token) was taken over by another node. */
  JOB_LEASE_LOST: { status: 409, retryable: false },
  /** A run-now found the job running (another run holds its lease). */
  JOB_BUSY: { status: 409, retryable: true },
  /** No outbox row has that id (`gridbus outbox dead` lists them). */
  OUTBOX_ROW_NOT_FOUND: { status: 404, retryable: false },
  /** The outbox row is in a state the action does not apply to (a delivered row cannot be discarded); `details.status` says which. */
  OUTBOX_ROW_SETTLED: { status: 409, retryable: false },
  /** A backup archive was refused before anything was written: damaged, truncated, another key, or another schema; the message names the fault. */
  BACKUP_INVALID: { status: 422, retryable: false },
  /** A restore's target database already has tables: a backup is restored only into an empty database. */
  BACKUP_TARGET_NOT_EMPTY: { status: 409, retryable: false },
  /** The SFTP drop (BACKUP_SFTP_URL) refused the connection or the upload; the archive was kept in VAR_DIR/backups. */
  BACKUP_UPLOAD_FAILED: { status: 502, retryable: true },
  // the money path (services/payment, marketing.writeOff / reverseWriteOff)
  /** The marketing system refused a write-off or reversal because the amount does not match what the account owes or what was paid. */
  PAYMENT_AMOUNT_MISMATCH: { status: 422, retryable: false },
  /** The account is closed (销户) in the marketing system: nothing can be paid or written off on it. */
  ACCOUNT_CLOSED: { status: 409, retryable: false },
  /** A reversal names an original serial the marketing system never posted. */
  ORIGINAL_PAYMENT_NOT_FOUND: { status: 404, retryable: false },
  /** The marketing system does not allow this reversal (for example not on the day of the payment): an operator settles it. */
  REVERSAL_NOT_ALLOWED: { status: 409, retryable: false },
  /** No payment order of this user has that id (someone else's order answers the same). */
  ORDER_NOT_FOUND: { status: 404, retryable: false },
  /** The order's state does not allow the action (refund of an unpaid order, ...); `details.state` says which state. */
  ORDER_STATE_CONFLICT: { status: 409, retryable: false },
  /** The account owes nothing now: there is no bill to pay. */
  NOTHING_TO_PAY: { status: 409, retryable: false },
  /** The amount asked is more than the account owes. */
  AMOUNT_EXCEEDS_ARREARS: { status: 422, retryable: false },
  /** A refund asks for more than is left of the payment. */
  REFUND_EXCEEDS_PAID: { status: 422, retryable: false },
  /** The same Idempotency-Key was sent with another request body. */
  IDEMPOTENCY_KEY_REUSED: { status: 422, retryable: false },
  /** Alipay refused the trade call (its sub_code is in details.subCode); nothing was charged. */
  PAYMENT_REFUSED: { status: 502, retryable: false },
  // binding and users (services/binding, services/users; issue 12)
  /** A manual binding's holder check failed: the marketing system says the name or ID digits given are not the holder's. Counts toward TOO_MANY_ATTEMPTS. */
  HOLDER_MISMATCH: { status: 422, retryable: false },
  /** Too many failed holder checks of this account by this user in the window (`details.retryAfterS`); audited. */
  TOO_MANY_ATTEMPTS: { status: 429, retryable: true },
  /** A binding limit is reached: `details.limit` names it (accountsPerUser or usersPerAccount), `details.max` its value. */
  BINDING_LIMIT_REACHED: { status: 409, retryable: false },
  // the marketing system's plate operations (marketing.getBill, ...)
  /** The marketing system has no bill of this account for the month asked. */
  BILL_NOT_FOUND: { status: 404, retryable: false },
  // power services (services/power; issue 12)
  /** No report of this user has that id (someone else's report answers the same). */
  REPORT_NOT_FOUND: { status: 404, retryable: false },
  /** The points balance does not cover the redemption: `details.balance` and `details.cost`; nothing was taken. */
  POINTS_INSUFFICIENT: { status: 409, retryable: false },
  /** No catalogue item has that id, or it is withdrawn (users see both the same). */
  CATALOGUE_ITEM_NOT_FOUND: { status: 404, retryable: false },
  /** The catalogue item is out of stock. */
  CATALOGUE_ITEM_OUT_OF_STOCK: { status: 409, retryable: false },
  // public information and smart electricity (services/content; issue 12)
  /** No article with this id is published now (a draft, a retired one or one outside its publish window answers the same to users). */
  CONTENT_NOT_FOUND: { status: 404, retryable: false },
  /** The article or outlet was changed since the version the editor read: `details.currentVersion`; read it again and redo the change. */
  CONTENT_VERSION_CONFLICT: { status: 409, retryable: false },
  /** No business outlet has this id. */
  OUTLET_NOT_FOUND: { status: 404, retryable: false },
  INTERNAL: { status: 500, retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

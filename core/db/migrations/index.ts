import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { SftpIdempotentRepository1764200000000 } from './1764200000000-sftp-idempotent-repository';
import { MappingReleases1764200001000 } from './1764200001000-mapping-releases';
import { MessageLog1764200002000 } from './1764200002000-message-log';
import { FileRecords1764200003000 } from './1764200003000-file-records';
import { MeterReadings1764200004000 } from './1764200004000-meter-readings';
import { OperatorsAndSessions1764300001000 } from './1764300001000-operators-and-sessions';
import { AlipayNotifications1764300000000 } from './1764300000000-alipay-notifications';
import { AccountBindings1764400000000 } from './1764400000000-account-bindings';
import { AccessEvents1764500000000 } from './1764500000000-access-events';
import { LoginThrottle1764600000000 } from './1764600000000-login-throttle';
import { SftpIdempotentKey1764700090000 } from './1764700090000-sftp-idempotent-key';
import { ScheduledJobs1764800000000 } from './1764800000000-scheduled-jobs';
import { AccessDaily1764800001000 } from './1764800001000-access-daily';
import { Outbox1764800100000 } from './1764800100000-outbox';
import { PaymentOrders1764900000000 } from './1764900000000-payment-orders';
import { OutboxInDoubt1765000000000 } from './1765000000000-outbox-in-doubt';
import { Electricity1765100000000 } from './1765100000000-electricity';
import { Content1765200000000 } from './1765200000000-content';
import { PowerServices1765300000000 } from './1765300000000-power-services';
import { UsersAndBindingLimits1765400000000 } from './1765400000000-users-and-binding-limits';

/** In order. A migration, once on main, is never edited: add a new one. */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  SftpIdempotentRepository1764200000000,
  MappingReleases1764200001000,
  MessageLog1764200002000,
  FileRecords1764200003000,
  MeterReadings1764200004000,
  AlipayNotifications1764300000000,
  OperatorsAndSessions1764300001000,
  AccountBindings1764400000000,
  AccessEvents1764500000000,
  LoginThrottle1764600000000,
  SftpIdempotentKey1764700090000,
  ScheduledJobs1764800000000,
  AccessDaily1764800001000,
  Outbox1764800100000,
  PaymentOrders1764900000000,
  OutboxInDoubt1765000000000,
  Electricity1765100000000,
  Content1765200000000,
  PowerServices1765300000000,
  UsersAndBindingLimits1765400000000,
];

import { ServiceSchema } from 'moleculer';
import { createAlipayService } from './alipay/alipay.service';
import { createAuditService } from './audit/audit.service';
import { createAuthService } from './auth/auth.service';
import { createCollectionService } from './collection/collection.service';
import { createBillingService } from './billing/billing.service';
import { createBindingService } from './binding/binding.service';
import { createGatewayService } from './gateway/gateway.service';
import { createMappingService } from './mapping/mapping.service';
import { createMarketingService } from './marketing/marketing.service';
import { createOutboxService } from './outbox/outbox.service';
import { createPaymentService } from './payment/payment.service';
import { createReconcileService } from './reconcile/reconcile.service';
import { createSchedulerService } from '../scheduler/scheduler.service';
import { ServiceDeps } from './service-deps';
import { createSmsService } from './sms/sms.service';
import { createStatisticsService } from './statistics/statistics.service';
import { createElectricityService } from './electricity/electricity.service';
import { createContentService } from './content/content.service';
import { createPowerService } from './power/power.service';
import { createUsersService } from './users/users.service';
import { createUsercenterService } from './users/usercenter.service';

export interface ServiceEntry {
  create(deps: ServiceDeps): ServiceSchema;
  needsDatabase?: boolean;
  /** Encrypts or reads personal data at rest: the node needs the PII keys (PII_ENC_KEY, PII_HASH_KEY). */
  needsPii?: boolean;
  /** Back-office systems whose canonical operations this service serves. */
  servesSystem?: string;
}

/** Every service a node can run, by the name SERVICES / --services uses. */
export const SERVICE_CATALOG: Record<string, ServiceEntry> = {
  gateway: { create: createGatewayService },
  billing: { create: createBillingService },
  marketing: { create: createMarketingService, servesSystem: 'marketing' },
  audit: { create: createAuditService, needsDatabase: true },
  auth: { create: createAuthService, needsDatabase: true },
  alipay: { create: createAlipayService },
  mapping: { create: createMappingService, needsDatabase: true },
  sms: { create: createSmsService, servesSystem: 'sms' },
  reconcile: { create: createReconcileService, needsDatabase: true },
  collection: { create: createCollectionService, needsDatabase: true },
  payment: { create: createPaymentService, needsDatabase: true },
  binding: { create: createBindingService, needsDatabase: true, needsPii: true },
  statistics: { create: createStatisticsService, needsDatabase: true },
  outbox: { create: createOutboxService, needsDatabase: true, needsPii: true },
  scheduler: { create: createSchedulerService, needsDatabase: true },
  // the life-number plates (issue 12)
  electricity: { create: createElectricityService, needsDatabase: true, needsPii: true },
  content: { create: createContentService, needsDatabase: true },
  power: { create: createPowerService, needsDatabase: true, needsPii: true },
  users: { create: createUsersService, needsDatabase: true, needsPii: true },
  usercenter: { create: createUsercenterService, servesSystem: 'usercenter' },
};

export function resolveServiceNames(requested: string[] | null): string[] {
  if (requested === null) return Object.keys(SERVICE_CATALOG);
  const unknown = requested.filter((n) => !SERVICE_CATALOG[n]);
  if (unknown.length) {
    throw new Error(`Invalid configuration: SERVICES names unknown service(s) ${unknown.join(', ')}; known: ${Object.keys(SERVICE_CATALOG).join(', ')}`);
  }
  return [...new Set(requested)];
}

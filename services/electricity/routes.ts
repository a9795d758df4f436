import { RouteSet } from '../gateway/routes/route-set';

/** User routes under /api/v1 (user JWT): my electricity, for the accounts bound to the caller (docs/electricity.md). */
export const apiRoutes: RouteSet = {
  aliases: {
    'GET accounts/:accountNo/bills': 'electricity.bills',
    'GET accounts/:accountNo/bills/:billMonth': 'electricity.bill',
    'GET accounts/:accountNo/usage/daily': 'electricity.dailyUsage',
    'GET accounts/:accountNo/usage/monthly': 'electricity.monthlyUsage',
    'GET accounts/:accountNo/balance': 'electricity.balance',
    'PUT accounts/:accountNo/balance/threshold': 'electricity.setThreshold',
    'GET accounts/:accountNo/payment-records': 'electricity.paymentRecords',
    'GET accounts/:accountNo/ebill': 'electricity.ebill',
    'PUT accounts/:accountNo/ebill': 'electricity.setEbill',
  },
  // the usage series and the e-bill change (outbox) need no back office at the time of the call
  dependsOn: {
    'electricity.bills': ['marketing.listBills'],
    'electricity.bill': ['marketing.getBill'],
    'electricity.balance': ['marketing.getBalance'],
    'electricity.paymentRecords': ['marketing.listPayments'],
    'electricity.ebill': ['marketing.getEBillSubscription'],
  },
};

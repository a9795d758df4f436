import { expect } from 'chai';
import { BookedPayment, BusPayment, mergePaymentRecords } from '../../../../core/electricity/payment-records';

const bus = (outTradeNo: string, state: string, paidAt: string, amountFen = 1000, refundedFen = 0): BusPayment => ({ outTradeNo, state, paidAt, amountFen, refundedFen });
const booked = (serial: string, paidAt: string, status: 'POSTED' | 'REVERSED' = 'POSTED', channel = 'ALIPAY', amountFen = 1000): BookedPayment => ({ serial, paidAt, status, channel, amountFen });

describe('electricity payment records - the bus orders merged with what the marketing system booked', () => {
  it('merge - a payment both know (serial = out_trade_no) is one record from both, counted once', () => {
    const records = mergePaymentRecords([bus('P1', 'WRITTEN_OFF', '2026-03-02T10:00:00+08:00', 32955)], [booked('P1', '2026-03-02T10:00:05+08:00', 'POSTED', 'ALIPAY', 32955), booked('C9', '2026-02-01T09:00:00+08:00', 'POSTED', 'COUNTER', 5000)]);
    expect(records).to.deep.equal([
      { serial: 'P1', amountFen: 32955, paidAt: '2026-03-02T10:00:00+08:00', channel: 'ALIPAY', source: 'both', status: 'POSTED', orderState: 'WRITTEN_OFF', bookedStatus: 'POSTED', refundedFen: 0 },
      { serial: 'C9', amountFen: 5000, paidAt: '2026-02-01T09:00:00+08:00', channel: 'COUNTER', source: 'marketing', status: 'POSTED', orderState: null, bookedStatus: 'POSTED', refundedFen: 0 },
    ]);
    expect(records.reduce((s, r) => s + r.amountFen, 0)).to.equal(37955);
  });

  it('merge - a payment only the bus knows says where it stands: POSTING, NOT_POSTED, REFUNDED, POSTED', () => {
    const records = mergePaymentRecords(
      [bus('P1', 'PAID', '2026-03-04T10:00:00Z'), bus('P2', 'SUSPECT', '2026-03-03T10:00:00Z'), bus('P3', 'PARKED', '2026-03-02T10:00:00Z'), bus('P4', 'REFUNDED', '2026-03-01T10:00:00Z', 1000, 1000), bus('P5', 'WRITTEN_OFF', '2026-02-28T10:00:00Z')],
      [],
    );
    expect(records.map((r) => [r.serial, r.status, r.source, r.channel, r.bookedStatus])).to.deep.equal([
      ['P1', 'POSTING', 'life-number', 'ALIPAY', null],
      ['P2', 'POSTING', 'life-number', 'ALIPAY', null],
      ['P3', 'NOT_POSTED', 'life-number', 'ALIPAY', null],
      ['P4', 'REFUNDED', 'life-number', 'ALIPAY', null],
      ['P5', 'POSTED', 'life-number', 'ALIPAY', null],
    ]);
    expect(records[3].refundedFen).to.equal(1000);
  });

  it('merge - a reversed booking of a refunded order stays one record, status REVERSED from the marketing system', () => {
    const records = mergePaymentRecords([bus('P1', 'REFUNDED', '2026-03-01T10:00:00+08:00', 2000, 2000)], [booked('P1', '2026-03-01T10:00:01+08:00', 'REVERSED')]);
    expect(records).to.have.length(1);
    expect(records[0]).to.include({ source: 'both', status: 'REVERSED', orderState: 'REFUNDED', bookedStatus: 'REVERSED', amountFen: 2000, refundedFen: 2000 });
  });

  it('merge - newest first by instant, whatever the offsets; the same instant by serial', () => {
    const records = mergePaymentRecords([bus('B', 'PAID', '2026-03-01T02:00:00Z')], [booked('A', '2026-03-01T10:00:00+08:00'), booked('C', '2026-03-01T09:30:00+08:00')]);
    expect(records.map((r) => r.serial)).to.deep.equal(['A', 'B', 'C']);
  });
});

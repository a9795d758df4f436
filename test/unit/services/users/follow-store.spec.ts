import { expect } from 'chai';
import { dedupeKey, occurredAt } from '../../../../services/users/follow-store';

const event = { eventType: 'follow', fromUserId: '2088100000000001', createTime: '1764918000000', actionParam: null, receivedAt: '2026-12-05T07:00:00.000Z', requestId: 'r1' };

describe('users - life-number events: when and which', () => {
  it("users - an event happened at Alipay's CreateTime (epoch milliseconds), else when the bus received it", () => {
    expect(occurredAt(event).toISOString()).to.equal(new Date(1764918000000).toISOString());
    expect(occurredAt({ ...event, createTime: 'yesterday' }).toISOString()).to.equal('2026-12-05T07:00:00.000Z');
    expect(occurredAt({ ...event, createTime: null }).toISOString()).to.equal('2026-12-05T07:00:00.000Z');
  });

  it('users - a redelivery (same user, type, time, parameter) has the same key whatever request carried it', () => {
    expect(dedupeKey({ ...event, requestId: 'r2', receivedAt: '2026-12-05T08:00:00.000Z' })).to.equal(dedupeKey(event));
    expect(dedupeKey({ ...event, eventType: 'unfollow' })).to.not.equal(dedupeKey(event));
    expect(dedupeKey({ ...event, createTime: '1764918000001' })).to.not.equal(dedupeKey(event));
    expect(dedupeKey({ ...event, fromUserId: '2088100000000002' })).to.not.equal(dedupeKey(event));
  });

  it('users - without a CreateTime only the same request is the same event', () => {
    const bare = { ...event, createTime: null };
    expect(dedupeKey(bare)).to.equal(dedupeKey({ ...bare }));
    expect(dedupeKey({ ...bare, requestId: 'r2' })).to.not.equal(dedupeKey(bare));
  });
});

import { expect } from 'chai';
import { BoundCache } from '../../../../services/binding/bound-cache';

describe('binding/bound-cache - a node remembers active bindings for a while, and forgets unbindings at once', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => (t = 1_000));

  it('remembers a binding found active for its time to live, and no longer', () => {
    const cache = new BoundCache(30_000, now);
    cache.remember('u1', '3301000001', cache.ticket());
    expect(cache.has('u1', '3301000001')).to.equal(true);
    expect(cache.has('u2', '3301000001'), 'another user').to.equal(false);
    expect(cache.has('u1', '3301000002'), 'another account').to.equal(false);
    t += 30_000;
    expect(cache.has('u1', '3301000001')).to.equal(false);
  });

  it('forgets an unbinding at once', () => {
    const cache = new BoundCache(30_000, now);
    cache.remember('u1', '3301000001', cache.ticket());
    cache.forget('u1', '3301000001');
    expect(cache.has('u1', '3301000001')).to.equal(false);
  });

  it('does not keep the answer of a lookup that an unbinding overtook', () => {
    const cache = new BoundCache(30_000, now);
    const ticket = cache.ticket(); // lookup starts, reads "bound"…
    cache.forget('u1', '3301000001'); // …the unbinding lands meanwhile
    cache.remember('u1', '3301000001', ticket);
    expect(cache.has('u1', '3301000001')).to.equal(false);
  });

  it('keeps nothing when its time to live is 0', () => {
    const cache = new BoundCache(0, now);
    cache.remember('u1', '3301000001', cache.ticket());
    expect(cache.has('u1', '3301000001')).to.equal(false);
  });
});

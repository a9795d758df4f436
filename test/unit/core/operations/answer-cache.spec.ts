import { expect } from 'chai';
import { AnswerCache, requestKey } from '../../../../core/operations/answer-cache';
import { compileMappingFiles } from '../../../../core/mapping';

describe('core/operations - answer cache', () => {
  it('answers within the ttl and forgets after it', () => {
    let now = 1000;
    const cache = new AnswerCache(500, 10, () => now);
    cache.set('k', { a: 1 });
    now += 499;
    expect(cache.get('k')).to.deep.equal({ a: 1 });
    now += 1;
    expect(cache.get('k')).to.equal(undefined);
    expect([cache.hits, cache.misses]).to.deep.equal([1, 1]);
  });

  it('drops the oldest entry when full', () => {
    const cache = new AnswerCache(10_000, 2);
    cache.set('a', { n: 1 });
    cache.set('b', { n: 2 });
    cache.set('c', { n: 3 });
    expect(cache.get('a')).to.equal(undefined);
    expect(cache.get('c')).to.deep.equal({ n: 3 });
  });

  it('keys requests independently of property order', () => {
    expect(requestKey({ b: 1, a: { d: 2, c: 3 } })).to.equal(requestKey({ a: { c: 3, d: 2 }, b: 1 }));
    expect(requestKey({ a: 1 })).to.not.equal(requestKey({ a: 2 }));
  });

  it('is refused in a definition of an operation not marked idempotent', () => {
    // an operator's own operation (not a canonical one): the cache is its only problem
    const op = 'operation: crm.notify\nversion: 1\nidempotent: false\ncache: { ttl: 10s }\nendpoint: { adapter: http, url: "http://x/y", method: POST }\nrequest: { body.a: a }\nresponse: { map: { id: Id } }\n';
    const { problems } = compileMappingFiles({ 'operations/crm.notify.yaml': op }, {});
    expect(problems).to.have.length(1);
    expect(problems[0]).to.deep.include({ path: 'cache' });
    expect(problems[0].message).to.match(/idempotent/);
  });
});

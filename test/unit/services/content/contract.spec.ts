import { expect } from 'chai';
import { CONTENT_CATEGORIES } from '../../../../core/content/categories';
import { loadLifeNumberSpec } from '../../../../core/openapi/life-number-spec';
import { openApiAjv } from '../../../helpers/contract';

const SPEC_ID = 'https://gridbus.invalid/openapi/content-unit';

describe('content contract - openapi/parts/content.yaml against the service', () => {
  const doc = loadLifeNumberSpec();
  const ajv = openApiAjv();
  ajv.addSchema({ ...doc, $id: SPEC_ID });
  const schema = (name: string) => ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
  const article = { id: '12', category: 'FAQ', title: '停电了怎么办？', summary: '', bodyFormat: 'markdown', linkUrl: null, tags: [], publishedAt: '2026-12-05T01:00:00.000Z', version: 1, updatedAt: '2026-12-05T01:00:00.000Z' };

  it('content contract - the categories of the spec are the service\'s, in the same order', () => {
    expect((doc.components.schemas.ContentCategory as { enum: string[] }).enum).to.deep.equal([...CONTENT_CATEGORIES]);
  });

  it('content contract - a list item has no body, an article has one; editorial fields (state, window, editor) are refused in both', () => {
    const summary = schema('ContentSummary');
    const full = schema('ContentArticle');
    expect(summary(article)).to.equal(true);
    expect(summary({ ...article, body: 'x' })).to.equal(false);
    expect(full({ ...article, body: 'x' })).to.equal(true);
    expect(full(article)).to.equal(false);
    for (const extra of [{ state: 'DRAFT' }, { publishFrom: null }, { createdBy: 'editor-1' }]) {
      expect(summary({ ...article, ...extra }), JSON.stringify(extra)).to.equal(false);
      expect(full({ ...article, body: 'x', ...extra }), JSON.stringify(extra)).to.equal(false);
    }
  });

  it('content contract - an outage has one of the two kinds and three phases', () => {
    const list = schema('OutageList');
    const outage = { bulletinId: 'TD1', areaCode: '330102', areaName: '上城区', startsAt: '2026-12-06T00:00:00.000Z', endsAt: '2026-12-06T09:00:00.000Z', kind: 'PLANNED', reason: '', scope: '', issuedAt: '2026-12-05T01:00:00.000Z', phase: 'UPCOMING' };
    const body = (o: object) => ({ from: '2026-12-05T00:00:00.000Z', to: '2026-12-06T00:00:00.000Z', items: [o] });
    expect(list(body(outage))).to.equal(true);
    expect(list(body({ ...outage, kind: 'OTHER' }))).to.equal(false);
    expect(list(body({ ...outage, phase: 'CANCELLED' }))).to.equal(false);
    expect(list(body({ ...outage, sourceFile: 'TDGG_20261205_001.txt' })), 'the import file is not the user\'s business').to.equal(false);
  });
});

import { expect } from 'chai';
import { quoteLexeme, searchQueryText, searchVectorText } from '../../../../core/content/search-tokens';

describe('content search tokens - Chinese bigrams and Latin words for a tsvector', () => {
  it('content search tokens - a Han run gives its unigrams and overlapping bigrams, each at the position of its first character', () => {
    expect(searchVectorText([{ text: '停电通知', weight: 'A' }])).to.equal("'停':1A '停电':1A '电':2A '电通':2A '通':3A '通知':3A '知':4A");
  });

  it('content search tokens - Latin words are lower-cased whole lexemes, full-width forms folded, punctuation dropped', () => {
    expect(searchVectorText([{ text: 'ＡＰＰ下载，95598！', weight: 'D' }])).to.equal("'app':1D '下':3D '下载':3D '载':4D '95598':6D");
  });

  it('content search tokens - fields keep their weights and a run never continues into the next field (no phrase across them)', () => {
    const text = searchVectorText([
      { text: '停电', weight: 'A' },
      { text: '通知', weight: 'D' },
    ]);
    expect(text).to.equal("'停':1A '停电':1A '电':2A '通':5D '通知':5D '知':6D");
    expect(text).to.not.contain('电通');
  });

  it('content search tokens - a repeated lexeme keeps every position (ranking counts them)', () => {
    expect(searchVectorText([{ text: '电 电', weight: 'B' }])).to.equal("'电':1B,3B");
  });

  it('content search tokens - a query: a Han run is a phrase of its bigrams, one character its unigram, a word a prefix, all required', () => {
    expect(searchQueryText('停电')).to.equal("'停电'");
    expect(searchQueryText('计划停电')).to.equal("('计划' <-> '划停' <-> '停电')");
    expect(searchQueryText('电')).to.equal("'电'");
    expect(searchQueryText('App 下载')).to.equal("'app':* & '下载'");
  });

  it('content search tokens - a query of only punctuation or spaces has nothing to search', () => {
    expect(searchQueryText('！？ ,.')).to.equal(null);
    expect(searchQueryText('')).to.equal(null);
  });

  it("content search tokens - quotes and backslashes cannot break out of a lexeme", () => {
    expect(quoteLexeme("it's\\")).to.equal("'it''s\\\\'");
  });
});

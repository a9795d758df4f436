import { expect } from 'chai';
import { checkBody } from '../../../../core/content/content-body';

describe('content body - plain text or limited Markdown, never HTML', () => {
  const refusal = (text: string, format: 'text' | 'markdown') => {
    try {
      checkBody('body', text, format);
      return null;
    } catch (err) {
      return err as Error & { type?: string; data?: { problems: Array<{ field: string; type: string }> } };
    }
  };

  it('content body - text and Markdown with spaced comparisons, lists and http links pass', () => {
    expect(refusal('电价 < 1 元，且 a < b', 'text')).to.equal(null);
    expect(refusal('1. 查公告\n2. 拨打 95598\n[网上国网](https://www.sgcc.com.cn/)', 'markdown')).to.equal(null);
  });

  it('content body - a tag, a closing tag or a comment is refused, naming the field', () => {
    for (const text of ['<script>alert(1)</script>', '你好<img src=x onerror=alert(1)>', 'a</p>', '<!-- x -->', '<?php x ?>']) {
      const e = refusal(text, 'markdown');
      expect(e, text).to.not.equal(null);
      expect(e!.type).to.equal('VALIDATION_FAILED');
      expect(e!.data!.problems[0]).to.include({ field: 'body', type: 'noHtml' });
    }
  });

  it('content body - a Markdown link to javascript:, vbscript: or data: is refused', () => {
    for (const text of ['[x](javascript:alert(1))', '[x]( JavaScript:alert(1))', '![x](data:text/html;base64,AAAA)']) {
      expect(refusal(text, 'markdown')!.data!.problems[0].type, text).to.equal('unsafeLink');
    }
  });
});

import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { LABEL_MAX, normaliseLabel } from '../../../../services/binding/label';

const refusal = (raw: string): GridbusError => {
  try {
    normaliseLabel(raw);
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
};

describe('binding - labels of a binding', () => {
  it('binding - a label is trimmed and its inner white space made one space', () => {
    expect(normaliseLabel('  my \t  home  ')).to.equal('my home');
    expect(normaliseLabel('爸妈家')).to.equal('爸妈家');
  });

  it('binding - the limit counts characters, not bytes or UTF-16 units', () => {
    expect(normaliseLabel('家'.repeat(LABEL_MAX))).to.have.length(LABEL_MAX);
    expect(normaliseLabel('😀'.repeat(LABEL_MAX))).to.equal('😀'.repeat(LABEL_MAX));
    expect(refusal('家'.repeat(LABEL_MAX + 1)).message).to.contain(`${LABEL_MAX} characters`);
  });

  it('binding - empty, control or invisible characters are VALIDATION_FAILED naming the field', () => {
    for (const raw of ['   ', 'home\u0000', 'a\u200bb', 'x\u202ey']) {
      const err = refusal(raw);
      expect(err.type).to.equal('VALIDATION_FAILED');
      expect((err.data as { problems: Array<{ field: string }> }).problems[0].field).to.equal('label');
    }
  });
});

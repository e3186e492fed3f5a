import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { assertNationalId, nationalIdCheckChar, validateNationalId } from './national-id.js';

const reasonOf = (raw: string, opts = {}) => {
  const r = validateNationalId(raw, opts);
  if (r.ok) throw new Error(`expected ${raw} to be rejected`);
  return r.reason.en;
};

describe('validateNationalId', () => {
  it('accepts published valid examples', () => {
    // The example used across Chinese documentation and the 1880 worked example of GB 11643-1999 itself.
    expect(validateNationalId('11010519491231002X')).toEqual({
      ok: true, id: '11010519491231002X', birthDate: '1949-12-31', sex: 'female', regionCode: '110105',
    });
    expect(nationalIdCheckChar('44052418800101001')).toBe('4');
    expect(validateNationalId('440524188001010014', { earliestBirthDate: '1800-01-01' })).toEqual({
      ok: true, id: '440524188001010014', birthDate: '1880-01-01', sex: 'male', regionCode: '440524',
    });
  });

  it('accepts other fixed valid numbers, reading sex from the 17th digit', () => {
    expect(validateNationalId('33010619900101123X')).toMatchObject({ ok: true, sex: 'male', birthDate: '1990-01-01' });
    expect(validateNationalId('440304198510152347')).toMatchObject({ ok: true, sex: 'female', regionCode: '440304' });
    expect(validateNationalId('120101197806134560')).toMatchObject({ ok: true, sex: 'female', birthDate: '1978-06-13' });
    expect(validateNationalId('110105200002290021')).toMatchObject({ ok: true, birthDate: '2000-02-29' });
  });

  it('maps every checksum residue to the right check character', () => {
    // One number per check character 0-9 and X, so a slip in the "10X98765432" table shows.
    const ids = [
      '330106199001011002', '330106199001011010', '330106199001011029', '330106199001011037',
      '330106199001011045', '330106199001011053', '330106199001011061', '33010619900101107X',
      '330106199001011088', '330106199001011096', '330106199001011184',
    ];
    expect(new Set(ids.map((id) => id[17])).size).toBe(11);
    for (const id of ids) {
      expect(validateNationalId(id), id).toMatchObject({ ok: true, id });
      expect(nationalIdCheckChar(id.slice(0, 17))).toBe(id[17]);
      // Every other check character is rejected.
      for (const other of '0123456789X'.replace(id[17], '')) {
        expect(validateNationalId(id.slice(0, 17) + other).ok, id.slice(0, 17) + other).toBe(false);
      }
    }
  });

  it('trims, upper-cases a trailing x and reads full-width input', () => {
    expect(validateNationalId('  11010519491231002x ')).toMatchObject({ ok: true, id: '11010519491231002X' });
    expect(validateNationalId('１１０１０５１９４９１２３１００２Ｘ')).toMatchObject({ ok: true, id: '11010519491231002X' });
  });

  it('rejects a wrong check character', () => {
    expect(reasonOf('110105194912310021')).toMatch(/check character/);
    expect(reasonOf('110105194912310020')).toMatch(/check character/);
    expect(reasonOf('330106199001011239')).toMatch(/check character/);
    expect(reasonOf('440304198510152340')).toMatch(/check character/);
    // A single-digit typo elsewhere is caught by the checksum.
    expect(reasonOf('11010519491231003X')).toMatch(/check character/);
  });

  it('rejects impossible dates even with a correct check character', () => {
    expect(reasonOf('110105202302300016')).toMatch(/not a real date/); // 30 February
    expect(reasonOf('110105199013010018')).toMatch(/not a real date/); // month 13
    expect(reasonOf('110105190002290017')).toMatch(/not a real date/); // 1900 was not a leap year
    expect(reasonOf('110105202302291236')).toMatch(/not a real date/); // 2023 was not a leap year
    expect(reasonOf('110105199001001237')).toMatch(/not a real date/); // day 00
    expect(reasonOf('110105199001321230')).toMatch(/not a real date/); // day 32
    expect(reasonOf('110105199004311230')).toMatch(/not a real date/); // 31 April
    expect(validateNationalId('110105202402291233')).toMatchObject({ ok: true, birthDate: '2024-02-29' });
  });

  it('rejects future birth dates, judged by the date in China', () => {
    const id = '110105202406020019'; // born 2024-06-02
    expect(reasonOf(id, { now: new Date('2024-06-01T15:59:00Z') })).toMatch(/future/);
    expect(validateNationalId(id, { now: new Date('2024-06-01T16:00:00Z') })).toMatchObject({ ok: true });
    expect(validateNationalId(id)).toMatchObject({ ok: true });
  });

  it('rejects birth dates before 1900 by default', () => {
    expect(reasonOf('110105189912310015')).toMatch(/before 1900-01-01/);
    expect(reasonOf('440524188001010014')).toMatch(/before 1900-01-01/);
  });

  it('checks the province and city part of the region code', () => {
    expect(reasonOf('990105199001010014')).toMatch(/region code/);
    // Gaps between the province ranges (all with a correct check character).
    for (const id of [
      '100105199001011230', '160105199001011231', '200105199001011234', '240105199001011231',
      '300105199001011238', '380105199001011232', '400105199001011231', '470105199001011234',
      '490105199001011238', '550105199001011234', '600105199001011239', '66010519900101123X',
      '700105199001011232', '720105199001011236', '800105199001011236', '840105199001011233',
      '910105199001011231', '990105199001011236',
    ]) {
      expect(reasonOf(id), id).toMatch(/region code/);
    }
    expect(reasonOf('110005199001010015')).toMatch(/region code/);
    // Taiwan, and Hong Kong / Taiwan residence permits, use the whole-province code.
    expect(validateNationalId('810000199001010019')).toMatchObject({ ok: true, regionCode: '810000' });
    expect(validateNationalId('830000199001010020')).toMatchObject({ ok: true });
    expect(validateNationalId('710000199001010015')).toMatchObject({ ok: true });
  });

  it('rejects old 15-digit numbers with a clear reason', () => {
    expect(reasonOf('110105491231002')).toMatch(/15-digit/);
  });

  it('rejects letters, wrong lengths and junk', () => {
    expect(reasonOf('11010519491231A02X')).toMatch(/must be digits/);
    expect(reasonOf('X1010519491231002X')).toMatch(/must be digits/);
    expect(reasonOf('11010519491231002Y')).toMatch(/must be digits/);
    expect(reasonOf('1101051949123100')).toMatch(/18 characters/);
    expect(reasonOf('11010519491231002X1')).toMatch(/18 characters/);
    expect(reasonOf('110105 19491231002X')).toMatch(/18 characters/);
    expect(reasonOf('')).toMatch(/18 characters/);
    expect(reasonOf(undefined as unknown as string)).toMatch(/string/);
  });

  it('gives reasons in Chinese and English', () => {
    const r = validateNationalId('110105194912310021');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.zh).toMatch(/校验位/);
  });
});

describe('assertNationalId', () => {
  it('returns the normalised result', () => {
    expect(assertNationalId('11010519491231002x').id).toBe('11010519491231002X');
  });

  it('throws VALIDATION_FAILED naming the field', () => {
    const err = (() => {
      try {
        assertNationalId('110105194912310021', 'residents.idNumber');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', field: 'residents.idNumber' });
    expect((err as AppError).text.en).toMatch(/check character/);
    expect(() => assertNationalId('bad')).toThrow(expect.objectContaining({ field: 'idNumber' }));
  });
});

import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { assertPhone, normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it('accepts the usual written forms', () => {
    for (const raw of [
      '13812345678',
      ' 13812345678 ',
      '+86 138 1234 5678',
      '86-138-1234-5678',
      '+8613812345678',
      '008613812345678',
      '8613812345678',
      '138-1234-5678',
      '(+86) 138.1234.5678',
      '１３８１２３４５６７８',
    ]) {
      expect(normalizePhone(raw), raw).toBe('13812345678');
    }
    expect(normalizePhone('19912345678')).toBe('19912345678');
  });

  it('rejects numbers that are not mainland mobiles', () => {
    for (const raw of [
      '',
      '1381234567', // 10 digits
      '138123456789', // 12 digits
      '12812345678', // second digit 2
      '23812345678',
      '+1 138 1234 5678',
      '010-12345678', // landline
      '+852 9123 4567',
      '1381234567a',
      '86138123456', // "86" is only a prefix when 11 digits follow
    ]) {
      expect(normalizePhone(raw), raw).toBeNull();
    }
    expect(normalizePhone(null as unknown as string)).toBeNull();
  });
});

describe('assertPhone', () => {
  it('returns the normalised number or throws VALIDATION_FAILED naming the field', () => {
    expect(assertPhone('+86 138 1234 5678')).toBe('13812345678');
    expect(() => assertPhone('12345')).toThrow(AppError);
    expect(() => assertPhone('12345')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'phone' }));
    expect(() => assertPhone('12345', 'contactPhone')).toThrow(expect.objectContaining({ field: 'contactPhone' }));
  });
});

import { describe, it, expect } from 'vitest';
import { maskName, maskNationalId, maskPhone } from './mask.js';

describe('maskNationalId', () => {
  it('keeps the first 6 and last 4 characters', () => {
    expect(maskNationalId('33010619900101123X')).toBe('330106********123X');
    expect(maskNationalId('11010519491231002x')).toBe('110105********002X');
  });

  it('never returns odd input unmasked', () => {
    expect(maskNationalId('110105491231002')).toBe('110105******002');
    expect(maskNationalId('')).toBe('');
    expect(maskNationalId('1')).toBe('*');
    expect(maskNationalId('123')).toBe('***');
    expect(maskNationalId('1234567')).toBe('1*****7');
    expect(maskNationalId('not an id number')).toBe('not ********mber');
    for (const odd of ['12', '1234', '11010519491231002', '11010519491231002X9']) {
      expect(maskNationalId(odd)).not.toBe(odd);
      expect(maskNationalId(odd)).toContain('*');
    }
    expect(maskNationalId(undefined as unknown as string)).toBe('');
  });
});

describe('maskPhone', () => {
  it('shows the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
  });

  it('never returns odd input unmasked', () => {
    expect(maskPhone('')).toBe('');
    expect(maskPhone('12')).toBe('**');
    expect(maskPhone('010-12345678')).toBe('010******678');
    for (const odd of ['5', '1234', '12345678', '010-12345678']) {
      expect(maskPhone(odd)).not.toBe(odd);
      expect(maskPhone(odd)).toContain('*');
    }
  });
});

describe('maskName', () => {
  it('keeps the first character of a Chinese name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张小明')).toBe('张**');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('买买提·艾力')).toBe('买*****');
    expect(maskName(' 李四 ')).toBe('李*');
  });

  it('hides a one-character name completely', () => {
    expect(maskName('张')).toBe('*');
    expect(maskName('A')).toBe('*');
  });

  it('keeps the first letter of other names', () => {
    expect(maskName('John')).toBe('J***');
    expect(maskName('Li Na')).toBe('L****');
  });

  it('does not split characters outside the BMP', () => {
    expect(maskName('𠮷野家')).toBe('𠮷**');
  });

  it('handles empty input', () => {
    expect(maskName('')).toBe('');
    expect(maskName('   ')).toBe('');
    expect(maskName(null as unknown as string)).toBe('');
  });
});

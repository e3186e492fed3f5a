import { describe, expect, it } from 'vitest';
import { nationalIdCheckChar } from './national-id.js';
import { REDACTED, redactPersonalData } from './redact.js';

const id18 = (first17: string) => first17 + nationalIdCheckChar(first17);
/** A real-looking ID number (Xihu district, born 1990-01-01) whose check character is X. */
const withX = (() => {
  for (let seq = 100; seq < 999; seq++) {
    const id = id18(`33010619900101${seq}`);
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X');
})();
const ID = id18('33010619900101123');
const toFullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));

describe('redactPersonalData', () => {
  const hidden: [string, string][] = [
    ['我的电话13812345678，请回电', `我的电话${REDACTED}，请回电`],
    ['电话 138 1234 5678', `电话 ${REDACTED}`],
    ['电话 138-1234-5678。', `电话 ${REDACTED}。`],
    ['call +86 138 1234 5678 now', `call ${REDACTED} now`],
    ['+8613812345678', REDACTED],
    ['+86-138-1234-5678', REDACTED],
    ['0086 13812345678', REDACTED],
    ['008613812345678', REDACTED],
    ['8613812345678', REDACTED],
    [`电话${toFullWidth('13812345678')}`, `电话${REDACTED}`],
    [`电话${toFullWidth('138 1234 5678')}`, `电话${REDACTED}`],
    ['＋８６１３８１２３４５６７８', REDACTED],
    ['19912345678和15012345678', `${REDACTED}和${REDACTED}`],
    [`身份证 ${ID}`, `身份证 ${REDACTED}`],
    [`身份证${withX}号`, `身份证${REDACTED}号`],
    [`身份证${withX.toLowerCase()}`, `身份证${REDACTED}`],
    [`身份证 ${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`, `身份证 ${REDACTED}`],
    [`身份证 ${ID.slice(0, 6)}-${ID.slice(6, 14)}-${ID.slice(14)}`, `身份证 ${REDACTED}`],
    [`身份证 ${toFullWidth(ID)}`, `身份证 ${REDACTED}`],
    // a mistyped check character is still somebody's number
    [`身份证 ${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}`, `身份证 ${REDACTED}`],
    ['老身份证 330106900101123', `老身份证 ${REDACTED}`],
    ['车牌浙A12345停在门口', `车牌${REDACTED}停在门口`],
    ['车牌 浙A·12345', `车牌 ${REDACTED}`],
    ['新能源浙AD12345', `新能源${REDACTED}`],
    ['浙A12345D，', `${REDACTED}，`],
    ['教练车浙A1234学', `教练车${REDACTED}`],
    ['浙a12345', REDACTED],
    ['邮箱 zhang.san@example.com 联系', `邮箱 ${REDACTED} 联系`],
    ['13812345678@163.com', REDACTED],
    ['写信给 li_si+x@mail.zj.gov.cn。', `写信给 ${REDACTED}。`],
    [`电话13812345678 身份证${ID} 日期20261206`, `电话${REDACTED} 身份证${REDACTED} 日期20261206`],
    ['138 1234 5678 20261206', `${REDACTED} 20261206`],
  ];
  it.each(hidden)('hides %s', (input, out) => {
    expect(redactPersonalData(input)).toBe(out);
  });

  const kept = [
    '2026年12月6日 20261206 发现',
    '罚款1380元',
    '曙光路5号门口',
    '与案件 #123 重复',
    '编号12345678901',
    '编号10012345678',
    '2026-12-06 08:30',
    '金额 1380.50 元，数量 3',
    '身份证号码 123456789012345678', // no such region
    '订单 202612061234567890',
    '浙江省杭州市西湖区北山街道',
    '138123456789', // 12 digits: not a mobile number
    '门牌 12 号 3 单元 501',
    '',
  ];
  it.each(kept)('keeps %s', (input) => {
    expect(redactPersonalData(input)).toBe(input);
  });

  it('leaves null and undefined alone', () => {
    expect(redactPersonalData(null)).toBeNull();
    expect(redactPersonalData(undefined)).toBeUndefined();
  });

  it('stays fast on long runs of digit groups', () => {
    const long = Array.from({ length: 2000 }, () => '5').join(' ');
    expect(redactPersonalData(long)).toBe(long);
  });
});

/**
 * The seeded taxonomy of cases (事件分类), GB/T 30428 style: a 2-digit major class (the group)
 * plus a 2-digit minor class. Each category says who handles it (a township platform of "one
 * center, four platforms", or a county department), its priority, the time limit of each stage
 * of the closed loop (DESIGN.md §4), whether photo evidence is needed to close, the closure
 * conditions, and extra fields asked at intake.
 *
 * Units of the limits: urgent cases in minutes, routine ones in hours, disputes and other
 * complex cases in working days (see work-calendar.ts). Urgent cases also alert the county
 * center and the public-security department at once.
 *
 * This is only the seed: administrators edit categories at run time (versioned, see
 * categories.service.ts).
 */
import type { Limit } from './work-calendar.js';

export type Stage = 'accept' | 'dispatch' | 'sign' | 'handle' | 'verify';
export const STAGES: readonly Stage[] = ['accept', 'dispatch', 'sign', 'handle', 'verify'];

export type FieldType = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

export interface CategoryField {
  code: string;
  type: FieldType;
  required: boolean;
  name: { zh: string; en: string };
  description?: { zh: string; en: string };
  values?: { key: string; name: { zh: string; en: string } }[];
}

export interface CategoryGroup {
  code: string;
  name: string;
  nameEn: string;
}

export interface CategoryDef {
  /** 4 digits: 2-digit major (= group code) + 2-digit minor, GB/T 30428 style. */
  code: string;
  name: string;
  nameEn: string;
  handler: { kind: 'platform' | 'department'; type: string };
  /** 1 = highest. */
  priority: 1 | 2 | 3 | 4;
  limits: Record<Stage, Limit>;
  /** Photo evidence required to close. */
  evidenceRequired: boolean;
  /** Closure conditions (结案条件). */
  closure: { zh: string; en: string };
  /** Urgent: also alerts the county center and the public-security department at once. */
  urgent: boolean;
  /** Chinese search words. */
  keywords: string[];
  /** Extra fields asked at intake (may be empty). */
  fields: CategoryField[];
  /** What Open311 publishes of its cases; by default its group's (defaultPublication). */
  publication?: Publication;
}

/**
 * What the public feed (Open311) shows of a category's cases: `public` all of its public face,
 * `counted` only that there is one in a township (no point, address, description or notes),
 * `private` nothing (the case answers as if it did not exist).
 */
export const PUBLICATIONS = ['public', 'counted', 'private'] as const;
export type Publication = (typeof PUBLICATIONS)[number];

/** People's private matters (03 社会治安: a missing person; 04 矛盾纠纷: a family dispute) are private by default. */
export const defaultPublication = (code: string): Publication => (['03', '04'].includes(code.slice(0, 2)) ? 'private' : 'public');

export const CATEGORY_GROUPS: CategoryGroup[] = [
  { code: '01', name: '道路交通', nameEn: 'Roads and traffic' },
  { code: '02', name: '安全隐患', nameEn: 'Safety hazards' },
  { code: '03', name: '社会治安', nameEn: 'Public order' },
  { code: '04', name: '矛盾纠纷', nameEn: 'Disputes' },
  { code: '05', name: '市场监管', nameEn: 'Market supervision' },
  { code: '06', name: '综合执法', nameEn: 'Urban management and law enforcement' },
  { code: '07', name: '生态环境', nameEn: 'Environment' },
  { code: '08', name: '民生服务', nameEn: 'Public services' },
  { code: '09', name: '防汛防台与地质灾害', nameEn: 'Floods, typhoons and geological hazards' },
];

// ---- helpers (private): compact, typed notation for the table below ----

type LimitText = `${number}m` | `${number}h` | `${number}wd`;

function lim(text: LimitText): Limit {
  const m = /^(\d+)(m|h|wd)$/.exec(text);
  if (!m) throw new Error(`bad limit ${text}`);
  const unit = m[2] === 'm' ? 'minutes' : m[2] === 'h' ? 'hours' : 'workdays';
  return { amount: Number(m[1]), unit };
}

/** Limits of the five stages: accept (立案), dispatch (派遣), sign (签收), handle (处置), verify (核查). */
function limits(accept: LimitText, dispatch: LimitText, sign: LimitText, handle: LimitText, verify: LimitText): Record<Stage, Limit> {
  return { accept: lim(accept), dispatch: lim(dispatch), sign: lim(sign), handle: lim(handle), verify: lim(verify) };
}

const platform = (type: 'comprehensive_governance' | 'market_supervision' | 'law_enforcement' | 'public_service') =>
  ({ kind: 'platform', type }) as const;
const department = (
  type:
    | 'public_security' | 'urban_management' | 'emergency_management' | 'market_supervision' | 'housing_construction'
    | 'transport' | 'civil_affairs' | 'natural_resources' | 'ecology_environment' | 'water_resources' | 'health'
    | 'justice' | 'human_resources' | 'petitions',
) => ({ kind: 'department', type }) as const;

const v = (key: string, zh: string, en: string) => ({ key, name: { zh, en } });

function field(
  code: string, type: FieldType, required: boolean, zh: string, en: string,
  extra: { values?: CategoryField['values']; description?: { zh: string; en: string } } = {},
): CategoryField {
  return { code, type, required, name: { zh, en }, ...extra };
}

const closure = (zh: string, en: string) => ({ zh, en });

// Fields shared by the two missing-person categories.
const GENDER = field('gender', 'singlevaluelist', true, '性别', 'Gender', { values: [v('male', '男', 'Male'), v('female', '女', 'Female')] });
const missingPersonFields = (ageHint: { zh: string; en: string }): CategoryField[] => [
  field('name', 'string', false, '姓名', 'Name'),
  field('age', 'number', true, '年龄', 'Age', { description: ageHint }),
  GENDER,
  field('clothing', 'text', true, '衣着体貌特征', 'Clothing and appearance', {
    description: { zh: '上衣、裤子、鞋的颜色款式，身高体型，随身物品', en: 'Colour and kind of top, trousers and shoes; height and build; belongings' },
  }),
  field('last_seen_at', 'datetime', true, '最后出现时间', 'Last seen at'),
  field('last_seen_place', 'string', true, '最后出现地点', 'Last seen place'),
  field('guardian_phone', 'string', true, '家属联系电话', 'Family contact phone'),
];

// ---- the taxonomy ----

export const CATEGORIES: CategoryDef[] = [
  // 01 道路交通
  {
    code: '0101', name: '道路碎玻璃', nameEn: 'Broken glass on the road',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('30m', '30m', '30m', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('现场碎玻璃已清扫干净，路面无残留，上传处置后照片', 'The glass is swept up and nothing is left on the road; an after-photo is uploaded'),
    urgent: false, keywords: ['玻璃', '碎玻璃', '玻璃渣', '碎片', '扎胎'], fields: [],
  },
  {
    code: '0102', name: '道路积水', nameEn: 'Standing water on the road',
    handler: department('urban_management'), priority: 2,
    limits: limits('30m', '30m', '1h', '6h', '1wd'),
    evidenceRequired: true,
    closure: closure('积水已排除，雨水口已疏通，上传处置后照片', 'The water is drained and the gully cleared; an after-photo is uploaded'),
    urgent: false, keywords: ['积水', '水淹', '排水不畅', '下水道堵', '雨水口'], fields: [],
  },
  {
    code: '0103', name: '路面坑洼破损', nameEn: 'Potholes or broken road surface',
    handler: department('transport'), priority: 3,
    limits: limits('1h', '2h', '4h', '3wd', '1wd'),
    evidenceRequired: true,
    closure: closure('坑洼已修补平整；暂不能修复的已设置警示并排期修复，上传处置后照片', 'The hole is filled and level, or fenced with warning signs and scheduled for repair; an after-photo is uploaded'),
    urgent: false, keywords: ['坑', '坑洼', '坑槽', '路面破损', '路面塌陷'], fields: [],
  },
  {
    code: '0104', name: '树木倒伏', nameEn: 'Fallen tree',
    handler: department('urban_management'), priority: 2,
    limits: limits('30m', '30m', '1h', '4h', '1wd'),
    evidenceRequired: true,
    closure: closure('倒伏树木已清移或扶正加固，道路恢复通行，上传处置后照片', 'The tree is removed or straightened and staked, and the road is open again; an after-photo is uploaded'),
    urgent: false, keywords: ['倒伏', '树倒', '断枝', '大树', '树木'], fields: [],
  },
  {
    code: '0105', name: '井盖缺失破损', nameEn: 'Missing or broken manhole cover',
    handler: department('urban_management'), priority: 2,
    limits: limits('30m', '30m', '30m', '4h', '1wd'),
    evidenceRequired: true,
    closure: closure('井盖已补齐或更换；修复前已设置围挡警示，上传处置后照片', 'The cover is replaced (fenced off with warnings until then); an after-photo is uploaded'),
    urgent: false, keywords: ['井盖', '窨井', '下水道盖', '雨水篦子', '井口'], fields: [],
  },
  {
    code: '0106', name: '路灯损坏', nameEn: 'Broken streetlight',
    handler: department('urban_management'), priority: 4,
    limits: limits('2h', '4h', '1wd', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('路灯已修复，夜间亮灯正常，上传亮灯照片', 'The light is repaired and works at night; a photo of it lit is uploaded'),
    urgent: false, keywords: ['路灯', '不亮', '灯坏', '照明', '灯杆'], fields: [],
  },
  {
    code: '0107', name: '交通设施损坏', nameEn: 'Damaged traffic signs or signals',
    handler: department('public_security'), priority: 3,
    limits: limits('1h', '2h', '4h', '2wd', '1wd'),
    evidenceRequired: true,
    closure: closure('信号灯、标志标线或护栏已修复更换，上传处置后照片', 'The signal, sign, marking or guardrail is repaired or replaced; an after-photo is uploaded'),
    urgent: false, keywords: ['红绿灯', '信号灯', '交通标志', '护栏', '标线'], fields: [],
  },
  {
    code: '0108', name: '道路遗撒', nameEn: 'Spilled load on the road',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('30m', '30m', '30m', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('遗撒物已清理，路面恢复整洁，上传处置后照片；能查明车辆的已立案查处', 'The spill is cleaned up; an after-photo is uploaded; the vehicle, if identified, is prosecuted'),
    urgent: false, keywords: ['遗撒', '撒漏', '渣土', '泥浆', '抛洒'], fields: [],
  },

  // 02 安全隐患
  {
    code: '0201', name: '瓶装燃气隐患', nameEn: 'Bottled gas hazard',
    handler: department('emergency_management'), priority: 1,
    limits: limits('10m', '10m', '15m', '2h', '4h'),
    evidenceRequired: true,
    closure: closure('隐患已消除（漏气已止，非法、过期钢瓶已收缴或更换，报警器已安装），上传现场照片和检查记录', 'The hazard is removed (leak stopped, illegal or expired cylinders seized or replaced, alarm fitted); site photos and the inspection record are uploaded'),
    urgent: true, keywords: ['燃气', '煤气', '液化气', '钢瓶', '气瓶', '漏气', '黑气瓶'],
    fields: [
      field('hazard_type', 'singlevaluelist', true, '隐患类型', 'Kind of hazard', {
        values: [
          v('leak', '漏气或有燃气味', 'Leak or smell of gas'),
          v('illegal_supply', '非法充装或无证供气', 'Illegal filling or unlicensed supplier'),
          v('expired', '过期或报废钢瓶', 'Expired or scrapped cylinder'),
          v('improper_use', '违规使用（地下室、人员密集场所）', 'Used where forbidden (basement, crowded place)'),
          v('no_alarm', '餐饮场所未安装报警器', 'Restaurant without a gas alarm'),
        ],
      }),
      field('cylinder_count', 'number', false, '钢瓶数量', 'Number of cylinders'),
    ],
  },
  {
    code: '0202', name: '消防安全隐患', nameEn: 'Fire safety hazard',
    handler: department('emergency_management'), priority: 2,
    limits: limits('30m', '1h', '2h', '1wd', '2wd'),
    evidenceRequired: true,
    closure: closure('隐患已整改到位或已依法查封，上传整改后照片', 'The hazard is corrected or the premises sealed off by law; an after-photo is uploaded'),
    urgent: false, keywords: ['消防', '火灾隐患', '灭火器', '电线老化', '私拉电线'], fields: [],
  },
  {
    code: '0203', name: '消防通道堵塞', nameEn: 'Blocked fire lane or exit',
    handler: platform('law_enforcement'), priority: 2,
    limits: limits('30m', '30m', '1h', '4h', '1wd'),
    evidenceRequired: true,
    closure: closure('堵塞物已清理，消防通道、安全出口畅通，上传清理后照片', 'The obstruction is removed and the lane or exit is clear; an after-photo is uploaded'),
    urgent: false, keywords: ['消防通道', '安全出口', '堵塞', '占用', '逃生通道'], fields: [],
  },
  {
    code: '0204', name: '电动车违规充电', nameEn: 'E-bike charged indoors or by trailing cable',
    handler: platform('law_enforcement'), priority: 2,
    limits: limits('30m', '1h', '2h', '1wd', '1wd'),
    evidenceRequired: true,
    closure: closure('电动车已移出，飞线已拆除，已告知集中充电点，上传整改后照片', 'The e-bike is moved out and the trailing cable removed, the owner told of the charging point; an after-photo is uploaded'),
    urgent: false, keywords: ['电动车', '电瓶车', '飞线充电', '楼道充电', '入户充电'],
    fields: [
      field('place', 'singlevaluelist', true, '充电位置', 'Where it is charged', {
        values: [
          v('corridor', '楼道或楼梯间', 'Corridor or stairwell'),
          v('indoor', '室内', 'Indoors'),
          v('trailing_cable', '飞线充电', 'Cable trailed from a window'),
          v('shop', '沿街店铺', 'Street-front shop'),
        ],
      }),
    ],
  },
  {
    code: '0205', name: '危房安全隐患', nameEn: 'Unsafe building',
    handler: department('housing_construction'), priority: 2,
    limits: limits('1h', '2h', '4h', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('已完成安全鉴定；危房内人员已撤离并设置警示，或已完成加固，上传现场照片和鉴定意见', 'Appraised; occupants moved out and warnings posted, or the building reinforced; site photos and the appraisal are uploaded'),
    urgent: false, keywords: ['危房', '房屋开裂', '房屋倾斜', '倒塌', '裂缝', '老房子'],
    fields: [
      field('structure', 'singlevaluelist', false, '结构类型', 'Structure', {
        values: [v('brick_wood', '砖木', 'Brick and timber'), v('brick_concrete', '砖混', 'Brick and concrete'), v('frame', '框架', 'Frame'), v('other', '其他', 'Other')],
      }),
      field('signs', 'multivaluelist', true, '险情表现', 'Signs of danger', {
        values: [
          v('wall_cracks', '墙体开裂', 'Cracked walls'),
          v('settlement', '地基沉降', 'Settling foundations'),
          v('tilt', '房屋倾斜', 'Leaning building'),
          v('roof', '屋面渗漏塌陷', 'Leaking or sagging roof'),
          v('beams', '梁柱变形', 'Deformed beams or columns'),
        ],
      }),
      field('residents', 'number', false, '居住人数', 'Number of residents'),
    ],
  },
  {
    code: '0206', name: '“三合一”场所隐患', nameEn: 'Living quarters in a workshop or store',
    handler: department('emergency_management'), priority: 2,
    limits: limits('1h', '2h', '4h', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('住宿与生产、经营、储存部分已实现防火分隔或人员已搬离，上传整改后照片', 'Sleeping quarters are fire-separated from production, sales and storage, or the people moved out; an after-photo is uploaded'),
    urgent: false, keywords: ['三合一', '多合一', '厂房住人', '仓库住人', '店铺住人'], fields: [],
  },
  {
    code: '0207', name: '建筑工地安全隐患', nameEn: 'Construction site safety hazard',
    handler: department('housing_construction'), priority: 2,
    limits: limits('1h', '2h', '4h', '2wd', '1wd'),
    evidenceRequired: true,
    closure: closure('隐患已整改或已责令停工整改，上传整改后照片', 'The hazard is corrected or work stopped until it is; an after-photo is uploaded'),
    urgent: false, keywords: ['工地', '脚手架', '塔吊', '基坑', '安全帽', '施工安全'], fields: [],
  },
  {
    code: '0208', name: '危险化学品隐患', nameEn: 'Hazardous chemicals hazard',
    handler: department('emergency_management'), priority: 1,
    limits: limits('10m', '10m', '15m', '4h', '1wd'),
    evidenceRequired: true,
    closure: closure('危化品已转移或封存，现场隐患已消除，上传现场照片', 'The chemicals are removed or sealed and the site is safe; site photos are uploaded'),
    urgent: true, keywords: ['危化品', '化学品', '散装汽油', '易燃易爆', '油漆', '刺鼻'], fields: [],
  },
  {
    code: '0209', name: '电梯困人', nameEn: 'People trapped in a lift',
    handler: department('market_supervision'), priority: 1,
    limits: limits('5m', '5m', '10m', '1h', '1wd'),
    evidenceRequired: true,
    closure: closure('被困人员已安全救出，电梯已停用待检或检修后恢复运行，上传现场照片', 'Everyone is freed safely; the lift is out of service for inspection or repaired; site photos are uploaded'),
    urgent: true, keywords: ['电梯', '困人', '被困', '关在电梯', '96333'], fields: [],
  },
  {
    code: '0210', name: '群租房安全隐患', nameEn: 'Overcrowded rental housing',
    handler: platform('comprehensive_governance'), priority: 2,
    limits: limits('1h', '2h', '4h', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('已按出租房管理要求整改（拆除违规隔断、控制居住人数、配齐消防设施），上传整改后照片', 'Brought in line with the rental rules (illegal partitions removed, occupancy limited, fire equipment fitted); an after-photo is uploaded'),
    urgent: false, keywords: ['群租', '出租房', '隔断', '住人太多', '二房东'], fields: [],
  },

  // 03 社会治安
  {
    code: '0301', name: '老人走失', nameEn: 'Missing elderly person',
    handler: department('public_security'), priority: 1,
    limits: limits('5m', '5m', '5m', '6h', '1h'),
    evidenceRequired: false,
    closure: closure('走失老人已找到并安全交还家属，记录找到的时间、地点和经过', 'The person is found and safely back with the family; the time, place and how are recorded'),
    urgent: true, keywords: ['走失', '老人', '找不到', '失踪', '老年痴呆', '阿尔茨海默'],
    fields: [
      ...missingPersonFields({ zh: '周岁', en: 'Years' }),
      field('conditions', 'multivaluelist', false, '健康状况', 'Health conditions', {
        values: [
          v('dementia', '认知障碍（老年痴呆）', 'Dementia'),
          v('mobility', '行动不便', 'Walks with difficulty'),
          v('medication', '需按时服药', 'Needs regular medication'),
          v('hearing', '听力障碍', 'Hard of hearing'),
        ],
      }),
    ],
  },
  {
    code: '0302', name: '儿童走失', nameEn: 'Missing child',
    handler: department('public_security'), priority: 1,
    limits: limits('5m', '5m', '5m', '4h', '1h'),
    evidenceRequired: false,
    closure: closure('走失儿童已找到并安全交还监护人，记录找到的时间、地点和经过', 'The child is found and safely back with the guardian; the time, place and how are recorded'),
    urgent: true, keywords: ['走失', '小孩', '孩子', '儿童', '找不到', '失踪'],
    fields: missingPersonFields({ zh: '周岁，不满 1 岁填 0', en: 'Years; 0 under one year' }),
  },
  {
    code: '0303', name: '打架斗殴', nameEn: 'Fight',
    handler: department('public_security'), priority: 1,
    limits: limits('5m', '5m', '10m', '2h', '4h'),
    evidenceRequired: false,
    closure: closure('民警已到场处置，冲突已平息，伤者已送医，已依法受理为治安案件或调解结案', 'Police have dealt with it on site, the fight is over, the injured are in care, and it is registered as a case or settled'),
    urgent: true, keywords: ['打架', '斗殴', '打人', '互殴', '持刀', '冲突'],
    fields: [
      field('people_count', 'number', false, '参与人数', 'Number of people involved'),
      field('injuries', 'singlevaluelist', true, '伤情', 'Injuries', {
        values: [v('none', '无人受伤', 'Nobody hurt'), v('minor', '有人轻伤', 'Minor injuries'), v('serious', '有人重伤', 'Serious injuries')],
      }),
      field('weapons', 'singlevaluelist', false, '是否持械', 'Weapons', {
        values: [v('no', '未持械', 'None seen'), v('yes', '持刀棍等器械', 'Knives, sticks or other weapons')],
      }),
    ],
  },
  {
    code: '0304', name: '可疑人员或情况', nameEn: 'Suspicious person or activity',
    handler: department('public_security'), priority: 2,
    limits: limits('15m', '15m', '30m', '4h', '1wd'),
    evidenceRequired: false,
    closure: closure('已核查并记录核查结果，涉嫌违法的已依法处置', 'Checked and the result recorded; anything unlawful is dealt with by law'),
    urgent: false, keywords: ['可疑', '形迹可疑', '陌生人', '踩点', '撬锁'], fields: [],
  },
  {
    code: '0305', name: '涉赌线索', nameEn: 'Gambling',
    handler: department('public_security'), priority: 2,
    limits: limits('30m', '1h', '2h', '2wd', '2wd'),
    evidenceRequired: false,
    closure: closure('已核查，查实的已依法查处，未查实的记录核查情况', 'Checked; if confirmed, prosecuted; otherwise the check is recorded'),
    urgent: false, keywords: ['赌博', '聚众赌博', '赌场', '赌钱', '六合彩', '棋牌室'], fields: [],
  },
  {
    code: '0306', name: '电信网络诈骗预警', nameEn: 'Phone or online fraud warning',
    handler: department('public_security'), priority: 2,
    limits: limits('15m', '15m', '15m', '2h', '1wd'),
    evidenceRequired: false,
    closure: closure('已联系当事人完成劝阻或紧急止付，已被骗的已引导报案', 'The person is reached and stopped from paying, or the payment frozen; victims are helped to report the crime'),
    urgent: false, keywords: ['诈骗', '电信诈骗', '刷单', '冒充', '转账', '验证码', '杀猪盘'],
    fields: [
      field('channel', 'singlevaluelist', true, '诈骗方式', 'How the fraudster made contact', {
        values: [v('call', '电话', 'Phone call'), v('sms', '短信', 'Text message'), v('social', '网络社交软件', 'Social app'), v('in_person', '上门或当面', 'In person')],
      }),
      field('transferred', 'singlevaluelist', true, '是否已转账', 'Money already sent?', {
        values: [v('no', '尚未转账', 'Not yet'), v('yes', '已转账', 'Yes')],
      }),
      field('amount', 'number', false, '涉及金额（元）', 'Amount (yuan)'),
    ],
  },
  {
    code: '0307', name: '出租房人员未登记', nameEn: 'Unregistered tenants',
    handler: department('public_security'), priority: 3,
    limits: limits('2h', '4h', '1wd', '5wd', '2wd'),
    evidenceRequired: false,
    closure: closure('租住人员信息已登记录入，出租人已签订治安责任书', 'The tenants are registered and the landlord has signed the public-order pledge'),
    urgent: false, keywords: ['出租房', '租客', '流动人口', '未登记', '暂住', '居住证'], fields: [],
  },
  {
    code: '0308', name: '社会生活噪声扰民', nameEn: 'Noise from neighbours or public places',
    handler: department('public_security'), priority: 3,
    limits: limits('30m', '30m', '1h', '2h', '1wd'),
    evidenceRequired: false,
    closure: closure('已到场劝止，噪声已停止或降到规定限值以内', 'Someone went and stopped it; the noise has stopped or is within limits'),
    urgent: false, keywords: ['噪音', '扰民', '广场舞', '音响', '吵闹', '装修噪音'], fields: [],
  },
  {
    code: '0309', name: '精神障碍患者肇事肇祸风险', nameEn: 'Person with a severe mental disorder at risk of harming others',
    handler: department('public_security'), priority: 1,
    limits: limits('5m', '5m', '10m', '2h', '1wd'),
    evidenceRequired: false,
    closure: closure('民警、医生、网格员已到场稳控，必要时已送医治疗，监护责任已落实', 'Police, a doctor and the grid worker have calmed the situation, taken the person to hospital if needed, and made sure a guardian is responsible'),
    urgent: true, keywords: ['精神病', '发病', '肇事', '肇祸', '胡言乱语', '拿刀'], fields: [],
  },

  // 04 矛盾纠纷
  {
    code: '0401', name: '邻里纠纷', nameEn: 'Dispute between neighbours',
    handler: platform('comprehensive_governance'), priority: 3,
    limits: limits('4h', '4h', '1wd', '10wd', '3wd'),
    evidenceRequired: false,
    closure: closure('经调解达成协议（口头或书面），或已引导通过诉讼等法定途径解决，记录调解经过', 'An agreement (oral or written) is reached, or the parties are guided to a court or other legal route; the mediation is recorded'),
    urgent: false, keywords: ['邻里', '邻居', '吵架', '漏水', '采光', '矛盾'], fields: [],
  },
  {
    code: '0402', name: '物业纠纷', nameEn: 'Dispute with a property management company',
    handler: platform('comprehensive_governance'), priority: 3,
    limits: limits('4h', '4h', '1wd', '15wd', '3wd'),
    evidenceRequired: false,
    closure: closure('经调解达成协议，或已引导通过诉讼等法定途径解决，记录调解经过', 'An agreement is reached, or the parties are guided to a court or other legal route; the mediation is recorded'),
    urgent: false, keywords: ['物业', '物业费', '业委会', '停车位', '小区'], fields: [],
  },
  {
    code: '0403', name: '劳资纠纷', nameEn: 'Labour dispute',
    handler: platform('comprehensive_governance'), priority: 2,
    limits: limits('4h', '4h', '1wd', '15wd', '3wd'),
    evidenceRequired: false,
    closure: closure('调解协议已达成并履行，或已移交劳动监察、劳动仲裁，记录处理结果', 'An agreement is reached and kept, or the case is handed to labour inspection or arbitration; the outcome is recorded'),
    urgent: false, keywords: ['劳资', '工资', '欠薪', '讨薪', '辞退', '加班费', '工伤'],
    fields: [
      field('employer', 'string', true, '用人单位', 'Employer'),
      field('worker_count', 'number', false, '涉及人数', 'Number of workers'),
      field('amount_owed', 'number', false, '涉及金额（元）', 'Amount in dispute (yuan)'),
      field('sector', 'singlevaluelist', false, '行业', 'Sector', {
        values: [v('construction', '工程建设', 'Construction'), v('manufacturing', '制造业', 'Manufacturing'), v('catering', '住宿餐饮', 'Hotels and restaurants'), v('other', '其他', 'Other')],
      }),
    ],
  },
  {
    code: '0404', name: '拖欠农民工工资', nameEn: 'Unpaid wages of migrant workers',
    handler: department('human_resources'), priority: 2,
    limits: limits('2h', '4h', '1wd', '10wd', '3wd'),
    evidenceRequired: false,
    closure: closure('拖欠工资已足额支付，或已立案查处，记录支付凭证或立案情况', 'The wages are paid in full, or the case is opened; the payment or the case is recorded'),
    urgent: false, keywords: ['欠薪', '农民工', '讨薪', '包工头', '工程款', '拖欠工资'],
    fields: [
      field('project', 'string', true, '工程项目或单位名称', 'Project or employer'),
      field('worker_count', 'number', true, '涉及人数', 'Number of workers'),
      field('amount_owed', 'number', false, '拖欠金额（元）', 'Amount owed (yuan)'),
    ],
  },
  {
    code: '0405', name: '婚姻家庭纠纷', nameEn: 'Marriage and family dispute',
    handler: platform('comprehensive_governance'), priority: 3,
    limits: limits('4h', '4h', '1wd', '10wd', '3wd'),
    evidenceRequired: false,
    closure: closure('经调解达成协议，或已引导通过诉讼等法定途径解决；涉及家暴的已通报派出所并落实保护措施', 'An agreement is reached or the parties are guided to a legal route; domestic violence is reported to the police and the victim protected'),
    urgent: false, keywords: ['婚姻', '家庭', '离婚', '赡养', '抚养', '家暴', '分家'],
    fields: [
      field('domestic_violence', 'singlevaluelist', true, '是否涉及家庭暴力', 'Domestic violence involved?', {
        description: { zh: '涉及家庭暴力的，同时通报派出所', en: 'If so, the police station is told as well' },
        values: [v('no', '否', 'No'), v('yes', '是', 'Yes')],
      }),
    ],
  },
  {
    code: '0406', name: '土地纠纷', nameEn: 'Land dispute',
    handler: platform('comprehensive_governance'), priority: 3,
    limits: limits('4h', '1wd', '1wd', '15wd', '3wd'),
    evidenceRequired: false,
    closure: closure('经调解达成协议，或已引导申请仲裁、诉讼等法定途径解决，记录调解经过', 'An agreement is reached, or the parties are guided to arbitration, a court or another legal route; the mediation is recorded'),
    urgent: false, keywords: ['土地', '宅基地', '承包地', '山林', '地界', '征地'], fields: [],
  },
  {
    code: '0407', name: '医疗纠纷', nameEn: 'Medical dispute',
    handler: department('health'), priority: 2,
    limits: limits('4h', '4h', '1wd', '15wd', '3wd'),
    evidenceRequired: false,
    closure: closure('经医调委调解达成协议，或已引导鉴定、诉讼等法定途径解决，记录处理结果', 'Settled through medical-dispute mediation, or guided to an appraisal or a court; the outcome is recorded'),
    urgent: false, keywords: ['医疗纠纷', '医患', '医院', '医闹', '手术', '赔偿'], fields: [],
  },
  {
    code: '0408', name: '群体性事件苗头', nameEn: 'Signs of a mass incident',
    handler: department('petitions'), priority: 1,
    limits: limits('10m', '10m', '15m', '4h', '1wd'),
    evidenceRequired: false,
    closure: closure('已到场稳控，人员已疏散，诉求已按程序接收，未发生过激行为', 'Officials are on site, the crowd has dispersed, the demands are taken in by the proper procedure and nothing escalated'),
    urgent: true, keywords: ['聚集', '群体', '围堵', '拉横幅', '集体上访', '堵路'], fields: [],
  },
  {
    code: '0409', name: '信访诉求', nameEn: 'Petition (letters and visits)',
    handler: department('petitions'), priority: 3,
    limits: limits('1wd', '1wd', '1wd', '30wd', '5wd'),
    evidenceRequired: false,
    closure: closure('已出具书面处理意见并告知信访人', 'A written reply is issued and the petitioner informed'),
    urgent: false, keywords: ['信访', '上访', '反映问题', '诉求', '投诉'], fields: [],
  },

  // 05 市场监管
  {
    code: '0501', name: '无证经营民宿', nameEn: 'Unlicensed guesthouse',
    handler: platform('market_supervision'), priority: 3,
    limits: limits('2h', '4h', '1wd', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('已停止经营或已办齐证照，上传现场照片', 'It has stopped trading or obtained its licences; site photos are uploaded'),
    urgent: false, keywords: ['民宿', '无证', '农家乐', '客栈', '日租房'], fields: [],
  },
  {
    code: '0502', name: '食品安全问题', nameEn: 'Food safety problem',
    handler: platform('market_supervision'), priority: 2,
    limits: limits('1h', '2h', '4h', '2wd', '2wd'),
    evidenceRequired: true,
    closure: closure('已现场检查，问题食品已下架封存，经营者已整改或已立案查处，上传检查照片', 'Inspected; the food is withdrawn and sealed; the business has corrected it or is prosecuted; inspection photos are uploaded'),
    urgent: false, keywords: ['食品', '食品安全', '变质', '卫生', '异物', '无证餐饮'], fields: [],
  },
  {
    code: '0503', name: '疑似食物中毒', nameEn: 'Suspected food poisoning',
    handler: department('health'), priority: 1,
    limits: limits('5m', '10m', '10m', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('患者已送医救治，剩余食物和留样已封存送检，上传现场照片', 'The sick are in hospital; leftover food and kept samples are sealed and sent for testing; site photos are uploaded'),
    urgent: true, keywords: ['食物中毒', '上吐下泻', '呕吐', '腹泻', '聚餐', '集体用餐'],
    fields: [
      field('sick_count', 'number', true, '发病人数', 'Number of people ill'),
      field('meal_time', 'datetime', false, '用餐时间', 'When the meal was eaten'),
      field('venue', 'string', false, '用餐地点', 'Where the meal was eaten'),
    ],
  },
  {
    code: '0504', name: '销售过期商品', nameEn: 'Expired goods on sale',
    handler: platform('market_supervision'), priority: 3,
    limits: limits('2h', '4h', '1wd', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('过期商品已下架销毁，经营者已整改，上传处置照片', 'The goods are withdrawn and destroyed and the shop has corrected it; photos are uploaded'),
    urgent: false, keywords: ['过期', '临期', '保质期', '超市', '小卖部'], fields: [],
  },
  {
    code: '0505', name: '违法广告', nameEn: 'Illegal or false advertising',
    handler: platform('market_supervision'), priority: 4,
    limits: limits('4h', '1wd', '1wd', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('违法广告已撤除或更正，上传撤除后照片', 'The advertisement is removed or corrected; an after-photo is uploaded'),
    urgent: false, keywords: ['广告', '虚假广告', '夸大宣传', '保健品', '违法广告'], fields: [],
  },
  {
    code: '0506', name: '无照经营', nameEn: 'Business without a licence',
    handler: platform('market_supervision'), priority: 3,
    limits: limits('2h', '4h', '1wd', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('已停止经营或已办理营业执照，上传现场照片', 'It has stopped trading or obtained a business licence; site photos are uploaded'),
    urgent: false, keywords: ['无照', '营业执照', '黑作坊', '地下工厂', '无证经营'], fields: [],
  },
  {
    code: '0507', name: '消费投诉', nameEn: 'Consumer complaint',
    handler: platform('market_supervision'), priority: 3,
    limits: limits('4h', '1wd', '1wd', '7wd', '3wd'),
    evidenceRequired: false,
    closure: closure('已组织调解并告知结果，或依法告知不予受理的理由', 'Mediated and the result given, or the reason for not taking it up given'),
    urgent: false, keywords: ['消费', '退款', '退货', '投诉商家', '预付卡', '跑路'], fields: [],
  },
  {
    code: '0508', name: '价格违法', nameEn: 'Pricing violation',
    handler: department('market_supervision'), priority: 3,
    limits: limits('4h', '1wd', '1wd', '7wd', '3wd'),
    evidenceRequired: true,
    closure: closure('已检查并责令整改或立案查处，上传明码标价整改后照片', 'Inspected and ordered to correct or prosecuted; a photo of the corrected price tags is uploaded'),
    urgent: false, keywords: ['价格', '乱收费', '明码标价', '价格欺诈', '宰客'], fields: [],
  },

  // 06 综合执法
  {
    code: '0601', name: '违章搭建', nameEn: 'Illegal construction',
    handler: platform('law_enforcement'), priority: 2,
    limits: limits('1h', '2h', '4h', '15wd', '3wd'),
    evidenceRequired: true,
    closure: closure('违建已拆除，或已立案并下达限期拆除决定（在建的已责令停工），上传现场照片', 'The structure is demolished, or a case is opened with a demolition order (work stopped if still building); site photos are uploaded'),
    urgent: false, keywords: ['违建', '违章搭建', '违法建筑', '加层', '搭棚', '乱搭乱建'],
    fields: [
      field('stage', 'singlevaluelist', true, '建设状态', 'Stage', {
        values: [v('building', '在建', 'Being built'), v('built', '已建成', 'Finished')],
      }),
      field('kind', 'singlevaluelist', false, '违建类型', 'Kind', {
        values: [v('new', '新建', 'New building'), v('extension', '扩建', 'Extension'), v('extra_floor', '加层', 'Extra floor'), v('shed', '搭棚', 'Shed or canopy')],
      }),
      field('area', 'number', false, '估计面积（平方米）', 'Estimated area (m²)'),
    ],
  },
  {
    code: '0602', name: '占道经营', nameEn: 'Street trading on the road or pavement',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('30m', '30m', '1h', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('摊点已劝离或规范入场，道路恢复通行，上传处置后照片', 'The stall has moved away or into a market; the way is clear; an after-photo is uploaded'),
    urgent: false, keywords: ['占道', '摆摊', '流动摊贩', '出店经营', '马路市场'], fields: [],
  },
  {
    code: '0603', name: '人行道违停', nameEn: 'Parking on the pavement',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('30m', '30m', '1h', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('车辆已驶离或已依法贴单拖移，上传处置后照片', 'The vehicle has left or been ticketed and towed; an after-photo is uploaded'),
    urgent: false, keywords: ['违停', '乱停车', '人行道', '占用盲道', '停车'], fields: [],
  },
  {
    code: '0604', name: '夜间施工噪声', nameEn: 'Construction noise at night',
    handler: platform('law_enforcement'), priority: 2,
    limits: limits('30m', '30m', '30m', '2h', '1wd'),
    evidenceRequired: false,
    closure: closure('已到场责令停止夜间施工，未取得夜间施工许可的已立案查处', 'Work is stopped on the spot; sites without a night-work permit are prosecuted'),
    urgent: false, keywords: ['施工噪音', '夜间施工', '噪声', '打桩', '工地'], fields: [],
  },
  {
    code: '0605', name: '乱张贴小广告', nameEn: 'Flyers and graffiti',
    handler: platform('law_enforcement'), priority: 4,
    limits: limits('4h', '1wd', '1wd', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('小广告已清除，上传清除后照片', 'The flyers or graffiti are removed; an after-photo is uploaded'),
    urgent: false, keywords: ['小广告', '牛皮癣', '乱张贴', '乱涂写', '喷涂'], fields: [],
  },
  {
    code: '0606', name: '露天烧烤油烟扰民', nameEn: 'Open-air barbecue and cooking fumes',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('1h', '1h', '2h', '1wd', '2wd'),
    evidenceRequired: true,
    closure: closure('露天烧烤已停止，油烟净化设施已安装或已立案查处，上传处置后照片', 'The barbecue has stopped; a fume filter is fitted or the case is prosecuted; an after-photo is uploaded'),
    urgent: false, keywords: ['烧烤', '油烟', '露天烧烤', '排烟'], fields: [],
  },
  {
    code: '0607', name: '不文明养犬', nameEn: 'Dog off the lead or unregistered',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('1h', '2h', '4h', '2wd', '2wd'),
    evidenceRequired: false,
    closure: closure('已找到犬主并劝导或处罚，未办证的已责令办证，记录处理结果', 'The owner is found and warned or fined, and told to register the dog; the outcome is recorded'),
    urgent: false, keywords: ['狗', '犬只', '遛狗', '狗咬人', '流浪狗', '不拴绳'], fields: [],
  },

  // 07 生态环境
  {
    code: '0701', name: '垃圾堆积', nameEn: 'Piled-up rubbish',
    handler: platform('law_enforcement'), priority: 3,
    limits: limits('1h', '1h', '2h', '8h', '1wd'),
    evidenceRequired: true,
    closure: closure('垃圾已清运，现场已清扫干净，上传处置后照片', 'The rubbish is taken away and the spot swept; an after-photo is uploaded'),
    urgent: false, keywords: ['垃圾', '堆积', '乱倒', '垃圾桶满', '清运'], fields: [],
  },
  {
    code: '0702', name: '污水直排', nameEn: 'Untreated sewage discharge',
    handler: department('ecology_environment'), priority: 2,
    limits: limits('1h', '2h', '4h', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('排污口已封堵或已接入污水管网，违法排污的已立案查处，上传整改后照片', 'The outlet is sealed or connected to the sewer; unlawful discharge is prosecuted; an after-photo is uploaded'),
    urgent: false, keywords: ['污水', '直排', '排污', '偷排', '黑水'], fields: [],
  },
  {
    code: '0703', name: '秸秆焚烧', nameEn: 'Burning straw',
    handler: platform('law_enforcement'), priority: 2,
    limits: limits('15m', '15m', '15m', '1h', '1wd'),
    evidenceRequired: true,
    closure: closure('明火已扑灭，现场无复燃，上传处置后照片', 'The fire is out and has not restarted; an after-photo is uploaded'),
    urgent: false, keywords: ['秸秆', '焚烧', '烧稻草', '露天焚烧', '冒烟', '烧垃圾'], fields: [],
  },
  {
    code: '0704', name: '河道漂浮物', nameEn: 'Rubbish floating on a river',
    handler: department('water_resources'), priority: 3,
    limits: limits('1h', '2h', '4h', '1wd', '1wd'),
    evidenceRequired: true,
    closure: closure('漂浮物已打捞清理，水面洁净，上传处置后照片', 'The rubbish is fished out and the water clear; an after-photo is uploaded'),
    urgent: false, keywords: ['河道', '漂浮物', '水葫芦', '河面垃圾', '河长'], fields: [],
  },
  {
    code: '0705', name: '河道水体污染', nameEn: 'River pollution',
    handler: department('ecology_environment'), priority: 2,
    limits: limits('30m', '1h', '2h', '2wd', '2wd'),
    evidenceRequired: true,
    closure: closure('污染源已查明并切断，水体已恢复或已落实治理措施，上传现场照片和监测结果', 'The source is found and cut off, and the water recovered or a clean-up under way; site photos and test results are uploaded'),
    urgent: false, keywords: ['河水', '黑臭', '死鱼', '水变色', '水污染', '河道污染'], fields: [],
  },
  {
    code: '0706', name: '废气异味扰民', nameEn: 'Industrial fumes and odours',
    handler: department('ecology_environment'), priority: 2,
    limits: limits('1h', '2h', '4h', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('排放源已查明并整改或立案查处，上传现场照片和监测结果', 'The source is found and corrected or prosecuted; site photos and test results are uploaded'),
    urgent: false, keywords: ['废气', '异味', '臭味', '烟囱', '排放', '刺鼻气味'], fields: [],
  },
  {
    code: '0707', name: '非法倾倒固体废物', nameEn: 'Illegal dumping of solid waste',
    handler: department('ecology_environment'), priority: 2,
    limits: limits('1h', '2h', '4h', '3wd', '2wd'),
    evidenceRequired: true,
    closure: closure('倾倒物已清运处置，责任人已查处，上传处置后照片', 'The waste is removed and disposed of and those responsible prosecuted; an after-photo is uploaded'),
    urgent: false, keywords: ['倾倒', '建筑垃圾', '固废', '危废', '偷倒', '工业垃圾'], fields: [],
  },

  // 08 民生服务
  {
    code: '0801', name: '困难老人关爱', nameEn: 'Care for elderly people in need',
    handler: platform('public_service'), priority: 3,
    limits: limits('4h', '1wd', '1wd', '5wd', '3wd'),
    evidenceRequired: false,
    closure: closure('已上门走访并落实帮扶措施（助餐、助医、助洁等），记录走访情况', 'Visited at home and help arranged (meals, medical care, cleaning...); the visit is recorded'),
    urgent: false, keywords: ['老人', '独居', '空巢', '孤寡', '养老', '照料'],
    fields: [
      field('living', 'singlevaluelist', true, '居住情况', 'Living situation', {
        values: [v('alone', '独居', 'Lives alone'), v('empty_nest', '空巢（仅老年夫妻）', 'Elderly couple alone'), v('disabled', '失能或半失能', 'Needs daily care')],
      }),
      field('needs', 'multivaluelist', true, '需求', 'Needs', {
        values: [
          v('meals', '助餐', 'Meals'),
          v('medical', '助医', 'Medical care'),
          v('cleaning', '助洁', 'Cleaning'),
          v('company', '精神慰藉', 'Company'),
          v('emergency', '紧急救助', 'Emergency help'),
        ],
      }),
      field('situation', 'text', false, '情况说明', 'Situation'),
    ],
  },
  {
    code: '0802', name: '低保和社会救助', nameEn: 'Minimum living allowance and social assistance',
    handler: department('civil_affairs'), priority: 3,
    limits: limits('1wd', '1wd', '1wd', '10wd', '3wd'),
    evidenceRequired: false,
    closure: closure('已受理并告知办理结果或政策依据', 'The request is taken in and the result or the applicable rule given'),
    urgent: false, keywords: ['低保', '救助', '特困', '临时救助', '补助', '生活困难'],
    fields: [
      field('household_size', 'number', false, '家庭人口', 'Household size'),
      field('assistance_type', 'singlevaluelist', true, '救助类型', 'Kind of assistance', {
        values: [
          v('dibao', '最低生活保障', 'Minimum living allowance (dibao)'),
          v('extreme_poverty', '特困人员供养', 'Support for people in extreme poverty'),
          v('temporary', '临时救助', 'Temporary assistance'),
          v('medical', '医疗救助', 'Medical assistance'),
          v('education', '教育救助', 'Education assistance'),
        ],
      }),
    ],
  },
  {
    code: '0803', name: '停水', nameEn: 'Water supply cut',
    handler: department('water_resources'), priority: 2,
    limits: limits('30m', '1h', '1h', '8h', '1wd'),
    evidenceRequired: false,
    closure: closure('供水已恢复，或已告知停水原因和恢复时间并安排临时供水', 'Water is back, or the cause and the restoration time are given and temporary supply arranged'),
    urgent: false, keywords: ['停水', '没水', '水压低', '自来水', '供水'],
    fields: [
      field('started_at', 'datetime', true, '停水开始时间', 'Cut since'),
      field('households', 'number', false, '影响户数', 'Households affected'),
    ],
  },
  {
    code: '0804', name: '停电', nameEn: 'Power cut',
    handler: platform('public_service'), priority: 2,
    limits: limits('30m', '1h', '1h', '8h', '1wd'),
    evidenceRequired: false,
    closure: closure('已联系供电部门，供电已恢复或已告知停电原因和恢复时间', 'The power company is contacted; power is back or the cause and restoration time are given'),
    urgent: false, keywords: ['停电', '没电', '跳闸', '供电', '电压不稳'], fields: [],
  },
  {
    code: '0805', name: '公共设施损坏', nameEn: 'Damaged public facilities',
    handler: platform('public_service'), priority: 4,
    limits: limits('2h', '4h', '1wd', '5wd', '2wd'),
    evidenceRequired: true,
    closure: closure('设施已修复或更换，上传修复后照片', 'The facility is repaired or replaced; an after-photo is uploaded'),
    urgent: false, keywords: ['健身器材', '座椅', '公交站', '宣传栏', '公厕', '设施损坏'], fields: [],
  },
  {
    code: '0806', name: '户籍和身份证件咨询', nameEn: 'Household registration and ID card questions',
    handler: department('public_security'), priority: 4,
    limits: limits('4h', '1wd', '1wd', '3wd', '2wd'),
    evidenceRequired: false,
    closure: closure('已答复咨询或办理完毕，告知办理结果', 'The question is answered or the matter done, and the result given'),
    urgent: false, keywords: ['户口', '户籍', '身份证', '迁户', '居住证', '开证明'], fields: [],
  },
  {
    code: '0807', name: '社会保险咨询', nameEn: 'Social insurance questions',
    handler: department('human_resources'), priority: 4,
    limits: limits('4h', '1wd', '1wd', '5wd', '2wd'),
    evidenceRequired: false,
    closure: closure('已答复咨询或办理完毕，告知办理结果', 'The question is answered or the matter done, and the result given'),
    urgent: false, keywords: ['社保', '养老保险', '参保', '缴费', '退休', '失业保险'], fields: [],
  },
  {
    code: '0808', name: '残疾人帮扶', nameEn: 'Support for people with disabilities',
    handler: department('civil_affairs'), priority: 3,
    limits: limits('1wd', '1wd', '1wd', '10wd', '3wd'),
    evidenceRequired: false,
    closure: closure('已上门核实并落实帮扶或补贴，告知办理结果', 'Checked at home and help or allowances arranged; the result is given'),
    urgent: false, keywords: ['残疾', '残疾人', '残疾证', '轮椅', '无障碍', '两项补贴'], fields: [],
  },
  {
    code: '0809', name: '法律援助申请', nameEn: 'Legal aid request',
    handler: department('justice'), priority: 4,
    limits: limits('4h', '1wd', '1wd', '5wd', '2wd'),
    evidenceRequired: false,
    closure: closure('已受理并指派法律援助人员，或书面告知不予援助的理由', 'Accepted and a legal-aid lawyer assigned, or the refusal explained in writing'),
    urgent: false, keywords: ['法律援助', '律师', '打官司', '法律咨询', '起诉'], fields: [],
  },

  // 09 防汛防台与地质灾害
  {
    code: '0901', name: '低洼易涝隐患', nameEn: 'Flood risk in a low-lying area',
    handler: department('water_resources'), priority: 2,
    limits: limits('30m', '1h', '2h', '1wd', '1wd'),
    evidenceRequired: true,
    closure: closure('已设置警示并落实排涝措施，必要时人员已转移，上传现场照片', 'Warnings are posted and pumping arranged, people moved if needed; site photos are uploaded'),
    urgent: false, keywords: ['防汛', '内涝', '低洼', '进水', '淹水', '台风'], fields: [],
  },
  {
    code: '0902', name: '地质灾害险情', nameEn: 'Landslide or other geological hazard',
    handler: department('natural_resources'), priority: 1,
    limits: limits('10m', '10m', '15m', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('受威胁人员已转移，险情区域已设警戒，已落实监测或治理，上传现场照片', 'Threatened people are moved, the area is cordoned off, and monitoring or works are in place; site photos are uploaded'),
    urgent: true, keywords: ['滑坡', '塌方', '泥石流', '山体', '落石', '地裂缝'], fields: [],
  },
  {
    code: '0903', name: '堤防山塘险情', nameEn: 'Danger to a dike, pond dam or reservoir',
    handler: department('water_resources'), priority: 1,
    limits: limits('10m', '10m', '15m', '2h', '1wd'),
    evidenceRequired: true,
    closure: closure('险情已抢护控制，下游人员已按预案转移，上传现场照片', 'The breach is contained and people downstream moved as planned; site photos are uploaded'),
    urgent: true, keywords: ['堤坝', '山塘', '水库', '管涌', '渗漏', '决口'], fields: [],
  },
  {
    code: '0904', name: '高空坠物隐患', nameEn: 'Risk of objects falling from height',
    handler: department('urban_management'), priority: 2,
    limits: limits('30m', '1h', '1h', '4h', '1wd'),
    evidenceRequired: true,
    closure: closure('松动的广告牌、空调外机等已加固或拆除，下方已设警戒，上传处置后照片', 'Loose signboards, air-conditioner units and the like are secured or removed, the area below cordoned off; an after-photo is uploaded'),
    urgent: false, keywords: ['高空坠物', '广告牌', '空调外机', '松动', '脱落', '台风'], fields: [],
  },
];

import type { Dict } from '../shared/i18n.js';

export const zh: Dict = {
  title: '随手拍 · 平安上报', 'tab.report': '我要上报', 'tab.mine': '我的上报',
  'login.title': '手机号登录', 'login.phone': '手机号', 'login.code': '验证码', 'login.send': '获取验证码', 'login.resend': '{{s}} 秒后重发', 'login.sent': '验证码已发送至 {{to}}', 'login.submit': '登录',
  'f.location': '问题位置', 'f.gps': '使用当前位置', 'f.tap': '或在地图上点选位置', 'f.locating': '正在定位…', 'f.found': '所在网格', 'f.noPoint': '请先确定问题位置',
  'f.category': '问题类别', 'f.pick': '选择类别', 'f.searchCategory': '搜索类别，如：玻璃、积水', 'f.description': '问题描述', 'f.descriptionPh': '请描述问题的具体情况（最多 4000 字）',
  'f.address': '详细地址（选填）', 'f.photos': '现场照片（最多 9 张）', 'f.anonymous': '匿名上报（处置人员看不到您的姓名）', 'f.submit': '提交上报', 'f.submitting': '正在提交…',
  'f.required': '此项必填', 'dup.title': '附近已有相同问题正在处理', 'dup.text': '距您 {{m}} 米处已有人上报同类问题（案件 #{{id}}），您可以关注该案件，无需重复上报。', 'dup.follow': '关注该案件', 'dup.followed': '已关注，可在“我的上报”中查看进展',
  'ok.title': '上报成功', 'ok.text': '案件编号 #{{id}}，处理进展会通知您。', 'ok.repeated': '您几分钟前已上报过同一问题（案件 #{{id}}），本次未重复立案，处理进展会通知您。', 'ok.again': '继续上报', 'ok.view': '查看进展',
  'mine.empty': '您还没有上报过问题', 'd.timeline': '处理进展', 'd.rate': '评价', 'd.rateComment': '评价内容（选填）', 'd.reopen': '问题未解决，重新打开', 'd.reopenReason': '请说明原因',
  'd.addInfo': '补充信息', 'd.addInfoText': '补充说明', 'd.withdraw': '撤回上报', 'd.back': '返回', 'd.rated': '您的评价：{{n}} 星', 'd.following': '我关注的案件',
};

export const en: Dict = {
  title: 'Report a problem · Ping\u2019an', 'tab.report': 'Report', 'tab.mine': 'My reports',
  'login.title': 'Sign in with your phone', 'login.phone': 'Phone number', 'login.code': 'Code', 'login.send': 'Send code', 'login.resend': 'Resend in {{s}} s', 'login.sent': 'Code sent to {{to}}', 'login.submit': 'Sign in',
  'f.location': 'Where', 'f.gps': 'Use my location', 'f.tap': 'or tap the map', 'f.locating': 'Locating…', 'f.found': 'Grid', 'f.noPoint': 'Set the location first',
  'f.category': 'Category', 'f.pick': 'Choose a category', 'f.searchCategory': 'Search, e.g. glass, water', 'f.description': 'Description', 'f.descriptionPh': 'What is wrong? (at most 4,000 characters)',
  'f.address': 'Address (optional)', 'f.photos': 'Photos (at most 9)', 'f.anonymous': 'Anonymous (handlers do not see your name)', 'f.submit': 'Submit', 'f.submitting': 'Submitting…',
  'f.required': 'Required', 'dup.title': 'Already reported nearby', 'dup.text': 'The same kind of problem was reported {{m}} m away (case #{{id}}). Follow it instead of reporting again.', 'dup.follow': 'Follow that case', 'dup.followed': 'Following: see My reports',
  'ok.title': 'Reported', 'ok.text': 'Case #{{id}}. You will hear how it goes.', 'ok.repeated': 'You reported the same a few minutes ago (case #{{id}}); no second case was opened. You will hear how it goes.', 'ok.again': 'Report another', 'ok.view': 'See progress',
  'mine.empty': 'You have not reported anything yet', 'd.timeline': 'Progress', 'd.rate': 'Rate', 'd.rateComment': 'Comment (optional)', 'd.reopen': 'Not solved: reopen', 'd.reopenReason': 'Why?',
  'd.addInfo': 'Add information', 'd.addInfoText': 'More details', 'd.withdraw': 'Withdraw', 'd.back': 'Back', 'd.rated': 'Your rating: {{n}} stars', 'd.following': 'Following',
};

/** Names derived from official Chinese names: pinyin for search, English names, unit types. */
import { pinyin } from 'pinyin-pro';

const cache = new Map<string, string[]>();

/** One syllable per character (non-Chinese characters as they are); cached, names repeat a lot. */
function syllables(text: string): string[] {
  let s = cache.get(text);
  if (!s) {
    s = pinyin(text, { toneType: 'none', type: 'array' });
    if (cache.size > 100_000) cache.clear();
    cache.set(text, s);
  }
  return s;
}

export function pinyinOf(name: string): { pinyin: string; initials: string } {
  const s = syllables(name).filter((x) => /^[a-z]+$/.test(x));
  return { pinyin: s.join(''), initials: s.map((x) => x[0]).join('') };
}

// Longest suffix first.
const SUFFIXES: [string, string][] = [
  ['社区居民委员会', 'Community'],
  ['社区居委会', 'Community'],
  ['村民委员会', 'Village'],
  ['居民委员会', 'Community'],
  ['村委会', 'Village'],
  ['居委会', 'Community'],
  ['自治县', 'Autonomous County'],
  ['街道', 'Subdistrict'],
  ['社区', 'Community'],
  ['省', 'Province'],
  ['市', 'City'],
  ['区', 'District'],
  ['县', 'County'],
  ['镇', 'Town'],
  ['乡', 'Township'],
  ['村', 'Village'],
];

const capitalize = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** 西湖区 → "Xihu District", 景宁畲族自治县 → "Jingningshezu Autonomous County". */
export function englishName(name: string): string {
  for (const [zh, en] of SUFFIXES) {
    if (name.endsWith(zh) && name.length > zh.length) {
      // the name's own syllables (context matters: 长兴 is chang-xing), less the suffix's
      const stem = syllables(name).slice(0, name.length - zh.length).filter((x) => /^[a-z]+$/.test(x)).join('');
      return `${capitalize(stem)} ${en}`;
    }
  }
  return capitalize(pinyinOf(name).pinyin);
}

export function townshipType(name: string): string {
  if (name.endsWith('街道') || name.endsWith('街道办事处')) return 'street';
  if (name.endsWith('镇')) return 'town';
  if (name.endsWith('乡')) return 'township';
  return 'other';
}

export function villageType(name: string): string {
  if (/(社区|居委会|居民委员会)/.test(name)) return 'community';
  if (/(村委会|村民委员会|村)$/.test(name)) return 'village';
  return 'other';
}

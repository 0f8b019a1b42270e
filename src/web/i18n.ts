/// <reference lib="dom" />
/**
 * @module web/i18n
 * Interface languages as for notifications (en, es, de, fr, ur; Urdu right-to-left). Strings are data files, one
 * per language (`i18n/<lang>.json`), English filling any gap. Numbers, dates and country names come from the
 * browser's Intl in the chosen language; times are shown in UTC, the one clock every organisation shares.
 */

export const LANGUAGES = ['en', 'es', 'de', 'fr', 'ur'] as const;
export type Language = (typeof LANGUAGES)[number];
const RTL: ReadonlySet<string> = new Set(['ur']);
const STORAGE_KEY = 'vigil.language';

let lang: Language = 'en';
let strings: Record<string, string> = {};
let english: Record<string, string> = {};
const names: Partial<Record<Language, string>> = {};

async function fetchStrings(l: Language): Promise<Record<string, string>> {
  const res = await fetch(`i18n/${l}.json`);
  if (!res.ok) throw new Error(`cannot load the ${l} interface strings (${res.status})`);
  return res.json();
}

export function isLanguage(l: unknown): l is Language {
  return typeof l === 'string' && (LANGUAGES as readonly string[]).includes(l);
}

/** The language chosen before, else the browser's, else English. */
export function preferredLanguage(fallback?: string | null): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  if (fallback && isLanguage(fallback.slice(0, 2))) return fallback.slice(0, 2) as Language;
  const nav = navigator.language?.slice(0, 2);
  return isLanguage(nav) ? nav : 'en';
}

export function hasChosenLanguage(): boolean {
  return isLanguage(localStorage.getItem(STORAGE_KEY));
}

export async function setLanguage(l: Language, remember = false): Promise<void> {
  if (!Object.keys(english).length) english = await fetchStrings('en');
  strings = l === 'en' ? english : await fetchStrings(l);
  names[l] = strings['language.name'];
  lang = l;
  if (remember) localStorage.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
  // Charts draw on a canvas, which does not redraw when a web font arrives: load the Urdu font first.
  if (RTL.has(l)) await Promise.all(['400', '700'].map((w) => document.fonts.load(`${w} 14px "Noto Sans Arabic"`, 'ہے')));
}

export function currentLanguage(): Language {
  return lang;
}

/** Each language's own name, for the language menu (loaded lazily, so shown by code until known). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', de: 'Deutsch', fr: 'Français', ur: 'اردو' };

export function t(key: string, params: Record<string, string | number> = {}): string {
  const s = strings[key] ?? english[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function has(key: string): boolean {
  return key in strings || key in english;
}

export function fmtNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : new Intl.NumberFormat(lang).format(n);
}

export function fmtPercent(n: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(n);
}

export function fmtDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(ms);
}

export function fmtDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(ms);
}

export function fmtRange(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined) return '–';
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).formatRange(a, b);
  } catch {
    return `${fmtDateTime(a)} – ${fmtDateTime(b)}`;
  }
}

let regionNames: Intl.DisplayNames | undefined;
let regionLang = '';

export function countryName(code: string | null | undefined): string {
  if (!code) return t('map.unknown');
  if (regionLang !== lang) {
    regionNames = new Intl.DisplayNames([lang, 'en'], { type: 'region' });
    regionLang = lang;
  }
  try {
    return regionNames!.of(code) ?? code;
  } catch {
    return code;
  }
}

export const typeName = (type: string) => (has(`type.${type}`) ? t(`type.${type}`) : type.replace(/_/g, ' '));
export const severityName = (id: number) => t(`severity.${id}`);
export const sectorName = (s: string | null | undefined) => (s ? (has(`sector.${s}`) ? t(`sector.${s}`) : s) : '–');
export const reasonName = (r: string) => (has(`reason.${r}`) ? t(`reason.${r}`) : r.replace(/_/g, ' '));

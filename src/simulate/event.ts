/**
 * @module simulate/event
 * One simulated sign-in attempt, vendor-neutral: who, from where, how, and what the identity provider answered.
 * Behaviour generators (benign and attacks) produce these; the vendor writers turn each into that vendor's
 * records (zero, one or several: an Okta MFA sign-in is three records, a Google sign-in of an account that does
 * not exist is none, since Google logs nothing for it).
 */
import type { Address } from './addresses.js';
import type { Org, User } from './population.js';

/** What the identity provider answered. */
export const Result = {
  Success: 0,
  BadPassword: 1,
  UnknownUser: 2,
  Locked: 3,
  /** Right password, MFA interrupt (Entra 50074). */
  MfaInterrupt: 4,
  /** Right password, MFA required and not done (Entra 50076). */
  MfaRequired: 5,
  /** Right password, the user denied the push (Entra 500121). */
  MfaDenied: 6,
  /** Right password, the push went unanswered (Entra 500121, "user did not respond"). */
  MfaTimeout: 7,
} as const;
export type Result = (typeof Result)[keyof typeof Result];

/** How the client signed in; decides the vendor's client/app/protocol fields. */
export type Client = 'browser' | 'mobile_app' | 'desktop_app' | 'activesync' | 'imap' | 'smtp' | 'ropc';

export const LEGACY_CLIENTS: ReadonlySet<Client> = new Set(['activesync', 'imap', 'smtp', 'ropc']);

export interface SimEvent {
  t: number;
  org: Org;
  /** The account, or undefined when the typed name matches no account. */
  user: User | undefined;
  /** The name typed: a real user's login, or a guessed one (local part). */
  login: string;
  src: Address;
  result: Result;
  client: Client;
  ua: string;
  interactive: boolean;
  /** A success (or MFA step) in which a second factor was used. */
  mfa: boolean;
  /** Index of the attack in the world's attack list; -1 for benign behaviour. */
  attack: number;
}

export function isPasswordValid(r: Result): boolean {
  return r === Result.Success || r === Result.MfaInterrupt || r === Result.MfaRequired || r === Result.MfaDenied || r === Result.MfaTimeout;
}

/** User agents of mid-2020 clients. */
export const UA = {
  chromeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/84.0.4147.135 Safari/537.36',
  edgeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/84.0.4147.125 Safari/537.36 Edg/84.0.522.59',
  firefoxWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:79.0) Gecko/20100101 Firefox/79.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Safari/605.1.15',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/84.0.4147.125 Safari/537.36',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Mobile/15E148 Safari/604.1',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 10; SM-G973F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/84.0.4147.125 Mobile Safari/537.36',
  outlookIos: 'Outlook-iOS/723.4027091.prod.iphone (4.51.0)',
  outlookAndroid: 'Outlook-Android/2.0',
  teamsWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.3.00.21759 Chrome/69.0.3497.128 Electron/4.2.12 Safari/537.36',
  iosMail: 'Apple-iPhone11C6/1706.56',
  androidMail: 'Android-Mail/2020.07.19.325226082.release',
  thunderbird: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:68.0) Gecko/20100101 Thunderbird/68.11.0',
} as const;

/** Operating system and browser names for vendor device fields, from a user agent. */
export function deviceOf(ua: string): { os: string; browser: string; device: 'Computer' | 'Mobile' | 'Unknown' } {
  const os = /iPhone/.test(ua) ? 'Ios' : /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows 10' : /Macintosh/.test(ua) ? 'MacOs' : '';
  const browser = /Edg\//.test(ua)
    ? 'Edge 84.0.522'
    : /Firefox\/(\d+)/.test(ua)
      ? 'Firefox 79.0'
      : /Chrome\/(\d+)/.test(ua) && !/Electron/.test(ua)
        ? 'Chrome 84.0.4147'
        : /Version\/[\d.]+ (Mobile\/\S+ )?Safari/.test(ua)
          ? /Mobile/.test(ua)
            ? 'Mobile Safari 13.1'
            : 'Safari 13.1.2'
          : '';
  const device = /iPhone|Android/.test(ua) ? 'Mobile' : os ? 'Computer' : 'Unknown';
  return { os, browser, device };
}

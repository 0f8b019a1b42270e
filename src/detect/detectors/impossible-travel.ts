/**
 * @module detect/detectors/impossible-travel
 * Two successful sign-ins of one account from places too far apart for the time between them. Sources behind
 * anonymisers, VPNs or hosting are skipped: their location says nothing about the person. Those are the intel
 * lists' and, listed or not, the networks of the rule's `vpn_networks` (where commercial VPNs have their exits).
 */
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { listParam, param, RuleError, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';

const EARTH_KM = 6371;
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function impossibleTravel(rule: Rule): Detector {
  const minKm = param(rule, 'min_distance_km');
  const maxKmh = param(rule, 'max_speed_kmh');
  const vpnExits = vpnNetworks(rule);
  return {
    rule,
    onEvent(s: Signal, ctx: DetectorContext) {
      if (!s.ok || s.lat === undefined || s.lon === undefined || s.anon || vpnExits.has(s.asn)) return;
      const profile = ctx.profiles.user(s);
      // A country this account already signs in from (a trip in progress: phone at home, laptop abroad) is no jump.
      if (profile?.knowsCountry(s.country)) return;
      const prev = profile?.lastOk;
      if (!prev || prev.lat === undefined || prev.lon === undefined || prev.anon || vpnExits.has(prev.asn) || prev.ip === s.ip) return;
      // Within one country, address geolocation (mobile carriers, ISP pools) is too coarse to prove travel.
      if (!prev.country || !s.country || prev.country === s.country) return;
      const km = distanceKm(prev.lat, prev.lon, s.lat, s.lon);
      if (km < minKm) return;
      const h = Math.max(s.t - prev.t, 60_000) / 3600_000;
      const kmh = km / h;
      if (kmh <= maxKmh) return;
      ctx.sink.upsert({
        rule,
        tenant: s.tenant,
        key: `${s.userKey}\u0001${prev.t}\u0001${s.t}`,
        time: s.t,
        first: prev.t,
        last: s.t,
        title: `Impossible travel for ${s.user}: ${prev.country || '?'} to ${s.country || '?'} in ${hours(s.t - prev.t)}`,
        desc:
          `${s.user} signed in from ${prev.ip} (${prev.country || 'unknown country'}) and ${hours(s.t - prev.t)} later from ${s.ip} ` +
          `(${s.country || 'unknown country'}), ${Math.round(km)} km away: ${Math.round(kmh)} km/h, faster than any flight (limit ${maxKmh} km/h).`,
        ips: [prev.ip, s.ip].filter((x) => x),
        accounts: [s.user],
        evidence: [s],
        data: { distance_km: Math.round(km), speed_kmh: Math.round(kmh), from_country: prev.country, to_country: s.country },
      });
    },
  };
}

/** The rule's VPN networks: autonomous system numbers, each at the start of its line ("9009 M247"). */
function vpnNetworks(rule: Rule): Set<number> {
  const out = new Set<number>();
  for (const line of listParam(rule, 'vpn_networks')) {
    const m = /^\s*(?:AS)?(\d+)\b/i.exec(line);
    if (!m) throw new RuleError(`${rule.file}: params.vpn_networks: "${line}" does not start with an AS number`);
    out.add(Number(m[1]));
  }
  out.delete(0); // unknown network
  return out;
}

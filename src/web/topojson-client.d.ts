/** The one function of topojson-client the dashboard uses (the package ships no types). */
declare module 'topojson-client' {
  export function feature(topology: unknown, object: unknown): { type: 'FeatureCollection'; features: { type: 'Feature'; id?: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: any } }[] };
}

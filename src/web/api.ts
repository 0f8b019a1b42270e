/// <reference lib="dom" />
/**
 * @module web/api
 * The dashboard's only way to the server: JSON over fetch with the bearer token. A 401 means the token stopped
 * working (revoked): the app signs out. Errors carry the server's reason.
 */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  async get<T>(path: string, query: Query = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const url = path + (params.size ? `?${params}` : '');
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } });
    } catch (e) {
      throw new ApiFailure(0, (e as Error).message);
    }
    if (res.status === 401) this.onUnauthorized();
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiFailure(res.status, body?.message ?? `${res.status} ${res.statusText}`);
    return body as T;
  }

  /** Every page of a list endpoint, up to `max` items. */
  async all<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = null;
    do {
      const page: { items: T[]; next: string | null } = await this.get(path, { ...query, limit: 1000, next });
      out.push(...page.items);
      next = page.next;
    } while (next && out.length < max);
    return out;
  }
}

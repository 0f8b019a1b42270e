/**
 * @module web/context
 * What every view gets: the API client, who is signed in, organisation names, navigation, and a place to register
 * clean-ups (charts) that run when the view is left.
 */
import type { Api } from './api.js';
import type { Me, Organisation } from './types.js';

export interface Ctx {
  api: Api;
  me: Me;
  orgs: Map<string, Organisation>;
  orgName(tenant: string): string;
  go(hash: string): void;
  onLeave(fn: () => void): void;
  /** Query parameters of the current route (`#/findings?type=brute_force`). */
  params: URLSearchParams;
}

export const isOperator = (ctx: Ctx) => ctx.me.role === 'operator';

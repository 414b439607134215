// Roles as the dashboard shows and compares them: admin > editor > viewer. The API
// enforces them (403 when a role is too low); the dashboard only hides what a role
// cannot do, and offers no more than the caller's own role where one is chosen.
import type { User } from '../api/types'

export type Role = User['role']

/** Highest first. */
export const ROLES: readonly Role[] = ['admin', 'editor', 'viewer']

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 }

export const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', editor: 'Editor', viewer: 'Viewer' }

export const ROLE_HINTS: Record<Role, string> = {
  admin: 'Everything, users and the audit log included',
  editor: 'Targets, channels and status pages',
  viewer: 'Read only',
}

/** Whether `role` may do what `least` may; an unknown role may do nothing. */
export function roleAtLeast(role: Role | null | undefined, least: Role): boolean {
  return role !== null && role !== undefined && (RANK[role] ?? 0) >= RANK[least]
}

/** The roles someone with `role` may hand out (to an API key): their own and below. */
export function rolesUpTo(role: Role | null | undefined): Role[] {
  return ROLES.filter((r) => roleAtLeast(role, r))
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v)
}

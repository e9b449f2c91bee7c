import type { Readable } from 'node:stream';
import type { SourceItem } from '../types.ts';
import { jsonLines } from './gatehouse.ts';
import { blankToUndefined, isRecord } from './shared.ts';

interface UserResource {
  readonly line: number;
  readonly id: string;
  readonly email: unknown;
  readonly passwordHash: unknown;
  readonly emailVerified: unknown;
  readonly firstName: unknown;
  readonly lastName: unknown;
}

interface Membership {
  readonly id: unknown;
  readonly profile: string | undefined;
}

interface ProfileNames {
  readonly given: string | undefined;
  readonly family: string | undefined;
}

const PROFILE_TYPES = new Set(['Patient', 'Practitioner', 'RelatedPerson']);

/** `User/abc` → `abc`; anything else → undefined. */
function referenced(reference: unknown, type?: string): string | undefined {
  if (!isRecord(reference) || typeof reference.reference !== 'string') return undefined;
  const [kind, id, ...rest] = reference.reference.split('/');
  if (id === undefined || rest.length > 0 || (type !== undefined && kind !== type)) return undefined;
  return id;
}

function names(resource: Record<string, unknown>): ProfileNames {
  const name = Array.isArray(resource.name) ? (resource.name[0] as unknown) : undefined;
  if (!isRecord(name)) return { given: undefined, family: undefined };
  const given = Array.isArray(name.given) ? name.given.filter((part): part is string => typeof part === 'string').join(' ') : undefined;
  return { given: given === '' ? undefined : given, family: typeof name.family === 'string' ? name.family : undefined };
}

/**
 * Medplum's bulk-export NDJSON: `User` (email, passwordHash), `ProjectMembership` (links a user
 * to its profile) and `Patient`/`Practitioner`/`RelatedPerson` resources, in any order. A user
 * is emitted as soon as its User, membership and profile have all been read; the rest wait in
 * memory (only the few fields needed) until the end of the file, where users whose membership
 * or profile never came are emitted with what is known. Other resource types are ignored.
 */
export async function* medplumFormat(input: Readable): AsyncGenerator<SourceItem> {
  const users = new Map<string, UserResource>();
  const memberships = new Map<string, Membership>();
  const profiles = new Map<string, ProfileNames>();
  const userOfProfile = new Map<string, string>();

  const complete = (userId: string, final: boolean): SourceItem | undefined => {
    const user = users.get(userId);
    const membership = memberships.get(userId);
    if (user === undefined) return undefined;
    const profile = membership?.profile === undefined ? undefined : profiles.get(membership.profile);
    if (!final && (membership === undefined || (membership.profile !== undefined && profile === undefined))) return undefined;
    users.delete(userId);
    memberships.delete(userId);
    if (membership?.profile !== undefined) {
      profiles.delete(membership.profile);
      userOfProfile.delete(membership.profile);
    }
    const [profileType, profileId] = membership?.profile?.split('/') ?? [];
    return {
      line: user.line,
      value: {
        email: user.email,
        passwordHash: blankToUndefined(user.passwordHash),
        emailVerified: typeof user.emailVerified === 'boolean' ? user.emailVerified : undefined,
        name: profile?.given ?? blankToUndefined(user.firstName),
        surname: profile?.family ?? blankToUndefined(user.lastName),
        ids: {
          user: user.id,
          ...(profileId !== undefined && { profile: profileId, profileType }),
          ...(typeof membership?.id === 'string' && { membership: membership.id }),
        },
      },
    };
  };

  for await (const item of jsonLines(input)) {
    if (!('value' in item)) {
      yield item;
      continue;
    }
    const resource = item.value;
    if (!isRecord(resource)) {
      yield { line: item.line, failed: { line: item.line, field: 'line', error: 'line is not a FHIR resource' } };
      continue;
    }
    const type = resource.resourceType;
    let userId: string | undefined;
    if (type === 'User') {
      if (typeof resource.id !== 'string' || resource.id === '') {
        yield { line: item.line, failed: { line: item.line, field: 'id', error: 'User has no id' } };
        continue;
      }
      userId = resource.id;
      users.set(userId, {
        line: item.line,
        id: userId,
        email: resource.email,
        passwordHash: resource.passwordHash,
        emailVerified: resource.emailVerified,
        firstName: resource.firstName,
        lastName: resource.lastName,
      });
    } else if (type === 'ProjectMembership') {
      userId = referenced(resource.user, 'User');
      const profileRef =
        isRecord(resource.profile) && typeof resource.profile.reference === 'string' ? resource.profile.reference : undefined;
      const profileType = profileRef?.split('/')[0];
      if (userId === undefined || memberships.has(userId)) continue;
      const profile = profileType !== undefined && PROFILE_TYPES.has(profileType) ? profileRef : undefined;
      memberships.set(userId, { id: resource.id, profile });
      if (profile !== undefined) userOfProfile.set(profile, userId);
    } else if (typeof type === 'string' && PROFILE_TYPES.has(type) && typeof resource.id === 'string') {
      const reference = `${type}/${resource.id}`;
      profiles.set(reference, names(resource));
      userId = userOfProfile.get(reference);
    }
    if (userId !== undefined) {
      const done = complete(userId, false);
      if (done !== undefined) yield done;
    }
  }
  for (const userId of [...users.keys()]) {
    const done = complete(userId, true);
    if (done !== undefined) yield done;
  }
}

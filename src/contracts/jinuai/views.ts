import type { Static } from 'typebox';
import type { User } from '../../core/users.ts';
import type { UserPublic } from './schemas.ts';

/**
 * JinuAI has one `name`; Gatehouse keeps given and family names (Ovok's FHIR profile). A name
 * set through JinuAI is kept whole as the given name, so it reads back unchanged.
 */
export function jinuaiName(user: Pick<User, 'first_name' | 'last_name'>): string {
  return user.last_name === '' ? user.first_name : `${user.first_name} ${user.last_name}`.trim();
}

export function publicUser(user: User): Static<typeof UserPublic> {
  return {
    name: jinuaiName(user),
    email: user.email,
    account: user.account,
    id: user.id,
    roles: user.role === 'admin' ? 'admin' : 'user',
    is_active: user.is_active,
    is_verified: user.email_verified,
    is_superuser: user.is_superuser,
    bio: user.bio,
    dob: user.dob,
    phone: user.phone,
    avatar_photo_id: user.avatar_photo_id,
    deleted_at: user.deletion_scheduled_at === null ? null : user.deletion_scheduled_at.toISOString().slice(0, 10),
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}

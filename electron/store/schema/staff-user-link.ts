/**
 * Store schema step 7: the sign-in account a staff record is linked to (staff_member.userId,
 * shared/entities/staff-member.ts), so My day opens on the user's own practitioner and a
 * note's author id reads as a name. Appended to MIGRATIONS; never edit once shipped.
 *
 * The personnel cursor goes back to the beginning (as a restored copy's do,
 * restored-copy.ts): rows pulled before this step lack the link, and the server would not
 * send them again until they change. Staff rows are few, so re-pulling them is cheap.
 *
 * Not unique here, unlike on the server: the compacted feed may bring a user's new staff
 * record before the old one's unlinking, and a refused page would stall the whole domain.
 */
export const STAFF_USER_LINK_SQL = `
  ALTER TABLE staff_members ADD COLUMN user_id TEXT;
  CREATE INDEX staff_members_user ON staff_members (user_id) WHERE user_id IS NOT NULL;
  DELETE FROM sync_cursors WHERE domain = 'personnel';
`;

/**
 * Demo people of the platform: the default course's instructor and learners, a site administrator, and a visiting
 * guest (not enrolled in any course; launched with an empty roles claim).
 */
import { ids } from './profiles.js';
import type { DemoRole, Profile, User } from './types.js';

const PEOPLE: Array<[given: string, family: string, role: DemoRole]> = [
  ['Margaret', 'Hamilton', 'admin'],
  ['Ada', 'Lovelace', 'instructor'],
  ['Alan', 'Turing', 'learner'],
  ['Grace', 'Hopper', 'learner'],
  ['Katherine', 'Johnson', 'learner'],
  ['Edsger', 'Dijkstra', 'learner'],
  ['Barbara', 'Liskov', 'learner'],
  ['Hedy', 'Lamarr', 'guest'],
];

/** Canvas' default avatar, what it sends as `picture` for users without one. */
const CANVAS_AVATAR = 'https://canvas.instructure.com/images/messages/avatar-50.png';

export function makeUser(profile: Profile, seq: number, givenName: string, familyName: string, role: DemoRole): User {
  const user: User = {
    id: ids.userId(profile, seq),
    givenName,
    familyName,
    name: `${givenName} ${familyName}`,
    email: `${givenName}.${familyName}@example.edu`.toLowerCase(),
    username: `${givenName[0]}${familyName}`.toLowerCase(),
    role,
    // Moodle sends the user's idnumber, empty unless an SIS filled it.
    sourcedId: profile === 'moodle' ? '' : `sis-${1000 + seq}`,
  };
  if (profile === 'canvas') user.picture = CANVAS_AVATAR;
  return user;
}

/** The demo people, in sequence 1..n (with Moodle ids, the admin is user 2, as in a fresh Moodle). */
export function demoPeople(profile: Profile): User[] {
  return PEOPLE.map(([given, family, role], i) => makeUser(profile, i + 1, given, family, role));
}

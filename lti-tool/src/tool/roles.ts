/**
 * LTI role URIs to our course roles. Platforms send context (membership) roles, institution roles and system
 * roles, in long (URI) or short form; Moodle sends Instructor or Learner plus administrator roles, Canvas
 * several at once. Context roles decide; institution and system roles only add `administrator` (an LMS admin
 * launching into a course may manage it). Unknown roles are ignored. A person with no role this tool knows (an
 * empty roles array, which LTI 1.3 allows, or only unknown roles) is a `guest`: the least rights.
 */
export type ToolCourseRole = 'instructor' | 'teaching_assistant' | 'learner' | 'mentor' | 'administrator' | 'guest';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

/** Context role names (the part after `membership#`, or a sub-role's parent) to our roles. */
const CONTEXT: Record<string, ToolCourseRole> = {
  Instructor: 'instructor',
  ContentDeveloper: 'instructor',
  Manager: 'instructor',
  TeachingAssistant: 'teaching_assistant',
  Learner: 'learner',
  Member: 'learner',
  Mentor: 'mentor',
  Administrator: 'administrator',
};

/** Parses one role into its scope and name; null when it is not an LTI role. */
function parse(role: string): { scope: 'context' | 'institution' | 'system'; name: string; sub?: string } | null {
  const r = role.trim();
  if (r.startsWith(LIS)) {
    const rest = r.slice(LIS.length);
    const m = /^(membership|institution\/person|system\/person)(?:\/([A-Za-z]+))?#([A-Za-z]+)$/.exec(rest);
    if (!m) return null;
    const scope = m[1] === 'membership' ? 'context' : m[1] === 'institution/person' ? 'institution' : 'system';
    // membership/Instructor#TeachingAssistant: a sub-role; the sub-role name is what matters.
    return m[2] ? { scope, name: m[3]!, sub: m[2] } : { scope, name: m[3]! };
  }
  // Short forms are context roles (LTI 1.3 core, deprecated but still sent): "Instructor", "Learner".
  if (/^[A-Za-z]+$/.test(r)) return { scope: 'context', name: r };
  return null;
}

export function mapLtiRoles(roles: readonly string[]): ToolCourseRole[] {
  const out = new Set<ToolCourseRole>();
  for (const role of roles) {
    if (typeof role !== 'string') continue;
    const p = parse(role);
    if (!p) continue;
    if (p.scope === 'context') {
      const mapped = CONTEXT[p.name] ?? (p.sub ? CONTEXT[p.sub] : undefined);
      if (mapped) out.add(mapped);
    } else if (p.name === 'Administrator' || p.name === 'SysAdmin') {
      out.add('administrator');
    }
  }
  // A teaching assistant sub-role of Instructor is only a TA.
  if (out.has('teaching_assistant') && roles.some((r) => /membership\/Instructor#TeachingAssistant$/.test(r))) out.delete('instructor');
  return out.size ? [...out] : ['guest'];
}

/** Context types arrive as `CourseSection` (Moodle) or a full URI (Canvas). True when it is a course of any kind. */
export function isCourseContext(types: unknown): boolean {
  if (!Array.isArray(types) || types.length === 0) return true; // absent: treat the context as a course
  return types.some((t) => typeof t === 'string' && /(?:^|#)(CourseOffering|CourseSection|CourseTemplate|Group)$/.test(t));
}

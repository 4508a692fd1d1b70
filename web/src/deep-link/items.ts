/**
 * The deep-linking picker's choices and the items they become. Pure, for the view and for tests.
 */
import { COURSE_SECTIONS, type CourseSectionSlug, SECTION_INFO, toApiSection } from '../courses/sections';
import type { DeepLinkItemInput } from '../graphql/deep-link';

const DEFAULT_POINTS = 100;
export const MAX_TITLE_LENGTH = 200;

export interface DeepLinkChoice {
  section: CourseSectionSlug;
  selected: boolean;
  title: string;
  /** Only offered where SECTION_INFO says the section is gradable. */
  graded: boolean;
  /** From a number input: a number, or '' while empty. */
  points: number | string;
}

/** One choice per section, in tab order, with default titles; the hub preselected when only one item can be added. */
export function initialChoices(acceptMultiple: boolean): DeepLinkChoice[] {
  return COURSE_SECTIONS.map((section) => ({
    section,
    selected: !acceptMultiple && section === 'hub',
    title: SECTION_INFO[section].linkTitle,
    graded: false,
    points: DEFAULT_POINTS,
  }));
}

/** Select `section`; without `acceptMultiple` that deselects every other choice. */
export function select(choices: DeepLinkChoice[], section: CourseSectionSlug, selected: boolean, acceptMultiple: boolean): void {
  for (const choice of choices) {
    if (choice.section === section) choice.selected = selected;
    else if (!acceptMultiple && selected) choice.selected = false;
  }
}

export function pointsValue(points: number | string): number | null {
  const value = typeof points === 'number' ? points : points.trim() === '' ? NaN : Number(points);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** What is wrong with a selected choice, or null. */
export function choiceProblem(choice: DeepLinkChoice): string | null {
  const title = choice.title.trim();
  if (!title) return 'Give it a title.';
  if (title.length > MAX_TITLE_LENGTH) return `Keep the title under ${MAX_TITLE_LENGTH} characters.`;
  if (SECTION_INFO[choice.section].gradable && choice.graded && pointsValue(choice.points) === null) {
    return 'Points must be a number above 0.';
  }
  return null;
}

export type BuildResult = { ok: true; items: DeepLinkItemInput[] } | { ok: false; message: string };

/** The `submitDeepLink` items of the selected choices, or why they cannot be sent yet. */
export function buildItems(choices: readonly DeepLinkChoice[]): BuildResult {
  const selected = choices.filter((choice) => choice.selected);
  if (selected.length === 0) return { ok: false, message: 'Choose what the link should open.' };
  for (const choice of selected) {
    const problem = choiceProblem(choice);
    if (problem) return { ok: false, message: `${SECTION_INFO[choice.section].name}: ${problem}` };
  }
  return {
    ok: true,
    items: selected.map((choice) => {
      const item: DeepLinkItemInput = { section: toApiSection(choice.section), title: choice.title.trim() };
      if (SECTION_INFO[choice.section].gradable) {
        item.graded = choice.graded;
        if (choice.graded) item.scoreMaximum = pointsValue(choice.points);
      }
      return item;
    }),
  };
}

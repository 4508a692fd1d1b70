import { describe, expect, it, vi } from 'vitest';
import { buildItems, initialChoices, pointsValue, select } from './items';
import { isReturnUrl, postToLms, type FormDocument } from './return';

describe('deep-link choices', () => {
  it('starts with every section, default titles, and the hub chosen for a single item', () => {
    const single = initialChoices(false);
    expect(single.map((c) => [c.section, c.title])).toEqual([
      ['hub', 'Course hub'],
      ['chat', 'Course chat'],
      ['tutor', 'AI tutor'],
      ['live', 'Live class'],
      ['collab', 'Collab exercise'],
      ['schedule', 'Course schedule'],
    ]);
    expect(single.filter((c) => c.selected).map((c) => c.section)).toEqual(['hub']);
    expect(initialChoices(true).some((c) => c.selected)).toBe(false);
    expect(single.every((c) => c.points === 100 && !c.graded)).toBe(true);
  });

  it('selects one at a time, or several when the LMS accepts several', () => {
    const single = initialChoices(false);
    select(single, 'chat', true, false);
    expect(single.filter((c) => c.selected).map((c) => c.section)).toEqual(['chat']);

    const multiple = initialChoices(true);
    select(multiple, 'chat', true, true);
    select(multiple, 'live', true, true);
    select(multiple, 'chat', false, true);
    expect(multiple.filter((c) => c.selected).map((c) => c.section)).toEqual(['live']);
  });
});

describe('buildItems', () => {
  it('needs a choice', () => {
    expect(buildItems(initialChoices(true))).toEqual({ ok: false, message: 'Choose what the link should open.' });
  });

  it('sends titles trimmed, and grading only for gradable sections', () => {
    const choices = initialChoices(true);
    select(choices, 'chat', true, true);
    select(choices, 'live', true, true);
    select(choices, 'collab', true, true);
    choices[1]!.title = '  Week 1 chat ';
    choices[1]!.graded = true; // not offered for chat: ignored
    choices[3]!.graded = true;
    choices[3]!.points = 20;
    expect(buildItems(choices)).toEqual({
      ok: true,
      items: [
        { section: 'CHAT', title: 'Week 1 chat' },
        { section: 'LIVE', title: 'Live class', graded: true, scoreMaximum: 20 },
        { section: 'COLLAB', title: 'Collab exercise', graded: false },
      ],
    });
  });

  it('explains what is missing', () => {
    const choices = initialChoices(false);
    choices[0]!.title = '  ';
    expect(buildItems(choices)).toEqual({ ok: false, message: 'Course hub: Give it a title.' });

    select(choices, 'live', true, false);
    choices[3]!.graded = true;
    choices[3]!.points = '';
    expect(buildItems(choices)).toEqual({ ok: false, message: 'Live class: Points must be a number above 0.' });
    expect(pointsValue(0)).toBeNull();
    expect(pointsValue('12.5')).toBe(12.5);
  });
});

describe('postToLms', () => {
  it('submits a form with the JWT to the return URL', () => {
    const created: Record<string, unknown>[] = [];
    const appended: unknown[] = [];
    const submit = vi.fn();
    const doc = {
      createElement: (tag: string) => {
        const el: Record<string, unknown> = { tag, children: [] as unknown[] };
        el['appendChild'] = (child: unknown) => (el['children'] as unknown[]).push(child);
        if (tag === 'form') el['submit'] = submit;
        created.push(el);
        return el;
      },
      body: { appendChild: (child: unknown) => appended.push(child) },
    } as unknown as FormDocument;

    postToLms(doc, 'https://lms.example/deep-link/return', 'signed.jwt.value');
    const [form, input] = created;
    expect(form).toMatchObject({ tag: 'form', method: 'post', action: 'https://lms.example/deep-link/return' });
    expect(input).toMatchObject({ tag: 'input', type: 'hidden', name: 'JWT', value: 'signed.jwt.value' });
    expect(form?.['children']).toEqual([input]);
    expect(appended).toEqual([form]);
    expect(submit).toHaveBeenCalledOnce();
  });

  it('refuses return URLs that are not http(s)', () => {
    expect(isReturnUrl('javascript:alert(1)')).toBe(false);
    expect(isReturnUrl('/relative')).toBe(false);
    expect(isReturnUrl('http://localhost:8080/return')).toBe(true);
    expect(() => postToLms({} as FormDocument, 'data:text/html,hi', 'x')).toThrow();
  });
});

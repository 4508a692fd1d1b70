import { describe, expect, it } from 'vitest';
import { actionLabel, changesOf } from './audit';

describe('audit entries', () => {
  it('lists what changed, key by key', () => {
    expect(changesOf({ roles: ['learner'], status: 'active' }, { roles: ['teaching_assistant'], status: 'active' })).toEqual([
      { key: 'roles', from: 'learner', to: 'teaching_assistant' },
    ]);
    expect(changesOf(null, { name: 'Group B' })).toEqual([{ key: 'name', from: '', to: 'Group B' }]);
    expect(changesOf({ muted: true }, null)).toEqual([{ key: 'muted', from: 'true', to: '' }]);
    expect(changesOf(null, null)).toEqual([]);
    expect(changesOf('a', 'b')).toEqual([{ key: 'value', from: 'a', to: 'b' }]);
  });

  it('labels entity and action', () => {
    expect(actionLabel('tutor_settings', 'budgets_changed')).toBe('Tutor settings budgets changed');
  });
});

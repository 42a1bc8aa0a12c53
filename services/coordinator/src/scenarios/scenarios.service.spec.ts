import { declaredKeys } from '@tlbsim/contracts';
import type { CoordinatorOptions } from '../coordinator.options';
import { ScenariosService } from './scenarios.service';

describe('ScenariosService.fields (the submit form hints)', () => {
  const fields = new ScenariosService({ scenariosDir: '/nonexistent' } as CoordinatorOptions).fields();

  it('gives every declared key its declared unit and meaning, and every bounded one its range', () => {
    for (const [path, decl] of declaredKeys()) {
      expect([path, fields.hints[path]]).toEqual([
        path,
        { unit: 'unit' in decl ? decl.unit : '', description: decl.description },
      ]);
      if (decl.kind === 'integer' || decl.kind === 'number')
        expect([path, fields.limits[path]]).toEqual([
          path,
          { min: decl.min, max: decl.max, integer: decl.kind === 'integer' },
        ]);
      if (decl.kind === 'enum') expect([path, fields.enums[path]]).toEqual([path, decl.values]);
    }
    expect(fields.hints['fleet.hosts'].unit).toBe('hosts');
  });
});

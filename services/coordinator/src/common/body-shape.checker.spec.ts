import { BODY_DEPTH_MAX, bodyShapeError } from './body-shape.checker';

describe('bodyShapeError', () => {
  it('accepts a scenario-shaped body', () => {
    expect(bodyShapeError({ scenario: { fleet: { hosts: 2 } }, overrides: ['a.b=1'] })).toBeNull();
  });

  it('names the depth limit beyond it, without recursing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(bodyShapeError({ x: deep })).toMatchObject({ constraint: 'maxDepth', limit: BODY_DEPTH_MAX });
  });

  it('names prototype keys with their path', () => {
    expect(bodyShapeError(JSON.parse('{"a":{"__proto__":{}}}'))).toMatchObject({
      path: 'a.__proto__',
      constraint: 'forbiddenKey',
    });
    expect(bodyShapeError({ constructor: 1 })).toMatchObject({ path: 'constructor' });
  });
});

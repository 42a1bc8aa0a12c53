import { requestFieldErrors } from './request-field.messages';

describe('requestFieldErrors', () => {
  it('words request fields like the CLI words scenario keys, with the limits of the key they stand for', () => {
    expect(requestFieldErrors('shards', 0, 'min', 'shards must not be less than 1')[0].message).toBe(
      'shards: 0 is below the minimum 1',
    );
    expect(requestFieldErrors('seed', 1.5, 'isInt', 'seed must be an integer number')[0].message).toBe(
      'seed: 1.5 is not an integer (allowed: 0..4294967295)',
    );
    expect(requestFieldErrors('limit', 500, 'max', 'limit must not be greater than 200')[0]).toMatchObject({
      message: 'limit: 500 exceeds the maximum 200',
      limit: 200,
    });
    expect(requestFieldErrors('colour', 'red', 'whitelistValidation', 'property colour should not exist')[0]).toEqual({
      path: 'colour',
      value: undefined,
      constraint: 'unknownKey',
      message: 'colour: unknown key',
    });
  });

  it('names each bad policy of a list, with "did you mean"', () => {
    const errors = requestFieldErrors(
      'policies',
      ['overhaul', 'overhual', 'yolo'],
      'isIn',
      'each value in policies must be one of the following values: pre-overhaul, overhaul',
    );
    expect(errors.map((e) => e.message)).toEqual([
      'policies: "overhual" is not one of pre-overhaul, overhaul; did you mean overhaul?',
      'policies: "yolo" is not one of pre-overhaul, overhaul',
    ]);
  });
});

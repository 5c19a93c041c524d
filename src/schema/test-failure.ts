/** Why a connection test failed: a result of tests, of health checks, and of failed writes that tested first. */
import { builder } from '../builder.ts';
import { TEST_FAILURES, type TestFailure } from '../connectivity/errors.ts';

export const TestFailureType = builder.objectRef<TestFailure>('ConnectionTestFailure').implement({
  description: 'Why a connection test failed, in words that hold no secret.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description: Object.entries(TEST_FAILURES)
        .map(([code, words]) => `${code}: ${words}`)
        .join(' '),
    }),
    message: t.exposeString('message'),
  }),
});

/**
 * A library that deprecates an option we use says so only in a process warning: a test that
 * brings one about fails, so that an upgrade cannot leave such a line in every start.
 */
const warnings: string[] = [];

beforeAll(() => {
  // Libraries warn through the test's own process object, whose listeners are not the real process's.
  jest.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
});

afterEach(() => {
  expect(warnings.splice(0)).toEqual([]);
});

afterAll(() => {
  expect(warnings.splice(0)).toEqual([]);
});

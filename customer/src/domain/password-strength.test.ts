import { isStrongPassword } from './password-strength';

describe('password strength', () => {
  test('When a password is common, a sequence or the email itself, then it is weak; a few unrelated words are strong', () => {
    expect(isStrongPassword('password')).toBe(false);
    expect(isStrongPassword('12345678')).toBe(false);
    expect(isStrongPassword('qwertyuiop')).toBe(false);
    expect(isStrongPassword('ana.lopez@example.com', ['ana.lopez@example.com'])).toBe(false);
    expect(isStrongPassword('violet kettle harbour spline')).toBe(true);
  });
});

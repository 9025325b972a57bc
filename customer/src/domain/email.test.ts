import { normaliseEmail } from './email';

describe('email', () => {
  test('When an email is typed with spaces or capitals, then it names the same account', () => {
    expect(normaliseEmail('  Ana.Lopez@Example.COM ')).toBe('ana.lopez@example.com');
    expect(normaliseEmail('ana.lopez@example.com')).toBe(normaliseEmail('ANA.LOPEZ@EXAMPLE.COM'));
  });
});

import { capturingLogger } from '../../testing/capturing-logger';
import { writeAccessLine } from './access-log';
import { runWithContext } from './request-context';

describe('the logger', () => {
  test('When a line is written while serving a request, then it carries the request id', () => {
    const { lines, logger } = capturingLogger('test');
    runWithContext({ requestId: 'req-42' }, () => logger.info('inside'));
    logger.info('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'inside', requestId: 'req-42', service: 'test', level: 'info' });
    expect(JSON.parse(lines[1]!).requestId).toBeUndefined();
  });

  test('When secrets reach a log call, then they never reach the line', () => {
    const { lines, logger } = capturingLogger('test');
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    logger.info(`login with Bearer ${token}`, {
      body: { email: 'a@b.c', password: 'hunter2-secret' },
      headers: { authorization: `Bearer ${token}`, 'x-other': 'fine' },
      passwordHash: '$2a$10$abcdefghijklmnopqrstuv',
      url: 'amqp://user:pa55word@127.0.0.1:5672',
      nested: { deeper: { token: 'tok-123' } },
    });
    const line = lines.join('');
    for (const secret of ['hunter2-secret', token, 'pa55word', 'tok-123', '$2a$10$abc']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ body: { email: 'a@b.c', password: '[redacted]' }, headers: { 'x-other': 'fine' } });
  });

  test('When a request finishes, then its access line has the request id, the fields, a masked path, and obeys the level', () => {
    const { lines, logger } = capturingLogger('test');
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    writeAccessLine(logger, { method: 'GET', path: `/x/${token}"`, status: 200, ms: 1.5, requestId: 'req-7' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'http',
      message: 'request',
      method: 'GET',
      path: '/x/[redacted]"',
      status: 200,
      ms: 1.5,
      requestId: 'req-7',
      service: 'test',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    logger.level = 'info';
    writeAccessLine(logger, { method: 'GET', path: '/', status: 200, ms: 1 });
    expect(lines).toHaveLength(1);
  });
});

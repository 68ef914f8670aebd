import { BadRequestError, ServiceUnavailableError } from './app-error';
import { unavailableError } from './unavailable';

const withProps = (message: string, props: object) => Object.assign(new Error(message), props);

describe('unavailableError', () => {
  it.each([
    ['PostgreSQL shutting down (SQLSTATE 57P01) under a Prisma error', withProps('Invalid invocation', { name: 'PrismaClientKnownRequestError', code: 'P2010', cause: withProps('terminating connection due to administrator command', { code: '57P01' }) }), /database is unavailable/],
    ["Prisma's can't reach the server", withProps("Can't reach database server at 127.0.0.1:5432", { name: 'PrismaClientInitializationError', code: 'P1001' }), /database is unavailable/],
    ['a refused connection from the driver adapter', withProps('connect ECONNREFUSED 127.0.0.1:5432', { name: 'DriverAdapterError', cause: { code: 'ECONNREFUSED' } }), /database is unavailable/],
    ['an S3 client error around a refused connection', withProps('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000', { $metadata: { attempts: 3 } }), /blob store is unavailable/],
    ['S3 answering 503 SlowDown', withProps('Please reduce your request rate', { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }), /blob store is unavailable/],
    ['a full disk', withProps('ENOSPC: no space left on device, write', { code: 'ENOSPC' }), /blob store is full/],
  ])('is a 503 for %s', (_what, err, says) => {
    const r = unavailableError(err);
    expect(r).toBeInstanceOf(ServiceUnavailableError);
    expect(r!.status).toBe(503);
    expect(r!.message).toMatch(says);
    expect(r!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('leaves other errors alone', () => {
    expect(unavailableError(new Error('boom'))).toBeUndefined();
    expect(unavailableError(withProps('Unique constraint failed', { code: 'P2002' }))).toBeUndefined();
    expect(unavailableError(new BadRequestError('bad'))).toBeUndefined();
    expect(unavailableError('a string')).toBeUndefined();
    const loop: { cause?: unknown; message: string } = { message: 'cycle' };
    loop.cause = loop;
    expect(unavailableError(loop)).toBeUndefined();
  });
});

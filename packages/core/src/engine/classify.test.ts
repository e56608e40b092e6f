import { describe, expect, it } from 'vitest';
import { CrmsyncError, soapFaultKind } from '../contracts/errors.js';
import { classifyError, errorMessage, isCrmLevelFailure } from './classify.js';

/** Errors shaped exactly as the drivers throw them (fields copied from mysql2 and pg). */
const mysqlError = (code: string, errno: number, message: string) =>
  Object.assign(new Error(message), { code, errno, sqlState: '28000', fatal: true });
const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code, severity: 'FATAL', routine: 'auth_failed' });

describe('classifyError', () => {
  it('classes refused database credentials as auth: MySQL 1045 and 1698, PostgreSQL 28P01', () => {
    expect(
      classifyError(mysqlError('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'r'@'h'")),
    ).toBe('auth');
    expect(
      classifyError(
        mysqlError('ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 1698, "Access denied for user 'x'@'h'"),
      ),
    ).toBe('auth');
    expect(
      classifyError(pgError('28P01', 'password authentication failed for user "reader"')),
    ).toBe('auth');
    // Wrapped by a plugin without a kind of its own, the cause still tells.
    const wrapped = new Error('could not open the CRM database', {
      cause: pgError('28000', 'no pg_hba.conf entry'),
    });
    expect(classifyError(wrapped)).toBe('auth');
  });

  it('keeps network failures transient and the rest system', () => {
    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(
      'transient',
    );
    expect(classifyError(pgError('42P01', 'relation "x" does not exist'))).toBe('system');
  });
});

describe('isCrmLevelFailure', () => {
  it('is true for refused credentials, a refused connection and an unknown host, not for a bad page', () => {
    expect(isCrmLevelFailure(new CrmsyncError('auth', 'hubspot: 401'), 'auth')).toBe(true);
    const refused = new CrmsyncError('transient', 'faker: network error', {
      crm: 'faker',
      code: 'ECONNREFUSED',
    });
    expect(isCrmLevelFailure(refused, 'transient')).toBe(true);
    const dns = new Error('getaddrinfo ENOTFOUND crm.example', {
      cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }),
    });
    expect(isCrmLevelFailure(dns, 'transient')).toBe(true);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isCrmLevelFailure(reset, 'transient')).toBe(false);
    expect(isCrmLevelFailure(new CrmsyncError('data', 'bad page'), 'data')).toBe(false);
  });
});

describe('errorMessage', () => {
  it('removes credentials from URLs in the message and its cause', () => {
    const error = new Error('request to http://u:hunter2-pw@crm.local/v1 failed', {
      cause: new Error('connect to postgres://app:hunter2-pw@db/crm refused'),
    });
    const message = errorMessage(error);
    expect(message).not.toContain('hunter2-pw');
    expect(message).toBe(
      'request to http://***@crm.local/v1 failed: connect to postgres://***@db/crm refused',
    );
  });

  it('is already clean on a CrmsyncError, whoever built its message', () => {
    expect(new CrmsyncError('transient', 'x (https://k:v-secret@h/p)').message).toBe(
      'x (https://***@h/p)',
    );
  });
});

describe('soapFaultKind', () => {
  it('classes authentication faults as auth, server faults as transient, others as data', () => {
    expect(soapFaultKind({ code: 'soapenv:Client', subcode: 'sf:INVALID_LOGIN' })).toBe('auth');
    expect(soapFaultKind({ code: 'wsse:FailedAuthentication' })).toBe('auth');
    expect(soapFaultKind({ code: 'soap:Sender', reason: 'Authentication failed for user x' })).toBe(
      'auth',
    );
    expect(soapFaultKind({ code: 'soap:Receiver', reason: 'Service unavailable' })).toBe(
      'transient',
    );
    expect(soapFaultKind({ code: 'soapenv:Client', reason: 'Element Id is missing' })).toBe('data');
  });
});

import { destinationCreateSchema, djCreateSchema } from '@streamcaster/contracts';
import { describe, expect, it } from 'vitest';
import { serverFormErrors, zodFormErrors } from './form-errors';

describe('serverFormErrors', () => {
  const fields = ['name', 'url', 'streamKey'];

  it('puts a message that starts with a field name next to that field', () => {
    expect(serverFormErrors('name must not be empty', fields)).toEqual({ fields: { name: 'name must not be empty' }, form: null });
    expect(serverFormErrors('url must be an rtmp:// or rtmps:// URL with a host', fields).fields.url).toMatch(/^url must/);
  });

  it("splits the gateway's `path: message; path: message` into their fields", () => {
    const errors = serverFormErrors('name: name must not be empty; streamKey: streamKey must not contain spaces', fields);
    expect(errors).toEqual({ fields: { name: 'name must not be empty', streamKey: 'streamKey must not contain spaces' }, form: null });
  });

  it('finds the field in a nested path (the bus wraps a patch)', () => {
    expect(serverFormErrors('patch.name: name is longer than 100 characters', fields).fields.name).toBe('name is longer than 100 characters');
  });

  it('does not take a longer word for a field (streamKey is not "stream", "names" is not "name")', () => {
    expect(serverFormErrors('streamKey must not be empty', ['stream', 'streamKey']).fields).toEqual({ streamKey: 'streamKey must not be empty' });
    expect(serverFormErrors('names are unique', fields)).toEqual({ fields: {}, form: 'names are unique' });
  });

  it('leaves everything else to the form', () => {
    expect(serverFormErrors('e-mail or password is wrong', ['email', 'password'])).toEqual({ fields: {}, form: 'e-mail or password is wrong' });
    expect(serverFormErrors('the publisher service is not available', fields).form).toBe('the publisher service is not available');
  });
});

describe('zodFormErrors', () => {
  it("maps the server's own schema's issues to their fields", () => {
    const parsed = djCreateSchema.safeParse({ name: '   ' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(zodFormErrors(parsed.error)).toEqual({ fields: { name: 'name must not be empty' }, form: null });
  });

  it('keeps the first issue per field', () => {
    const parsed = destinationCreateSchema.safeParse({ environment: 'live', platform: 'rtmp', name: '', url: 'http://x', streamKey: 'a b' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      const errors = zodFormErrors(parsed.error);
      expect(Object.keys(errors.fields).sort()).toEqual(['name', 'streamKey', 'url']);
      expect(errors.fields.url).toMatch(/rtmp/);
    }
  });
});

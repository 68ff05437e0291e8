import { describe, expect, it } from 'vitest';
import { checkProjectName, hashKey, keyIdOf, keyMatches, newKey, roleCovers } from './keys.js';

describe('API keys', () => {
  it('are high-entropy, prefixed by role, and stored only as a hash', () => {
    const { key, record } = newKey({ projectId: 'shop', role: 'ingest', name: 'ci', createdBy: 'cli', nowUs: 1 });
    expect(key).toMatch(/^spoor_ingest_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}$/);
    expect(keyIdOf(key)).toBe(record.id);
    expect(record.hash).toBe(hashKey(key));
    expect(JSON.stringify(record)).not.toContain(key.slice(-32));
    const others = new Set(Array.from({ length: 200 }, () => newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: 1 }).key));
    expect(others.size).toBe(200);
  });

  it('match only the key itself, with its own role prefix', () => {
    const { key, record } = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: 1 });
    expect(keyMatches(key, record)).toBe(true);
    expect(keyMatches(key.replace('spoor_read_', 'spoor_admin_'), { ...record, role: 'admin' })).toBe(false);
    expect(keyMatches(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`, record)).toBe(false);
    expect(keyMatches(`${key} `, record)).toBe(false);
    expect(keyIdOf('Bearer nonsense')).toBeNull();
  });

  it('cover what their role allows: admin everything, read reads, ingest ingests', () => {
    expect(roleCovers('admin', 'read')).toBe(true);
    expect(roleCovers('admin', 'ingest')).toBe(true);
    expect(roleCovers('read', 'admin')).toBe(false);
    expect(roleCovers('read', 'ingest')).toBe(false);
    expect(roleCovers('ingest', 'read')).toBe(false);
  });

  it('name one project, or all of them for reading and administering', () => {
    expect(() => checkProjectName('shop-eu.1', 'ingest')).not.toThrow();
    expect(() => checkProjectName('*', 'admin')).not.toThrow();
    expect(() => checkProjectName('*', 'ingest')).toThrow(/ingest key stores under one project/);
    expect(() => checkProjectName('Shop Front', 'read')).toThrow(/not a project name/);
    expect(() => checkProjectName('', 'read')).toThrow(/not a project name/);
  });
});

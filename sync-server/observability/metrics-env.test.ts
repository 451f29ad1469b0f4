import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../config.ts';
import { isLoopback } from './metrics-env.ts';

describe('metrics endpoint configuration', () => {
  it('is off unless CLINICSYNC_METRICS_PORT is set, and then binds 127.0.0.1', () => {
    expect(loadConfig({}).metrics).toEqual({});
    expect(describeConfig(loadConfig({}))).toContain('metrics: off');
    expect(loadConfig({ CLINICSYNC_METRICS_PORT: '9464' }).metrics).toEqual({ listen: { host: '127.0.0.1', port: 9464 } });
  });

  it('refuses to expose metrics beyond loopback without a bearer token, naming the variable', () => {
    expect(() => loadConfig({ CLINICSYNC_METRICS_PORT: '9464', CLINICSYNC_METRICS_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLINICSYNC_METRICS_PORT: '9464', CLINICSYNC_METRICS_HOST: '10.0.0.5' })).toThrow(/CLINICSYNC_METRICS_TOKEN/);
    const token = 'scrape-token-0123456789';
    const options = loadConfig({ CLINICSYNC_METRICS_PORT: '9464', CLINICSYNC_METRICS_HOST: '10.0.0.5', CLINICSYNC_METRICS_TOKEN: token });
    expect(options.metrics).toEqual({ listen: { host: '10.0.0.5', port: 9464, token } });
    expect(describeConfig(options)).toContain('(bearer token)');
    expect(describeConfig(options)).not.toContain(token);
  });

  it('refuses a short or ill-formed token without echoing it, and a port out of range', () => {
    for (const bad of ['short', 'has spaces in it 0123456789', 'x'.repeat(201)]) {
      try {
        loadConfig({ CLINICSYNC_METRICS_PORT: '9464', CLINICSYNC_METRICS_TOKEN: bad });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toContain('CLINICSYNC_METRICS_TOKEN');
        expect((error as Error).message).not.toContain(bad);
      }
    }
    expect(() => loadConfig({ CLINICSYNC_METRICS_PORT: '70000' })).toThrow(/CLINICSYNC_METRICS_PORT/);
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.5', '::', 'metrics.internal', '127.0.0.1.example.com']) expect(isLoopback(host)).toBe(false);
  });
});

import type { FastifyPluginAsync, FastifyPluginCallback } from 'fastify';

/**
 * Gives a plugin the name Fastify would otherwise work out by scanning every loaded module
 * (slow when a test process has thousands loaded).
 */
export function namedPlugin<T extends FastifyPluginAsync | FastifyPluginCallback>(name: string, plugin: T): T {
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: name });
  return plugin;
}

import 'reflect-metadata';
import { Kosha } from '@kosha/core';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app-module.js';

// `node dist/main.js` serves on Express, `--fastify` on Fastify; PORT (default 3000).
const fastify = process.argv.includes('--fastify');
const app = await NestFactory.create(AppModule, fastify ? new FastifyAdapter() : new ExpressAdapter());
app.enableShutdownHooks();
await app.get(Kosha).schema.update();
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`nest example on ${fastify ? 'Fastify' : 'Express'}: ${await app.getUrl()}/users`);

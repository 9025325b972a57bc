import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import type { z } from 'zod';

/**
 * Finds the folder holding `.env`: the working directory or the nearest parent with one, so that a
 * service started from its own folder reads the same files as one started from the repository root.
 */
function findEnvDir(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, '.env'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let envFilesLoaded = false;

/**
 * Real environment first, then `.env`, then `.env.dev`: dotenv never overrides a value already set.
 * In production `.env.dev` is never read: its secrets are public, in this repository.
 */
export function loadEnvFiles(): void {
  if (envFilesLoaded) return;
  envFilesLoaded = true;
  const dir = process.env.ENV_DIR ?? findEnvDir(process.cwd());
  if (dir) readEnvFiles(dir, process.env);
}

export function readEnvFiles(dir: string, env: NodeJS.ProcessEnv): void {
  for (const file of ['.env', '.env.dev']) {
    if (file === '.env.dev' && env.NODE_ENV === 'production') continue;
    const full = path.join(dir, file);
    // quiet: dotenv otherwise prints a line of its own for every file it reads.
    if (fs.existsSync(full)) dotenv.config({ path: full, processEnv: env as dotenv.DotenvPopulateInput, quiet: true });
  }
}

/** Variables that may carry a credential, so that they may come from a file (a Docker or Kubernetes secret). */
export const FILE_VARIABLES = ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY', 'ADMIN_PASSWORD', 'MONGO_URL', 'AMQP_URL', 'CUSTOMER_MONGO_URL', 'PRODUCTS_MONGO_URL', 'SHOPPING_MONGO_URL'];

/** `<NAME>_FILE` names a file whose content (without a final line break) is `<NAME>`. */
export function readFileVariables(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`invalid configuration: set ${name} or ${name}_FILE, not both`);
    try {
      env[name] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new ConfigError(`invalid configuration: ${name}_FILE: cannot read ${file}`);
    }
  }
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment with a schema; the error names every bad variable on one line. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // The input on each issue tells a variable that is not set from one set wrong.
  const result = schema.safeParse(env, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return issue.code === 'invalid_type' && issue.input === undefined ? `${name} is required` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/**
 * Loads `.env` files and `*_FILE` secrets and parses the environment; on a bad or missing variable prints one clear
 * line naming it and stops the process, because a service that starts half-configured fails later
 * in ways that are much harder to read.
 */
export function loadConfig<S extends z.ZodType>(schema: S): z.output<S> {
  loadEnvFiles();
  try {
    readFileVariables();
    return parseConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { publicProductSchema } from '../contracts/product';
import { lineSchema } from '../contracts/shopping-events';

/*
 * What every part of the API document shares, defined once: the error body, a product, the
 * bearer scheme and the shape of a JSON answer. Only the document builders import this (not
 * the services at run time), hence its own entry point, @shop/common/openapi.
 */

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'A stable SNAKE_CASE code', example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().optional().meta({ description: 'For VALIDATION_FAILED: the failing fields, as [{path, message}]' }),
    }),
  })
  .meta({ id: 'ErrorBody' });

/** A product as the API answers it (products' own, and the replicas' copies). */
export const productSchema = publicProductSchema.meta({ id: 'Product' });

/** A cart line, as shopping answers it and the customer view keeps it. */
export const cartLineSchema = lineSchema.meta({ id: 'CartLine' });

export const jsonResponse = (description: string, schema: z.ZodType): ResponseConfig => ({ description, content: { 'application/json': { schema } } });
export const errorResponse = (description: string): ResponseConfig => jsonResponse(description, errorBodySchema);
export const invalidResponse = errorResponse('VALIDATION_FAILED or MALFORMED_JSON');
export const unauthorizedResponse = errorResponse('No token, or a bad or expired one');

/** The security requirement of a route that needs a bearer token. */
export const bearerSecurity = [{ bearerAuth: [] }];

export function registerBearerAuth(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
}

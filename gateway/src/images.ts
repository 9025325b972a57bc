import path from 'node:path';
import { NotFoundError } from '@shop/common/web';
import express, { type Request, type Response, type Router } from 'express';

/** The folder whose `images/` the gateway serves; the same from src/ and dist/. */
const PUBLIC_DIR = path.join(__dirname, '..', 'public');
/** The catalogue's pictures (scripts/images/generate-banners.ts makes the sample ones). */
export const IMAGES_DIR = path.join(PUBLIC_DIR, 'images');

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

const imageNotFound = (req: Request): NotFoundError => new NotFoundError(`No image at ${req.path}`, 'IMAGE_NOT_FOUND');

/**
 * Static files with ETags of their own: the gateway turns Express's ETags off for the JSON it
 * passes on, and res.sendFile follows that setting. A route leaves the URL whole, hence the root
 * above images/; the route lets only one segment under /images/ through.
 */
const sendImage = express.static(PUBLIC_DIR, {
  dotfiles: 'deny',
  index: false,
  redirect: false,
  lastModified: false,
  maxAge: ONE_DAY_MS,
  immutable: true,
  // The original frontend shows them from its own origin: helmet's same-origin policy would block its <img>.
  setHeaders: (res: Response) => res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin'),
});

/**
 * GET /images/<file>: the pictures that products name as `banner`, cached by browsers for a day
 * (a changed picture gets a new name) and revalidated by ETag; never forwarded to a service.
 */
export function productImages(): Router {
  const router = express.Router();
  router.get('/images/:file', sendImage);
  router.use('/images', (req, _res, next) => next(imageNotFound(req)));
  return router;
}

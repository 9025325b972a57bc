import path from 'node:path';
import { NotFoundError } from '@shop/common/web';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** The catalogue's pictures (scripts/images/generate-banners.ts makes the sample ones); the same from src/ and dist/. */
export const IMAGES_DIR = path.join(__dirname, '..', 'public', 'images');

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

const imageNotFound = (req: Request): NotFoundError => new NotFoundError(`No image at ${req.path}`, 'IMAGE_NOT_FOUND');

function sendImage(req: Request, res: Response, next: NextFunction): void {
  const options = {
    root: IMAGES_DIR,
    dotfiles: 'deny' as const,
    lastModified: false,
    maxAge: ONE_DAY_MS,
    immutable: true,
    // The original frontend shows them from its own origin: helmet's same-origin policy would block its <img>.
    headers: { 'Cross-Origin-Resource-Policy': 'cross-origin' },
  };
  res.sendFile(req.params.file!, options, (error?: Error & { status?: number }) => {
    if (!error || res.headersSent) return;
    next(error.status === 404 || error.status === 403 ? imageNotFound(req) : error);
  });
}

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

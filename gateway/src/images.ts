import path from 'node:path';
import { NotFoundError } from '@shop/common/web';
import express, { type Router } from 'express';

/** The catalogue's pictures (scripts/images/generate-banners.ts makes the sample ones); the same from src/ and dist/. */
export const IMAGES_DIR = path.join(__dirname, '..', 'public', 'images');

const ONE_DAY_SECONDS = 24 * 60 * 60;

/**
 * GET /images/<file>: the pictures that products name as `banner`, cached by browsers for a day
 * (a changed picture gets a new name) and revalidated by ETag. Another origin may show them (the
 * original frontend on its own port): helmet's same-origin resource policy would block its <img>.
 */
export function productImages(): Router {
  const router = express.Router();
  router.use(
    '/images',
    express.static(IMAGES_DIR, {
      etag: true,
      lastModified: false,
      maxAge: ONE_DAY_SECONDS * 1000,
      immutable: true,
      index: false,
      redirect: false,
      dotfiles: 'deny',
      setHeaders: (res) => res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin'),
    }),
    (req, _res, next) => next(new NotFoundError(`No image at ${req.originalUrl.split('?')[0]}`, 'IMAGE_NOT_FOUND')),
  );
  return router;
}

import path from 'node:path';
import { NotFoundError } from '@shop/common/web';
import { Router } from 'express';
import { openApiDocument } from './openapi.generated';

/** The swagger-ui-dist files the page below loads: the only ones served, the rest of the package is not public. */
const ASSETS = { stylesheet: 'swagger-ui.css', icon: 'favicon-32x32.png', bundle: 'swagger-ui-bundle.js' } as const;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>microservices-shop API</title>
  <link rel="stylesheet" href="/docs/${ASSETS.stylesheet}">
  <link rel="icon" type="image/png" href="/docs/${ASSETS.icon}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/${ASSETS.bundle}"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// Replaces swagger-ui-dist's own initializer (which would load the Petstore example from the web).
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
};
`;

function docsAssets(): Router {
  const root = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = Router();
  assets.get('/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send(INITIALIZER);
  });
  for (const file of Object.values(ASSETS)) {
    assets.get(`/${file}`, (_req, res, next) => {
      res.sendFile(file, { root, maxAge: '1h' }, (error) => error && next(error));
    });
  }
  assets.use((req, _res, next) => next(new NotFoundError(`No route for ${req.method} ${req.originalUrl.split('?')[0]}`, 'ROUTE_NOT_FOUND')));
  return assets;
}

/** GET /openapi.json and Swagger UI at GET /docs (with the assets it needs under /docs/). */
export function apiDocs(document: object = openApiDocument): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.use('/docs', docsAssets());
  return router;
}

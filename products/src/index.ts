import { loadProductsConfig } from './config';
import { startProductsService } from './service';

startProductsService(loadProductsConfig()).catch((error: unknown) => {
  process.stderr.write(`products failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { loadShoppingConfig } from './config';
import { startShoppingService } from './service';

startShoppingService(loadShoppingConfig()).catch((error: unknown) => {
  process.stderr.write(`shopping failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { loadCustomerConfig } from './config';
import { startCustomerService } from './service';

startCustomerService(loadCustomerConfig()).catch((error: unknown) => {
  process.stderr.write(`customer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

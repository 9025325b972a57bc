import type { EventHandler } from '@shop/common';
import { announceCatalogue } from '../services/commands/announce-catalogue';
import type { CatalogueContext } from '../services/context';

/** catalogue.sync-requested: a replica that starts empty asks for the catalogue; announcing it again is harmless to the rest. */
export const onCatalogueSyncRequested =
  (context: CatalogueContext): EventHandler =>
  async (event) => {
    await announceCatalogue(context, event.id, event.correlationId);
  };

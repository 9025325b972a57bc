/**
 * Draws the sample catalogue's pictures: one small JPEG per product, named as its `banner`, with a
 * background colour per category, a plate with the product's initial, and its name. Run it after
 * changing the sample catalogue, and commit the files:
 *
 *   npm run images
 */
import fs from 'node:fs';
import path from 'node:path';
import { encode } from 'jpeg-js';
import { IMAGES_DIR } from '../../gateway/src/images';
import { SAMPLE_CATALOGUE } from '../../products/src/seed/sample-catalogue';
import { Raster, textHeight, wrapWords, type Rgb } from './raster';

const WIDTH = 320;
const HEIGHT = 240;
const QUALITY = 80;
const WHITE: Rgb = [255, 255, 255];

const CATEGORY_COLOURS: Record<string, Rgb> = {
  fruits: [214, 84, 48],
  vegetables: [56, 142, 60],
  oils: [196, 146, 24],
  grains: [141, 104, 64],
  dairy: [58, 110, 180],
};

/** The colour halfway to white, for the plate behind the initial. */
const tint = ([red, green, blue]: Rgb): Rgb => [(red + 255) >> 1, (green + 255) >> 1, (blue + 255) >> 1];

function banner(name: string, type: string): Buffer {
  const colour = CATEGORY_COLOURS[type];
  if (!colour) throw new Error(`no colour for the category "${type}": add one to CATEGORY_COLOURS`);
  const raster = new Raster(WIDTH, HEIGHT);
  raster.fillRect(0, 0, WIDTH, HEIGHT, colour);
  raster.drawText(type, 12, 12, 2, WHITE);
  raster.fillCircle(WIDTH / 2, 96, 52, tint(colour));
  raster.drawCentredText(name.charAt(0), WIDTH / 2, 96 - textHeight(7) / 2, 7, colour);
  const lines = wrapWords(name, 3, WIDTH - 24);
  lines.forEach((line, index) => raster.drawCentredText(line, WIDTH / 2, 166 + index * (textHeight(3) + 8), 3, WHITE));
  return encode({ width: WIDTH, height: HEIGHT, data: raster.data }, QUALITY).data;
}

function main(): void {
  fs.mkdirSync(IMAGES_DIR, { recursive: true });
  for (const product of SAMPLE_CATALOGUE) {
    const file = path.join(IMAGES_DIR, path.basename(product.banner));
    fs.writeFileSync(file, banner(product.name, product.type));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main();

import type { NewProduct } from '../database/product-repository';

type Sample = [name: string, type: string, price: number, stock: number, suplier: string, desc: string];

// Five categories, the original project's fruits, vegetables and oils among them.
const SAMPLES: Sample[] = [
  ['Alphonso Mango', 'fruits', 300, 120, 'Golden Seed Farms', 'Sweet, fragrant mangoes from Ratnagiri.'],
  ['Apples', 'fruits', 140, 200, 'Himalayan Orchards', 'Crisp red apples, picked this season.'],
  ['Kesar Mango', 'fruits', 240, 90, 'Golden Seed Farms', 'Saffron-coloured mangoes with a rich taste.'],
  ['Bananas', 'fruits', 60, 300, 'Green Valley Growers', 'Ripe bananas, sold by the dozen.'],
  ['Pomegranate', 'fruits', 180, 80, 'Desert Bloom', 'Ruby-red arils, full of juice.'],
  ['Strawberries', 'fruits', 220, 60, 'Hill Berry Co.', 'Hand-picked strawberries from the hills.'],
  ['Potatoes', 'vegetables', 40, 500, 'Green Valley Growers', 'All-purpose potatoes.'],
  ['Tomatoes', 'vegetables', 50, 400, 'Sunrise Fields', 'Vine-ripened tomatoes.'],
  ['Spinach', 'vegetables', 30, 150, 'Sunrise Fields', 'Fresh leafy spinach.'],
  ['Carrots', 'vegetables', 45, 250, 'Green Valley Growers', 'Sweet orange carrots.'],
  ['Onions', 'vegetables', 35, 600, 'Desert Bloom', 'Red onions, sharp and sweet.'],
  ['Olive Oil', 'oils', 400, 70, 'Mediterraneo', 'Extra virgin olive oil, cold pressed.'],
  ['Mustard Oil', 'oils', 180, 110, 'Golden Seed Farms', 'Kachi ghani mustard oil.'],
  ['Sunflower Oil', 'oils', 160, 130, 'Sunrise Fields', 'Light sunflower oil for everyday cooking.'],
  ['Coconut Oil', 'oils', 220, 90, 'Coastal Groves', 'Virgin coconut oil.'],
  ['Basmati Rice', 'grains', 120, 300, 'Himalayan Orchards', 'Long-grain aged basmati.'],
  ['Whole Wheat Flour', 'grains', 55, 350, 'Green Valley Growers', 'Stone-ground atta.'],
  ['Rolled Oats', 'grains', 150, 140, 'Hill Berry Co.', 'Rolled oats for breakfast.'],
  ['Quinoa', 'grains', 450, 50, 'Andes Trading', 'White quinoa, rinsed.'],
  ['Red Lentils', 'grains', 110, 220, 'Desert Bloom', 'Split red lentils (masoor dal).'],
  ['Fresh Milk', 'dairy', 60, 100, 'Meadow Dairy', 'Full-cream milk, one litre.'],
  ['Paneer', 'dairy', 90, 80, 'Meadow Dairy', 'Soft cottage cheese.'],
  ['Butter', 'dairy', 55, 120, 'Meadow Dairy', 'Salted butter, 100 g.'],
  ['Yogurt', 'dairy', 40, 150, 'Meadow Dairy', 'Thick set curd.'],
];

export const SAMPLE_CATALOGUE: NewProduct[] = SAMPLES.map(([name, type, price, stock, suplier, desc]) => ({
  name,
  type,
  price,
  stock,
  suplier,
  desc,
  unit: 1,
  available: true,
  banner: `/images/${name.toLowerCase().replace(/\s+/g, '-')}.jpg`,
}));

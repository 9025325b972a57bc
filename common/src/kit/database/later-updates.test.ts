import mongoose, { Schema, type Connection } from 'mongoose';
import { testServers, uniqueTestName } from '../../testing';
import { countCommands } from '../../testing/consumer-batches';
import { flushLaterUpdates, LaterUpdates } from './later-updates';

interface Note {
  _id: string;
  version: number;
  seen: boolean;
}

let connection: Connection;

beforeAll(async () => {
  connection = await mongoose.createConnection(testServers().mongoUrl, { dbName: uniqueTestName('later'), monitorCommands: true }).asPromise();
});

afterAll(async () => {
  await connection.close();
});

const noteSchema = new Schema<Note>({ _id: String, version: Number, seen: Boolean }, { versionKey: false, collection: 'notes' });
const notes = () => (connection.models.Note as mongoose.Model<Note> | undefined) ?? connection.model<Note>('Note', noteSchema);

describe('updates that may land later', () => {
  test('When several updates come within the window, then one command writes them all, each with its own guard', async () => {
    const model = notes();
    await model.insertMany([1, 2, 3].map((n) => ({ _id: `note-${n}`, version: n, seen: false })));
    const commands = countCommands(connection);
    const later = new LaterUpdates(model, 60_000);
    later.updateOne({ _id: 'note-1', version: 1 }, { $set: { seen: true } });
    later.updateOne({ _id: 'note-2', version: 2 }, { $set: { seen: true } });
    // A guard that no longer holds (the note moved on) changes nothing.
    later.updateOne({ _id: 'note-3', version: 2 }, { $set: { seen: true } });
    expect(commands.count('update', 'notes')).toBe(0);
    await flushLaterUpdates(connection);
    expect(commands.count('update', 'notes')).toBe(1);
    const seen = await model.find({}).sort({ _id: 1 }).lean();
    expect(seen.map((note) => note.seen)).toEqual([true, true, false]);
  });

  test('When the window passes, then the updates are written without a flush', async () => {
    const model = notes();
    await model.create({ _id: 'note-timed', version: 1, seen: false });
    new LaterUpdates(model, 50).updateOne({ _id: 'note-timed' }, { $set: { seen: true } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await model.findById('note-timed').lean()).toMatchObject({ seen: true });
  });
});

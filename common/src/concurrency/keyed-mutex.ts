/**
 * Runs tasks with the same key one after another (tasks with different keys run freely). Used
 * where FerretDB would otherwise lose one of two concurrent read-modify-writes of one document
 * inside this process, such as two cart changes of one customer.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

import { expect, test } from "bun:test";
import { QueueFullError } from "./errors.ts";
import { RequestQueue } from "./queue.ts";

test("RequestQueue is FIFO, bounded and removes by identity", () => {
  const q = new RequestQueue<{ model: string }>(2);
  const a = { model: "a" };
  const b = { model: "b" };
  q.push(a);
  q.push(b);
  expect(() => q.push({ model: "c" })).toThrow(QueueFullError);
  expect(q.snapshot()).toEqual([a, b]);
  expect(q.hasModel("b")).toBe(true);
  expect(q.remove(a)).toBe(true);
  expect(q.remove(a)).toBe(false);
  expect(q.has(b)).toBe(true);
  expect(q.length).toBe(1);
  expect(q.drain()).toEqual([b]);
  expect(q.length).toBe(0);
});

import { ByteBudget } from './byte-budget';

describe('ByteBudget', () => {
  it('lets leases reserve up to the capacity between them and refuses past it', () => {
    const budget = new ByteBudget(100);
    const a = budget.lease();
    const b = budget.lease();
    expect(a.reserve(60)).toBe(true);
    expect(b.reserve(50)).toBe(false);
    expect(b.bytes).toBe(0);
    expect(b.reserve(40)).toBe(true);
    expect(budget.inUse).toBe(100);
    expect(budget.available).toBe(0);
    expect(a.reserve(1)).toBe(false);
  });

  it('gives back part of a lease, then all of it when the lease closes, once', () => {
    const budget = new ByteBudget(100);
    const a = budget.lease();
    a.reserve(80);
    a.release(30);
    expect(a.bytes).toBe(50);
    expect(budget.inUse).toBe(50);
    a.release(1000); // never more than it holds
    expect(budget.inUse).toBe(0);
    a.reserve(20);
    a.close();
    a.close();
    expect(budget.inUse).toBe(0);
    expect(a.reserve(1)).toBe(false); // a closed lease takes nothing more
    expect(budget.lease().reserve(100)).toBe(true);
  });
});

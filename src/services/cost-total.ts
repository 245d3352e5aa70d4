/** Exact sum of rounded costs in units of 10^-decimals: numbers while safe, then BigInt. */
export class CostTotal {
  private small = 0;
  private big = 0n;
  constructor(private readonly decimals: number) {}

  /** Adds a plain decimal string with exactly `decimals` places (what rating produces). */
  add(cost: string): void {
    if (cost.length > 16) {
      this.big += BigInt(cost.replace('.', ''));
      return;
    }
    let units = 0;
    for (let k = 0; k < cost.length; k += 1) {
      const digit = cost.charCodeAt(k) - 48;
      if (digit >= 0) units = units * 10 + digit;
    }
    this.small += units;
    if (this.small > 2 ** 52) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  toString(): string {
    const digits = (this.big + BigInt(this.small)).toString();
    if (this.decimals === 0) return digits;
    const padded = digits.padStart(this.decimals + 1, '0');
    return `${padded.slice(0, -this.decimals)}.${padded.slice(-this.decimals)}`;
  }
}

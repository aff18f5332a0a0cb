/**
 * Assigning layers to GPUs. Layers are filled from the last one down (llama.cpp offloads a suffix of the
 * layers, so the output head sits with the last block group), and a binary search on a capacity factor
 * spreads them over the GPUs in proportion to each one's free memory.
 */

/** The layers (indices into the cost array) one GPU takes; `gpu` indexes the capacity array. */
export interface Assignment {
  gpu: number;
  layers: number[];
}

/** Number of layers in a list of assignments. */
export function assignedCount(list: Assignment[]): number {
  return list.reduce((n, a) => n + a.layers.length, 0);
}

/**
 * Fills GPUs from the last one in `capacities` backwards, each up to `factor` × its capacity, starting at the
 * last layer; stops at the first layer that fits nowhere, or after `requested` layers (-1 = no limit).
 */
export function greedyFit(
  costs: number[],
  capacities: number[],
  factor: number,
  requested: number,
): Assignment[] {
  let device = capacities.length - 1;
  const out: Assignment[] = [{ gpu: device, layers: [] }];
  let free = Math.floor((capacities[device] ?? 0) * factor);
  for (let i = costs.length - 1; i >= 0; i--) {
    if (requested >= 0 && costs.length - 1 - i >= requested) break;
    const cost = costs[i] ?? 0;
    while (cost > free) {
      device--;
      if (device < 0) return out;
      out.unshift({ gpu: device, layers: [] });
      free = Math.floor((capacities[device] ?? 0) * factor);
    }
    out[0]?.layers.unshift(i);
    free -= cost;
  }
  return out;
}

/**
 * The smallest capacity factor that still places the most layers, found by binary search: a small factor
 * forces the layers to spread evenly (by free memory) instead of piling onto one GPU. With `force` and a
 * requested count the GPUs are treated as nearly unbounded, so an explicit num_gpu is honoured.
 */
export function findBestFit(
  costs: number[],
  capacities: number[],
  requested: number,
  force: boolean,
): Assignment[] {
  let high = requested >= 0 && force ? 1000 : 1;
  let low = 0;
  let best = greedyFit(costs, capacities, high, requested);
  const most = assignedCount(best);
  while (high - low > 1e-6) {
    const mid = (low + high) / 2;
    const trial = greedyFit(costs, capacities, mid, requested);
    if (assignedCount(trial) === most) {
      high = mid;
      best = trial;
    } else {
      low = mid;
    }
  }
  return best;
}

/**
 * Places as many layers as possible on as few GPUs as possible (`capacities` sorted largest first), or with
 * `spread` over all of them in proportion to capacity. When not everything fits, the output head is left on
 * the CPU and the blocks are tried again, as llama.cpp only offloads the output together with every block.
 */
export function assignLayers(
  costs: number[],
  capacities: number[],
  requireFull: boolean,
  requested: number,
  spread = false,
): Assignment[] {
  if (capacities.length === 0) return [];
  let layers = costs;
  let result: Assignment[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const want = requested < 0 ? -1 : Math.min(layers.length, requested);
    for (let i = spread ? capacities.length - 1 : 0; i < capacities.length; i++) {
      const force = i === capacities.length - 1 && !requireFull;
      result = findBestFit(layers, capacities.slice(0, i + 1), want, force);
      const n = assignedCount(result);
      if (n === layers.length || n === want) break;
    }
    if (assignedCount(result) === layers.length) break;
    layers = layers.slice(0, -1);
  }
  return result.filter((a) => a.layers.length > 0);
}

import type { TlbConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Per-vCPU TLB geometry. Mirrors `TlbConfig` of `@tlbsim/sim-core`. */
export class TlbDto implements TlbConfig {
  /**
   * TLB entries per vCPU (must be a multiple of `tlb.ways`). Integer 16..65536.
   *
   * @defaultValue 1536
   */
  @ScenarioField('tlb.entries')
  entries!: number;

  /**
   * TLB associativity. Integer 1..64.
   *
   * @defaultValue 12
   */
  @ScenarioField('tlb.ways')
  ways!: number;

  /**
   * Capacity of each partition's shared nested translations (sized like shadow page tables, not like a TLB); 0: twice the host's guest footprint. Integer 0..4194304.
   *
   * @defaultValue 0
   */
  @ScenarioField('tlb.nestedCacheEntries')
  nestedCacheEntries!: number;
}

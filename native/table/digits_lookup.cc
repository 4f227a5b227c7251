#include "digits_lookup.h"

namespace sigwall::table {

bool build_short_prefixes(const uint8_t* nodes, uint32_t node_count, ShortPrefixes& out) {
  out = ShortPrefixes{};
  out.root_mark = read_u16(nodes);
  struct Pending {
    uint32_t node;
    uint32_t depth;
    uint64_t value;
  };
  // Depth-first with an explicit stack: at most 9 siblings wait per level above the current one.
  Pending stack[10 * (kPackedDigits + 1)];
  uint32_t top = 0;
  uint32_t visits = 0;
  stack[top++] = {0, 0, 0};
  while (top > 0) {
    const Pending at = stack[--top];
    // load() checked that children come after their parent, not that no node has two parents:
    // a node reached twice means the image is not a tree, and the walk (which does not care) is used.
    if (++visits > node_count) return false;
    const uint64_t word = read_u64(nodes + 8 * static_cast<uint64_t>(at.node));
    const uint16_t mark = static_cast<uint16_t>(word);
    if (at.depth > 0 && mark != kUnmarked) {
      if (out.count == ShortPrefixes::kMaxPrefixes) return false;
      // Insertion keeping deepest first; a stable place among equal depths is not needed.
      unsigned i = out.count++;
      for (; i > 0 && (out.mask[i - 1] >> (4 * at.depth - 4)) == 0; --i) {
        out.value[i] = out.value[i - 1];
        out.mask[i] = out.mask[i - 1];
        out.mark[i] = out.mark[i - 1];
      }
      out.value[i] = at.value;
      out.mask[i] = at.depth == kPackedDigits ? ~0ull : (1ull << (4 * at.depth)) - 1;
      out.mark[i] = mark;
      if (at.depth > 8) out.words = 2;
    }
    const uint32_t bitmap = static_cast<uint32_t>(word >> 16) & 0xFFFF;
    if (bitmap == 0) continue;
    if (at.depth == kPackedDigits) return false;  // deeper nodes: longer than a packed word
    uint32_t child = static_cast<uint32_t>(word >> 32);
    for (uint32_t digit = 0; digit < 10; ++digit) {
      if (!((bitmap >> digit) & 1)) continue;
      stack[top++] = {child++, at.depth + 1, at.value | (static_cast<uint64_t>(digit + 1) << (4 * at.depth))};
    }
  }
  return true;
}

}  // namespace sigwall::table

// Hand-building table images (docs/table-format.md) for the loader and classifier tests and
// the fuzz target: sections are written field by field, in the layout the spec gives, so a test
// reads as the image it builds. Not a compiler: the tests decide every class and result.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "decode/anomaly.h"
#include "sctp/crc32c.h"
#include "table/fields.generated.h"
#include "table/table_image.h"

namespace sigwall::table::testing {

inline void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v));
  put16(out, static_cast<uint16_t>(v >> 16));
}
inline void put64(std::vector<uint8_t>& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v));
  put32(out, static_cast<uint32_t>(v >> 32));
}
inline void set16(std::vector<uint8_t>& image, uint32_t at, uint16_t v) {
  image[at] = static_cast<uint8_t>(v);
  image[at + 1] = static_cast<uint8_t>(v >> 8);
}
inline void set32(std::vector<uint8_t>& image, uint32_t at, uint32_t v) {
  set16(image, at, static_cast<uint16_t>(v));
  set16(image, at + 2, static_cast<uint16_t>(v >> 16));
}

// CRC32c over the image with its CRC field as 0, written into the field.
inline void patch_crc(std::vector<uint8_t>& image) {
  if (image.size() < 24) return;
  set32(image, 20, 0);
  set32(image, 20, crc32c(image.data(), image.size()));
}

// A digit trie (lookup kind 2, and the NETWORKS tries): node 0 is the root.
struct Trie {
  struct Node {
    uint16_t mark = kUnmarked;
    uint32_t child[10] = {};
  };
  std::vector<Node> nodes{Node{}};

  Trie& add(const std::string& prefix, uint16_t mark) {
    uint32_t node = 0;
    for (char ch : prefix) {
      const int digit = ch - '0';
      if (nodes[node].child[digit] == 0) {
        nodes[node].child[digit] = static_cast<uint32_t>(nodes.size());
        nodes.push_back(Node{});
      }
      node = nodes[node].child[digit];
    }
    nodes[node].mark = mark;
    return *this;
  }
  // u32 node count, then 8-byte nodes (u16 mark, u16 child bitmap, u32 first child) in
  // breadth-first order, so that each node's children are consecutive, in digit order.
  void write(std::vector<uint8_t>& out) const {
    put32(out, static_cast<uint32_t>(nodes.size()));
    std::vector<uint32_t> order{0};  // builder node of each written node
    for (size_t i = 0; i < order.size(); ++i) {
      const Node& n = nodes[order[i]];
      uint16_t bitmap = 0;
      const uint32_t first = static_cast<uint32_t>(order.size());
      for (uint32_t d = 0; d < 10; ++d)
        if (n.child[d] != 0) {
          bitmap = static_cast<uint16_t>(bitmap | (1u << d));
          order.push_back(n.child[d]);
        }
      put16(out, n.mark);
      put16(out, bitmap);
      put32(out, bitmap == 0 ? 0 : first);
    }
  }
};

struct Dimension {
  uint16_t field = 0;
  LookupKind lookup = LookupKind::kSmall;
  Scope scope = Scope::kMessage;
  uint16_t absent_class = 0;
  uint16_t default_class = 0;
  uint32_t classes = 1;
  std::vector<uint8_t> body;  // the lookup structure
};

// field/scope helpers -------------------------------------------------------------------------

inline Dimension small(FieldId field, Scope scope, uint32_t classes, uint16_t absent, std::map<uint32_t, uint16_t> values,
                       uint16_t others = 0) {
  Dimension d{static_cast<uint16_t>(field), LookupKind::kSmall, scope, absent, others, classes, {}};
  for (uint32_t v = 0; v < 256; ++v) put16(d.body, values.count(v) ? values[v] : others);
  return d;
}

inline Dimension sorted(FieldId field, Scope scope, uint32_t classes, uint16_t absent, uint16_t fallback,
                        std::vector<std::pair<uint32_t, uint16_t>> values) {
  Dimension d{static_cast<uint16_t>(field), LookupKind::kSortedU32, scope, absent, fallback, classes, {}};
  put32(d.body, static_cast<uint32_t>(values.size()));
  for (auto [value, cls] : values) {
    put32(d.body, value);
    put16(d.body, cls);
    put16(d.body, 0);
  }
  return d;
}

inline Dimension digits(FieldId field, Scope scope, uint32_t classes, uint16_t absent, uint16_t fallback, const Trie& trie) {
  Dimension d{static_cast<uint16_t>(field), LookupKind::kDigits, scope, absent, fallback, classes, {}};
  trie.write(d.body);
  return d;
}

// k masks (each a list of anomalies), then the 2^k table.
inline Dimension anomaly(uint32_t classes, std::vector<std::vector<Anomaly>> masks, std::vector<uint16_t> table) {
  Dimension d{static_cast<uint16_t>(FieldId::kSigwallAnomaly), LookupKind::kAnomaly, Scope::kMessage, 0, 0, classes, {}};
  put32(d.body, static_cast<uint32_t>(masks.size()));
  for (const auto& mask : masks) {
    uint8_t bytes[16] = {};
    for (Anomaly a : mask) bytes[static_cast<unsigned>(a) / 8] |= static_cast<uint8_t>(1u << (static_cast<unsigned>(a) % 8));
    d.body.insert(d.body.end(), bytes, bytes + 16);
  }
  for (uint16_t c : table) put16(d.body, c);
  return d;
}

// entries[i] for index i (256 x isCap + opcode); `global` for the last entry.
inline Dimension operation(FieldId field, uint32_t classes, std::map<uint32_t, uint16_t> entries, uint16_t others, uint16_t global) {
  Dimension d{static_cast<uint16_t>(field), LookupKind::kOperation, Scope::kComponent, 0, 0, classes, {}};
  for (uint32_t i = 0; i < 512; ++i) put16(d.body, entries.count(i) ? entries[i] : others);
  put16(d.body, global);
  return d;
}

inline Dimension relation(uint32_t classes, uint16_t none, uint16_t same, uint16_t differs) {
  Dimension d{kRelationField, LookupKind::kRelation, Scope::kComponent, 0, 0, classes, {}};
  put16(d.body, none);
  put16(d.body, same);
  put16(d.body, differs);
  return d;
}

// A single-class dimension for a side no rule constrains (what the compiler adds).
inline Dimension single(FieldId field, Scope scope) { return small(field, scope, 1, 0, {}); }

struct Phase {
  InputKind left_kind = InputKind::kDimension;
  uint8_t left_index = 0;
  InputKind right_kind = InputKind::kDimension;
  uint8_t right_index = 0;
  uint16_t rows = 1;
  uint16_t columns = 1;
  std::vector<uint16_t> table;
};

struct Rule {
  std::string id;
  uint8_t action = 1;
  uint8_t mode = 0;
  uint8_t category = 0;
  // Sparse metadata (RULES bytes 9..15); the defaults are a rule without sparse conditions.
  uint8_t flags = 0;
  uint8_t designated = kNoSparse;
  uint16_t sparse_mask = 0;
  uint16_t negative_mask = 0;
};

// A result of a table whose rules are all dense: the deciding rule and the shadow rules that
// match. build() writes its rule list L: the shadows below the decision (in the order given, so
// a test can write a bad list), then the decision.
struct Result {
  uint16_t decision = kNoRule;
  std::vector<uint16_t> shadows;

  std::vector<uint16_t> list() const {
    std::vector<uint16_t> out;
    for (uint16_t s : shadows)
      if (s < decision) out.push_back(s);
    if (decision != kNoRule) out.push_back(decision);
    return out;
  }
};

// A SPARSE section: its dimension and, per class, the positive and the negative rule list.
struct SparseLists {
  std::vector<uint16_t> positive;
  std::vector<uint16_t> negative;
};
struct Sparse {
  uint16_t dimension = 0;
  std::vector<SparseLists> classes;
};

// Where build() put each section (for the corruption tests).
struct Layout {
  uint32_t directory = 0;
  std::map<std::string, uint32_t> entry;   // "RULES", "DIMENSION0", "PHASE1", ... -> directory entry
  std::map<std::string, uint32_t> offset;  // -> section offset
};

struct ImageBuilder {
  std::string policy = "p";
  uint8_t malformed_action = 1;
  uint8_t default_action = 0;
  uint32_t features = 0;
  std::vector<Rule> rules;
  std::string extra_strings;  // BYTES keys (add_key)
  std::vector<Dimension> dimensions;
  std::vector<Phase> phases;
  std::vector<Result> results;
  InputKind message_root_kind = InputKind::kDimension;
  uint16_t message_root = 0;
  InputKind component_root_kind = InputKind::kDimension;
  uint16_t component_root = 0;
  bool networks = false;
  uint32_t network_count = 0;
  Trie gt_networks, mcc_mnc_networks;
  std::vector<Sparse> sparse;  // SPARSE sections, in sparse-index order
  // ACCEPT: whether class `cls` of dense dimension `dim` is compatible with `rule` (null: all are).
  std::function<bool(uint32_t dim, uint16_t cls, uint16_t rule)> accepts;

  // A BYTES lookup: keys are (bytes, class), stored in STRINGS; pass them sorted.
  Dimension bytes(FieldId field, uint32_t classes, uint16_t absent, uint16_t fallback,
                  std::vector<std::pair<std::vector<uint8_t>, uint16_t>> keys) {
    Dimension d{static_cast<uint16_t>(field), LookupKind::kBytes, Scope::kMessage, absent, fallback, classes, {}};
    put32(d.body, static_cast<uint32_t>(keys.size()));
    for (const auto& [key, cls] : keys) {
      put32(d.body, static_cast<uint32_t>(extra_strings.size()));
      put16(d.body, static_cast<uint16_t>(key.size()));
      put16(d.body, cls);
      extra_strings.append(key.begin(), key.end());
    }
    return d;
  }

  std::vector<uint8_t> build(Layout* layout = nullptr) const {
    struct Out {
      std::string name;
      uint32_t kind;
      std::vector<uint8_t> bytes;
      uint32_t count;
    };
    std::vector<Out> sections;
    std::string strings = extra_strings;
    std::vector<uint8_t> rule_bytes;
    for (const Rule& r : rules) {
      put32(rule_bytes, static_cast<uint32_t>(strings.size()));
      put16(rule_bytes, static_cast<uint16_t>(r.id.size()));
      rule_bytes.push_back(r.action);
      rule_bytes.push_back(r.mode);
      rule_bytes.push_back(r.category);
      rule_bytes.push_back(r.flags);
      rule_bytes.push_back(r.designated);
      rule_bytes.push_back(0);
      put16(rule_bytes, r.sparse_mask);
      put16(rule_bytes, r.negative_mask);
      strings += r.id;
    }
    sections.push_back({"STRINGS", 2, std::vector<uint8_t>(strings.begin(), strings.end()), 0});
    sections.push_back({"POLICY_NAME", 8, std::vector<uint8_t>(policy.begin(), policy.end()), 0});
    sections.push_back({"RULES", 1, rule_bytes, static_cast<uint32_t>(rules.size())});
    std::vector<uint8_t> list_bytes, result_bytes;
    uint32_t list_entries = 0;
    auto store = [&](const std::vector<uint16_t>& list) {
      const uint32_t at = list_entries;
      for (uint16_t r : list) put16(list_bytes, r);
      list_entries += static_cast<uint32_t>(list.size());
      return at;
    };
    result_bytes.push_back(static_cast<uint8_t>(message_root_kind));
    result_bytes.push_back(0);
    put16(result_bytes, message_root);
    result_bytes.push_back(static_cast<uint8_t>(component_root_kind));
    result_bytes.push_back(0);
    put16(result_bytes, component_root);
    put16(result_bytes, static_cast<uint16_t>(phases.size() - 1));
    put16(result_bytes, 0);
    put16(result_bytes, 0);
    put16(result_bytes, 0);
    for (const Result& r : results) {
      const std::vector<uint16_t> list = r.list();
      put32(result_bytes, store(list));
      put16(result_bytes, static_cast<uint16_t>(list.size()));
      put16(result_bytes, 0);
    }
    std::vector<std::vector<uint8_t>> sparse_bytes;
    std::vector<bool> is_sparse(dimensions.size(), false);
    for (const Sparse& sp : sparse) {
      std::vector<uint8_t> b;
      put16(b, sp.dimension);
      put16(b, 0);
      put32(b, 0);
      for (const SparseLists& c : sp.classes) {
        put32(b, store(c.positive));
        put32(b, store(c.negative));
        put16(b, static_cast<uint16_t>(c.positive.size()));
        put16(b, static_cast<uint16_t>(c.negative.size()));
      }
      sparse_bytes.push_back(b);
      if (sp.dimension < is_sparse.size()) is_sparse[sp.dimension] = true;
    }
    sections.push_back({"RULE_LISTS", 6, list_bytes, list_entries});
    for (size_t i = 0; i < sparse.size(); ++i)
      sections.push_back({"SPARSE" + std::to_string(i), 9, sparse_bytes[i], static_cast<uint32_t>(sparse[i].classes.size())});
    {
      const uint32_t words = static_cast<uint32_t>((rules.size() + 63) / 64);
      std::vector<uint8_t> b;
      put32(b, words);
      put32(b, 0);
      uint32_t classes = 0;
      for (uint32_t d = 0; d < dimensions.size(); ++d) {
        if (is_sparse[d]) continue;
        for (uint32_t c = 0; c < dimensions[d].classes; ++c) {
          std::vector<uint8_t> bits(words * 8, 0);
          for (uint32_t r = 0; r < rules.size(); ++r)
            if (!accepts || accepts(d, static_cast<uint16_t>(c), static_cast<uint16_t>(r))) bits[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
          b.insert(b.end(), bits.begin(), bits.end());
        }
        classes += dimensions[d].classes;
      }
      sections.push_back({"ACCEPT", 10, b, classes});
    }
    if (networks) {
      std::vector<uint8_t> n;
      put32(n, network_count);
      gt_networks.write(n);
      mcc_mnc_networks.write(n);
      sections.push_back({"NETWORKS", 7, n, 0});
    }
    for (size_t i = 0; i < dimensions.size(); ++i) {
      const Dimension& d = dimensions[i];
      std::vector<uint8_t> b;
      put16(b, d.field);
      b.push_back(static_cast<uint8_t>(d.lookup));
      b.push_back(static_cast<uint8_t>(d.scope));
      put16(b, d.absent_class);
      put16(b, d.default_class);
      b.insert(b.end(), d.body.begin(), d.body.end());
      sections.push_back({"DIMENSION" + std::to_string(i), 3, b, d.classes});
    }
    for (size_t i = 0; i < phases.size(); ++i) {
      const Phase& p = phases[i];
      std::vector<uint8_t> b;
      b.push_back(static_cast<uint8_t>(p.left_kind));
      b.push_back(p.left_index);
      b.push_back(static_cast<uint8_t>(p.right_kind));
      b.push_back(p.right_index);
      put16(b, p.rows);
      put16(b, p.columns);
      for (uint16_t v : p.table) put16(b, v);
      sections.push_back({"PHASE" + std::to_string(i), 4, b, 0});
    }
    sections.push_back({"RESULTS", 5, result_bytes, static_cast<uint32_t>(results.size())});

    std::vector<uint8_t> image;
    image.insert(image.end(), {'S', 'G', 'W', 'L', 'T', 'B', 'L', '1'});
    put32(image, kFormatVersion);
    put32(image, kHeaderSize);
    put32(image, 0);  // image size, below
    put32(image, 0);  // CRC, below
    put64(image, kRegistryHash);
    put32(image, features);
    put32(image, static_cast<uint32_t>(sections.size()));
    put32(image, kHeaderSize);  // the directory follows the header
    image.push_back(malformed_action);
    image.push_back(default_action);
    put16(image, 0);
    put32(image, static_cast<uint32_t>(rules.size()));
    put32(image, 0);
    put32(image, 0);
    put32(image, 0);
    const uint32_t directory = static_cast<uint32_t>(image.size());
    image.resize(directory + 16 * sections.size());
    for (size_t i = 0; i < sections.size(); ++i) {
      const uint32_t offset = static_cast<uint32_t>(image.size());
      const uint32_t at = directory + static_cast<uint32_t>(16 * i);
      set32(image, at, sections[i].kind);
      set32(image, at + 4, offset);
      set32(image, at + 8, static_cast<uint32_t>(sections[i].bytes.size()));
      set32(image, at + 12, sections[i].count);
      image.insert(image.end(), sections[i].bytes.begin(), sections[i].bytes.end());
      if (layout) {
        layout->entry[sections[i].name] = static_cast<uint32_t>(i);
        layout->offset[sections[i].name] = offset;
      }
    }
    if (layout) layout->directory = directory;
    set32(image, 16, static_cast<uint32_t>(image.size()));
    patch_crc(image);
    return image;
  }
};

// Combines the message dimensions (the first `message_dims`) by a chain of cross-product phases
// (a phase's class = left x columns + right, nothing merged), the component dimensions likewise,
// then the final phase: its entry for (message tuple, component tuple, or none for the last
// column) is the result `result_of` returns, deduplicated into b.results. Tuples hold one class
// per dimension. Enough for hand-written tests; the real compiler merges classes.
using ResultOf = std::function<Result(const std::vector<uint16_t>& message, const std::vector<uint16_t>* component)>;

inline void cross_product(ImageBuilder& b, uint32_t message_dims, const ResultOf& result_of) {
  b.phases.clear();
  b.results.clear();
  const uint32_t dims = static_cast<uint32_t>(b.dimensions.size());
  // Chains [first, last): returns the root (kind, index) and its class count.
  auto chain = [&](uint32_t first, uint32_t last, InputKind& kind, uint16_t& index) {
    kind = InputKind::kDimension;
    index = static_cast<uint16_t>(first);
    uint32_t classes = b.dimensions[first].classes;
    for (uint32_t d = first + 1; d < last; ++d) {
      Phase p{kind, static_cast<uint8_t>(index), InputKind::kDimension, static_cast<uint8_t>(d), static_cast<uint16_t>(classes),
              static_cast<uint16_t>(b.dimensions[d].classes), {}};
      for (uint32_t l = 0; l < p.rows; ++l)
        for (uint32_t r = 0; r < p.columns; ++r) p.table.push_back(static_cast<uint16_t>(l * p.columns + r));
      classes *= b.dimensions[d].classes;
      b.phases.push_back(p);
      kind = InputKind::kPhase;
      index = static_cast<uint16_t>(b.phases.size() - 1);
    }
    return classes;
  };
  auto decode = [&](uint32_t first, uint32_t last, uint32_t cls) {
    std::vector<uint16_t> tuple(last - first);
    for (uint32_t d = last; d-- > first;) {
      tuple[d - first] = static_cast<uint16_t>(cls % b.dimensions[d].classes);
      cls /= b.dimensions[d].classes;
    }
    return tuple;
  };
  const uint32_t message_classes = chain(0, message_dims, b.message_root_kind, b.message_root);
  const uint32_t component_classes = chain(message_dims, dims, b.component_root_kind, b.component_root);
  Phase final{b.message_root_kind, static_cast<uint8_t>(b.message_root), b.component_root_kind,
              static_cast<uint8_t>(b.component_root), static_cast<uint16_t>(message_classes),
              static_cast<uint16_t>(component_classes + 1), {}};
  std::map<std::pair<uint16_t, std::vector<uint16_t>>, uint16_t> seen;
  for (uint32_t m = 0; m < message_classes; ++m) {
    const std::vector<uint16_t> message = decode(0, message_dims, m);
    for (uint32_t c = 0; c <= component_classes; ++c) {
      Result r;
      if (c == component_classes) {
        r = result_of(message, nullptr);
      } else {
        const std::vector<uint16_t> component = decode(message_dims, dims, c);
        r = result_of(message, &component);
      }
      auto key = std::make_pair(r.decision, r.shadows);
      auto it = seen.find(key);
      if (it == seen.end()) {
        it = seen.emplace(key, static_cast<uint16_t>(b.results.size())).first;
        b.results.push_back(r);
      }
      final.table.push_back(it->second);
    }
  }
  b.phases.push_back(final);
}

// Rules over class tuples, with evaluate.ts's semantics: message conditions on the message
// tuple; component conditions need a component (none: the rule does not match).
struct TupleRule {
  std::function<bool(const std::vector<uint16_t>&)> message;               // null: no message condition
  std::function<bool(const std::vector<uint16_t>&)> component;             // null: no component condition
};

inline ResultOf rules_result(const ImageBuilder& b, std::vector<TupleRule> rules) {
  return [&b, rules](const std::vector<uint16_t>& message, const std::vector<uint16_t>* component) {
    Result r;
    for (uint16_t i = 0; i < rules.size(); ++i) {
      const TupleRule& rule = rules[i];
      bool holds = !rule.message || rule.message(message);
      if (holds && rule.component) holds = component != nullptr && rule.component(*component);
      if (!holds) continue;
      if (b.rules[i].mode == 1) {
        r.shadows.push_back(i);  // all matching shadow rules (the spec): the classifier cuts at the decision
        continue;
      }
      if (r.decision == kNoRule) r.decision = i;
    }
    return r;
  };
}

// The smallest valid table: one message dimension (sigwall.application), one component
// dimension (tcap.component_type), both single-class, and the final phase 1 x 2 pointing at
// result 0 (no rule: the default action).
inline ImageBuilder minimal_builder() {
  ImageBuilder b;
  b.dimensions.push_back(single(FieldId::kSigwallApplication, Scope::kMessage));
  b.dimensions.push_back(single(FieldId::kTcapComponentType, Scope::kComponent));
  b.phases.push_back(Phase{InputKind::kDimension, 0, InputKind::kDimension, 1, 1, 2, {0, 0}});
  b.message_root = 0;
  b.component_root = 1;
  b.results.push_back(Result{});
  return b;
}

// Every lookup kind, phases on both sides, networks and shadow rules: the loader's truncation
// sweep, the classifier tests and the fuzz seed use it.
//   message:   D0 sccp.called.ssn SMALL {6: 1, absent: 2} | D1 mtp3.opc SORTED {100, 200: 1}
//              D2 sccp.calling.digits DIGITS {44: 1, 4477: 2} | D3 tcap AC BYTES {0.4.0.0.1.0.19.3: 1}
//              D4 sigwall.anomaly ANOMALY {tcap.global_opcode | tcap.negative_opcode: 1}
//              D5 tcap.type SMALL {begin: 1}
//   component: D6 map.opcode OPERATION {MAP 71: 1, CAP 0: 2} | D7 e212.imsi DIGITS {23415: 1}
//              D8 relation {none 0, same 1, differs 2}
//   networks:  home (0) GT 4477 / MCC+MNC 23415; partner (1) GT 33 / MCC+MNC 20801
inline const std::vector<uint8_t> kShortMsgMtAc = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x03};  // 0.4.0.0.1.0.25.3

inline ImageBuilder rich_builder() {
  ImageBuilder b;
  b.policy = "rich";
  b.default_action = 0;    // allow
  b.malformed_action = 1;  // drop
  b.features = 0xF;
  b.rules = {
      {"rich#ati-to-hlr", 1, 0, 1},     // 0 enforce drop cat 1: D0 == 1 && D6 == 1
      {"rich#watch-opc", 2, 1, 0},      // 1 shadow alert: D1 == 1
      {"rich#global-opcode", 1, 0, 0},  // 2 enforce drop: D4 == 1
      {"rich#watch-imsi", 2, 1, 2},     // 3 shadow: D7 == 1
      {"rich#imsi-elsewhere", 2, 0, 2}, // 4 enforce alert cat 2: D8 == 2
      {"rich#home-mt", 0, 0, 3},        // 5 enforce allow cat 3: D2 == 2 && D3 == 1 && D5 == 1
  };
  b.dimensions.push_back(small(FieldId::kSccpCalledSsn, Scope::kMessage, 3, 2, {{6, 1}}));
  b.dimensions.push_back(sorted(FieldId::kMtp3Opc, Scope::kMessage, 2, 0, 0, {{100, 1}, {200, 1}}));
  b.dimensions.push_back(digits(FieldId::kSccpCallingDigits, Scope::kMessage, 3, 0, 0, Trie().add("44", 1).add("4477", 2)));
  b.dimensions.push_back(b.bytes(FieldId::kTcapApplicationContextName, 2, 0, 0, {{kShortMsgMtAc, 1}}));
  b.dimensions.push_back(anomaly(2, {{Anomaly::kTcapGlobalOpcode, Anomaly::kTcapNegativeOpcode}}, {0, 1}));
  b.dimensions.push_back(small(FieldId::kTcapType, Scope::kMessage, 2, 0, {{1, 1}}));
  b.dimensions.push_back(operation(FieldId::kMapOpcode, 3, {{71, 1}, {256 + 0, 2}}, 0, 0));
  b.dimensions.push_back(digits(FieldId::kE212Imsi, Scope::kComponent, 2, 0, 0, Trie().add("23415", 1)));
  b.dimensions.push_back(relation(3, 0, 1, 2));
  b.networks = true;
  b.network_count = 2;
  b.gt_networks.add("4477", 0).add("33", 1);
  b.mcc_mnc_networks.add("23415", 0).add("20801", 1);
  return b;
}

inline std::vector<TupleRule> rich_rules() {
  using T = const std::vector<uint16_t>&;
  return {
      {[](T m) { return m[0] == 1; }, [](T c) { return c[0] == 1; }},
      {[](T m) { return m[1] == 1; }, nullptr},
      {[](T m) { return m[4] == 1; }, nullptr},
      {nullptr, [](T c) { return c[1] == 1; }},
      {nullptr, [](T c) { return c[2] == 2; }},
      {[](T m) { return m[2] == 2 && m[3] == 1 && m[5] == 1; }, nullptr},
  };
}

inline std::vector<uint8_t> rich_image(Layout* layout = nullptr) {
  static ImageBuilder b = rich_builder();
  cross_product(b, 6, rules_result(b, rich_rules()));
  return b.build(layout);
}

// Sparse dimensions (docs/table-format.md, "Why this shape"): two digits dimensions out of the
// RFC, their candidates verified with ACCEPT, result lists walked with negative-type checks.
//   message:   D0 sigwall.application (single, dense) | D1 sccp.calling.digits DIGITS, sparse 0:
//              {default/absent 0, "44": 1, "4477": 2}
//   component: D2 tcap.component_type SMALL {invoke: 1, others: 0, dense} | D3 e212.imsi DIGITS,
//              sparse 1: {default/absent 0, "23415": 1}
//   rules:     0 enforce drop   imsi 23415 (positive on 1) && invoke
//              1 shadow alert   calling 44 (positive on 0)
//              2 enforce alert  calling not 4477 (negative on 0) && invoke
//              3 enforce allow  invoke (dense only)
//              4 shadow alert   calling 44 (positive on 0) && imsi not 23415 (negative on 1)
inline ImageBuilder sparse_builder() {
  ImageBuilder b;
  b.policy = "sparse";
  b.default_action = 0;
  b.rules = {
      {"sparse#imsi-home", 1, 0, 2, kRuleNeedsComponent, 1, 0b10, 0},
      {"sparse#watch-44", 2, 1, 0, 0, 0, 0b01, 0},
      {"sparse#not-4477", 2, 0, 0, kRuleNeedsComponent, kNoSparse, 0b01, 0b01},
      {"sparse#any-invoke", 0, 0, 0, kRuleNeedsComponent, kNoSparse, 0, 0},
      {"sparse#44-foreign-imsi", 2, 1, 0, kRuleNeedsComponent, 0, 0b11, 0b10},
  };
  b.dimensions.push_back(single(FieldId::kSigwallApplication, Scope::kMessage));
  b.dimensions.push_back(digits(FieldId::kSccpCallingDigits, Scope::kMessage, 3, 0, 0, Trie().add("44", 1).add("4477", 2)));
  b.dimensions.push_back(small(FieldId::kTcapComponentType, Scope::kComponent, 2, 0, {{0, 1}}));
  b.dimensions.push_back(digits(FieldId::kE212Imsi, Scope::kComponent, 2, 0, 0, Trie().add("23415", 1)));
  b.sparse = {
      {1, {{{}, {}}, {{1, 4}, {}}, {{1, 4}, {2}}}},
      {3, {{{}, {}}, {{0}, {4}}}},
  };
  // Rules 0, 2 and 3 need an invoke; the others accept any component type.
  b.accepts = [](uint32_t dim, uint16_t cls, uint16_t rule) { return dim != 2 || cls == 1 || rule == 1 || rule == 4; };
  // Final phase 1 x 3: component type 0 (not invoke), 1 (invoke), no component. Result lists
  // hold the rules without positive-type sparse conditions (2 and 3), dense-compatible.
  b.phases.push_back(Phase{InputKind::kDimension, 0, InputKind::kDimension, 2, 1, 3, {0, 1, 0}});
  b.message_root = 0;
  b.component_root = 2;
  b.results = {Result{}, Result{3, {2}}};
  return b;
}

}  // namespace sigwall::table::testing

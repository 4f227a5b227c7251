#include "classifier.h"

#include <algorithm>
#include <cstring>

#include "fields.generated.h"

// No bounds checks below: every offset, index and class id read here was checked by
// TableImage::load() (see the invariant in table_image.h). What is checked is the message's
// own data (digits, opcodes), which varies per message.

namespace sigwall::table {

namespace {

// ---------------------------------------------------------------------------------------------
// Field values: evaluate.ts FIELD_VALUES, read from the Ss7Message the way record_builder.cc
// turns it into the MessageRecord evaluate.ts reads.

// The record's sccp.<called|calling>.digits exists when the message has SCCP and the address
// a global title (record_builder.cc: gti != 0).
bool sccp_digits(const Ss7Message& m, const SccpAddress& a, const Digits*& v) {
  if (!m.has_sccp || a.gti == 0) return false;
  v = &a.digits;
  return true;
}

bool address(const AddressField& field, const Digits*& v) {
  if (!field.present) return false;
  v = &field.digits;
  return true;
}

// The record carries component.map for every application but CAP, component.cap for CAP.
const MapFields* map_of(const Ss7Message& m, unsigned c) { return m.application == Application::kCap ? nullptr : &m.map[c]; }
const CapFields* cap_of(const Ss7Message& m, unsigned c) { return m.application == Application::kCap ? &m.cap[c] : nullptr; }

// e212.imsi: the MAP imsi, else an sm-RP-DA of kind imsi, else the CAP imsi (componentImsi()).
bool component_imsi(const Ss7Message& m, unsigned c, const Digits*& v) {
  if (const MapFields* map = map_of(m, c)) {
    if (address(map->imsi, v)) return true;
    if (map->sm_rp_da_kind == SmRpDaKind::kImsi && address(map->sm_rp_da, v)) return true;
    return false;
  }
  return address(cap_of(m, c)->imsi, v);
}

// serviceCentreAddress(): the first alternative present decides, even when its digits are not.
bool service_centre_address(const MapFields& map, const Digits*& v) {
  if (map.service_centre_address.present) return address(map.service_centre_address, v);
  if (map.sm_rp_da_kind == SmRpDaKind::kServiceCentre) return address(map.sm_rp_da, v);
  if (map.sm_rp_oa_kind == SmRpOaKind::kServiceCentre) return address(map.sm_rp_oa, v);
  return false;
}

bool digits_value(FieldId field, const Ss7Message& m, unsigned c, const Digits*& v) {
  switch (field) {
    case FieldId::kSccpCalledDigits: return sccp_digits(m, m.sccp.called, v);
    case FieldId::kSccpCallingDigits: return sccp_digits(m, m.sccp.calling, v);
    case FieldId::kE212Imsi: return component_imsi(m, c, v);
    default: break;
  }
  const MapFields* map = map_of(m, c);
  if (map == nullptr) return false;
  switch (field) {
    case FieldId::kE164Msisdn: return address(map->msisdn, v);
    case FieldId::kMapMscNumber: return address(map->msc_number, v);
    case FieldId::kMapVlrNumber: return address(map->vlr_number, v);
    case FieldId::kMapSgsnNumber: return address(map->sgsn_number, v);
    case FieldId::kMapHlrNumber: return address(map->hlr_number, v);
    case FieldId::kMapGsmscfAddress: return address(map->gsmscf_address, v);
    case FieldId::kMapServiceCentreAddress: return service_centre_address(*map, v);
    case FieldId::kMapSmRpOaMsisdn: return map->sm_rp_oa_kind == SmRpOaKind::kMsisdn && address(map->sm_rp_oa, v);
    default: return false;
  }
}

// Enum values are their index in the registry's `values` (fields.ts TCAP_TYPES, ...).
bool tcap_type_index(TcapMessageType type, uint32_t& v) {
  switch (type) {
    case TcapMessageType::kUnidirectional: v = 0; return true;
    case TcapMessageType::kBegin: v = 1; return true;
    case TcapMessageType::kContinue: v = 2; return true;
    case TcapMessageType::kEnd: v = 3; return true;
    case TcapMessageType::kAbort: v = 4; return true;
    case TcapMessageType::kNone: break;
  }
  return false;
}

// COMPONENT_TYPES order; record_builder.cc names any other value "invoke".
uint32_t component_type_index(ComponentType type) {
  switch (type) {
    case ComponentType::kInvoke: return 0;
    case ComponentType::kReturnResultLast: return 1;
    case ComponentType::kReturnResultNotLast: return 2;
    case ComponentType::kReturnError: return 3;
    case ComponentType::kReject: return 4;
  }
  return 0;
}

bool present(bool has, uint32_t value, uint32_t& v) {
  v = value;
  return has;
}

__attribute__((always_inline)) inline bool integer_value(FieldId field, const Ss7Message& m, IngressSide side, unsigned c, uint32_t& v) {
  const SccpAddress& called = m.sccp.called;
  const SccpAddress& calling = m.sccp.calling;
  const bool sccp = m.has_sccp;
  switch (field) {
    case FieldId::kIngressSide: return present(true, static_cast<uint32_t>(side), v);
    case FieldId::kMtp3Opc: return present(m.route.present, m.route.opc, v);
    case FieldId::kMtp3Dpc: return present(m.route.present, m.route.dpc, v);
    case FieldId::kMtp3Si: return present(m.route.present, m.route.si, v);
    case FieldId::kM3uaRoutingContext:
      // (r.m3ua ?? r.sua)?.routingContext: the record has m3ua / sua for that adaptation only.
      if (m.adaptation == Adaptation::kM3ua) return present(m.m3ua.has_routing_context, m.m3ua.routing_context, v);
      if (m.adaptation == Adaptation::kSua) return present(m.sua.has_routing_context, m.sua.routing_context, v);
      return false;
    case FieldId::kSccpMessageType: return present(sccp, m.sccp.message_type, v);
    case FieldId::kSccpCalledSsn: return present(sccp && called.has_ssn, called.ssn, v);
    case FieldId::kSccpCallingSsn: return present(sccp && calling.has_ssn, calling.ssn, v);
    case FieldId::kSccpCalledGti: return present(sccp, called.gti, v);
    case FieldId::kSccpCallingGti: return present(sccp, calling.gti, v);
    case FieldId::kSccpCalledTt: return present(sccp && called.has_tt, called.tt, v);
    case FieldId::kSccpCallingTt: return present(sccp && calling.has_tt, calling.tt, v);
    case FieldId::kSccpCalledNp: return present(sccp && called.has_np, called.np, v);
    case FieldId::kSccpCallingNp: return present(sccp && calling.has_np, calling.np, v);
    case FieldId::kSccpCalledNai: return present(sccp && called.has_nai, called.nai, v);
    case FieldId::kSccpCallingNai: return present(sccp && calling.has_nai, calling.nai, v);
    case FieldId::kSccpCalledPc: return present(sccp && called.has_pc, called.pc, v);
    case FieldId::kSccpCallingPc: return present(sccp && calling.has_pc, calling.pc, v);
    case FieldId::kTcapType: return m.has_tcap && tcap_type_index(m.tcap.type, v);
    case FieldId::kSigwallApplication:
      // APPLICATIONS order: map, cap, unknown.
      v = m.application == Application::kMap ? 0 : m.application == Application::kCap ? 1 : 2;
      return true;
    case FieldId::kTcapComponentType: return present(true, component_type_index(m.tcap.components[c].type), v);
    default: return false;  // not an integer field: load() gives it no SMALL/SORTED_U32 lookup
  }
}

// ---------------------------------------------------------------------------------------------
// Lookups

// The mark of the deepest marked prefix of the digits in the trie at `nodes_at` (digits_lookup.h):
// by its ShortPrefixes when load() built them, else by walking it.
uint16_t deepest_prefix(const TableImage& t, uint32_t nodes_at, uint16_t short_prefixes, const Digits& digits) {
  if (short_prefixes != kNoShortPrefixes) {
    const ShortPrefixes& prefixes = t.short_prefixes(short_prefixes);
    return prefixes.deepest(pack_digits(digits, prefixes.words));
  }
  return walk_trie(t.data() + nodes_at, digits.text, digits.count);
}

uint16_t sorted_u32(const uint8_t* image, const DimensionInfo& d, uint32_t value) {
  uint32_t lo = 0, hi = d.entries;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint32_t key = read_u32(image + d.table + 8 * mid);
    if (key == value) return read_u16(image + d.table + 8 * mid + 4);
    if (key < value) lo = mid + 1;
    else hi = mid;
  }
  return d.default_class;
}

// Lexicographic on the unsigned bytes, a proper prefix first (the order load() checked).
int compare_bytes(const uint8_t* a, uint32_t a_size, const uint8_t* b, uint32_t b_size) {
  const int order = std::memcmp(a, b, std::min(a_size, b_size));
  if (order != 0) return order;
  return a_size < b_size ? -1 : a_size > b_size ? 1 : 0;
}

// evaluate.ts compares the dotted text record_builder.cc prints with format_oid() (ber.cc) into
// a 160-byte buffer; the compiler stores each policy OID as its minimal BER contents (X.690
// §8.19). Re-encoding, minimally, exactly the subidentifiers that text shows makes the two
// compare alike for any encoding: padded (0x80) octets collapse, and the arcs end where
// format_oid() stops (a subidentifier over 9 octets, an unterminated last octet, or the text
// buffer full). False when the text holds a single arc, which no OID equals.
constexpr uint32_t kOidTextCapacity = 160;  // record_builder.cc oid_text()
constexpr uint32_t kCanonicalOidBytes = kOidTextCapacity;  // >= 1 byte of text per byte of BER

uint32_t decimal_length(uint64_t v) {
  uint32_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

bool canonical_oid(ByteView in, uint8_t* out, uint32_t& size) {
  size = 0;
  uint32_t written = 0;  // format_oid()'s text length
  bool first = true;
  uint64_t value = 0;
  unsigned octets = 0;
  for (uint32_t i = 0; i < in.size; ++i) {
    const uint8_t b = in.data[i];
    if (++octets > 9) break;
    value = (value << 7) | (b & 0x7F);
    if (b & 0x80) continue;
    if (first) {
      const uint64_t arc0 = value < 40 ? 0 : value < 80 ? 1 : 2;
      if (written + 2 > kOidTextCapacity) break;
      written += 1;
      const uint32_t n = 1 + decimal_length(value - arc0 * 40);
      if (written + n + 1 > kOidTextCapacity) return false;  // the text is "arc0" alone
      written += n;
      first = false;
    } else {
      const uint32_t n = 1 + decimal_length(value);
      if (written + n + 1 > kOidTextCapacity) break;
      written += n;
    }
    unsigned groups = 1;
    while (groups < 10 && (value >> (7 * groups)) != 0) ++groups;
    if (size + groups > kCanonicalOidBytes) return false;  // cannot happen: each BER byte costs text
    for (unsigned g = groups; g-- > 0;)
      out[size++] = static_cast<uint8_t>(((value >> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
    value = 0;
    octets = 0;
  }
  return true;
}

uint16_t bytes_lookup(const TableImage& t, const DimensionInfo& d, ByteView value) {
  const uint8_t* image = t.data();
  uint32_t lo = 0, hi = d.entries;
  // STRINGS' absolute offset: rule ids and BYTES keys are relative to it. load() resolved
  // rule ids; for keys the loader checked (offset + length) against STRINGS' size.
  const uint32_t strings = t.strings_offset();
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint8_t* entry = image + d.table + 8 * mid;
    const int order = compare_bytes(image + strings + read_u32(entry), read_u16(entry + 4), value.data, value.size);
    if (order == 0) return read_u16(entry + 6);
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return d.default_class;
}

// tcap.application_context_name: the OID's BER contents; absent without TCAP or dialogue AC.
// Out of line: its 160-byte buffer would otherwise make every dimension lookup set up a frame.
__attribute__((noinline)) uint16_t application_context_lookup(const TableImage& t, const DimensionInfo& d, const Ss7Message& m) {
  if (!m.has_tcap || m.tcap.application_context.empty()) return d.absent_class;
  uint8_t canonical[kCanonicalOidBytes];
  uint32_t size;
  if (!canonical_oid(m.tcap.application_context, canonical, size)) return d.default_class;
  return bytes_lookup(t, d, ByteView{canonical, size});
}

uint16_t anomaly_lookup(const uint8_t* image, const DimensionInfo& d, const AnomalySet& anomalies) {
  // Most messages have no anomaly: then no mask intersects it and the index is 0.
  if ((anomalies.bits[0] | anomalies.bits[1]) == 0) return read_u16(image + d.table);
  uint32_t index = 0;
  for (uint32_t j = 0; j < d.entries; ++j) {
    const uint8_t* mask = image + d.structure + 4 + 16 * j;
    if ((anomalies.bits[0] & read_u64(mask)) | (anomalies.bits[1] & read_u64(mask + 8))) index |= 1u << j;
  }
  return read_u16(image + d.table + 2 * index);
}

uint16_t operation_lookup(const uint8_t* image, const DimensionInfo& d, const Ss7Message& m, unsigned c) {
  const TcapComponent& component = m.tcap.components[c];
  uint32_t index = 512;  // global opcode, no opcode, an opcode outside 0..255, or not MAP/CAP
  if (component.opcode_form == CodeForm::kLocal && component.opcode >= 0 && component.opcode <= 255) {
    if (m.application == Application::kMap) index = static_cast<uint32_t>(component.opcode);
    else if (m.application == Application::kCap) index = 256 + static_cast<uint32_t>(component.opcode);
  }
  return read_u16(image + d.table + 2 * index);
}

// sigwall.relation callingGtNetwork (evaluate.ts relationHolds()).
uint16_t relation_lookup(const TableImage& t, const DimensionInfo& d, const Ss7Message& m, unsigned c) {
  const uint8_t* image = t.data();
  uint32_t index = 0;  // no IMSI, or an IMSI of no known network: neither relation holds
  const Digits* imsi;
  if (component_imsi(m, c, imsi)) {
    const uint16_t imsi_network = deepest_prefix(t, t.mcc_mnc_trie(), t.mcc_mnc_short_prefixes(), *imsi);
    if (imsi_network != kUnmarked) {
      const Digits* calling;
      const uint16_t calling_network =
          sccp_digits(m, m.sccp.calling, calling) ? deepest_prefix(t, t.gt_trie(), t.gt_short_prefixes(), *calling) : kUnmarked;
      index = calling_network == imsi_network ? 1 : 2;
    }
  }
  return read_u16(image + d.table + 2 * index);
}

__attribute__((always_inline)) inline uint16_t dimension_class(const TableImage& t, const DimensionInfo& d, const Ss7Message& m, IngressSide side, unsigned c) {
  const uint8_t* image = t.data();
  const auto field = static_cast<FieldId>(d.field);
  switch (d.lookup) {
    case LookupKind::kSmall: {
      uint32_t v;
      if (!integer_value(field, m, side, c, v)) return d.absent_class;
      return v < 256 ? read_u16(image + d.table + 2 * v) : d.default_class;
    }
    case LookupKind::kSortedU32: {
      uint32_t v;
      if (!integer_value(field, m, side, c, v)) return d.absent_class;
      return sorted_u32(image, d, v);
    }
    case LookupKind::kDigits: {
      const Digits* v;
      if (!digits_value(field, m, c, v)) return d.absent_class;
      const uint16_t mark = deepest_prefix(t, d.table, d.short_prefixes, *v);
      return mark == kUnmarked ? d.default_class : mark;
    }
    case LookupKind::kBytes: return application_context_lookup(t, d, m);
    case LookupKind::kAnomaly: return anomaly_lookup(image, d, m.anomalies);
    case LookupKind::kOperation: return operation_lookup(image, d, m, c);
    case LookupKind::kRelation: return relation_lookup(t, d, m, c);
  }
  return d.default_class;
}

__attribute__((always_inline)) inline uint16_t phase_class(const TableImage& t, const PhaseInfo& p, const uint16_t* dims, const uint16_t* phases) {
  const uint32_t left = p.left_kind == InputKind::kDimension ? dims[p.left_index] : phases[p.left_index];
  const uint32_t right = p.right_kind == InputKind::kDimension ? dims[p.right_index] : phases[p.right_index];
  return read_u16(t.data() + p.table + 2 * (left * p.columns + right));
}

// ---------------------------------------------------------------------------------------------
// Rule lists (docs/table-format.md, "Classifying")

// Binary search in an ascending u16 list of the image.
bool list_contains(const uint8_t* list, uint32_t count, uint16_t rule) {
  uint32_t lo = 0, hi = count;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint16_t at = read_u16(list + 2 * mid);
    if (at == rule) return true;
    if (at < rule) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

// The lists of one sparse dimension's class: its positive-type rules that accept it, its
// negative-type rules that reject it.
struct SparseLists {
  const uint8_t* positive = nullptr;
  const uint8_t* negative = nullptr;
  uint16_t positive_count = 0;
  uint16_t negative_count = 0;
};

SparseLists sparse_lists(const TableImage& t, const SparseInfo& s, uint16_t cls) {
  const uint8_t* record = t.data() + s.classes + 12u * cls;
  return {t.rule_list(read_u32(record)), t.rule_list(read_u32(record + 4)), read_u16(record + 8), read_u16(record + 10)};
}

// What one component (or the message without components) sees: the classes of every dimension
// of its scope and of the message scope, and the sparse lists they select.
struct Context {
  bool component = false;
  SparseLists sparse[kMaxSparse];
  const uint16_t* dim_classes = nullptr;
};

bool accepted(const uint8_t* bitset, uint16_t rule) { return (bitset[rule >> 3] >> (rule & 7)) & 1; }

// Whether every dense dimension of `scope` accepts `rule` in the class the context has for it.
// Read only for the sparse candidates (most messages have none), not set up per message.
bool dense_dimensions_accept(const TableImage& t, const Context& ctx, Scope scope, uint16_t rule) {
  const uint32_t row = t.accept_words() * 8;
  for (uint16_t d : t.dense_dimensions(scope))
    if (!accepted(t.data() + t.dimensions()[d].accept + row * ctx.dim_classes[d], rule)) return false;
  return true;
}

// The sparse conditions of `rule`, except on dimension `skip` (the one that named it).
bool sparse_conditions_hold(const TableImage& t, const Context& ctx, uint16_t rule, unsigned skip) {
  const RuleInfo& info = t.rule(rule);
  if ((info.flags & kRuleNeedsComponent) && !ctx.component) return false;
  uint32_t mask = info.sparse_mask;
  while (mask != 0) {
    const unsigned s = static_cast<unsigned>(__builtin_ctz(mask));
    mask &= mask - 1;
    if (s == skip) continue;
    const SparseLists& lists = ctx.sparse[s];
    if (info.negative_mask >> s & 1) {
      if (list_contains(lists.negative, lists.negative_count, rule)) return false;
    } else if (!list_contains(lists.positive, lists.positive_count, rule)) {
      return false;
    }
  }
  return true;
}

// A shadow-hit sink that keeps the lowest kVerdictShadows distinct rules, ascending, and the
// lowest rule it had to leave out (so that truncation is judged against the final decision).
struct BoundedShadows {
  uint16_t rules[kVerdictShadows];
  unsigned count = 0;
  uint16_t lowest_dropped = kNoRule;

  void add(uint16_t rule) {
    unsigned at = count;
    while (at > 0 && rules[at - 1] > rule) --at;
    if (at > 0 && rules[at - 1] == rule) return;
    if (count == kVerdictShadows) {
      if (at == kVerdictShadows) {
        lowest_dropped = std::min(lowest_dropped, rule);
        return;
      }
      lowest_dropped = std::min(lowest_dropped, rules[kVerdictShadows - 1]);
      --count;
    }
    for (unsigned k = count; k > at; --k) rules[k] = rules[k - 1];
    rules[at] = rule;
    ++count;
  }
};

struct AllShadows {
  std::vector<uint16_t>& rules;
  void add(uint16_t rule) { rules.push_back(rule); }
};

// One context: the candidates of every sparse dimension (verified), then the result list L of
// its final cell, walked. `bound` is the best decision so far (over earlier components too):
// nothing at or above it can change the verdict, so every scan stops there.
template <class Sink>
void decide(const TableImage& t, const Context& ctx, uint32_t result, uint16_t& bound, Sink& shadows) {
  const std::vector<SparseInfo>& sparse = t.sparse();
  for (unsigned s = 0; s < sparse.size(); ++s) {
    if (sparse[s].scope == Scope::kComponent && !ctx.component) continue;
    const SparseLists& lists = ctx.sparse[s];
    for (uint32_t k = 0; k < lists.positive_count; ++k) {
      const uint16_t rule = read_u16(lists.positive + 2 * k);
      if (rule >= bound) break;  // ascending
      if (t.rule(rule).designated != s) continue;
      if (!dense_dimensions_accept(t, ctx, Scope::kMessage, rule)) continue;
      if (ctx.component && !dense_dimensions_accept(t, ctx, Scope::kComponent, rule)) continue;
      if (!sparse_conditions_hold(t, ctx, rule, s)) continue;
      if (t.rule(rule).mode == 0) {
        bound = rule;
        break;
      }
      shadows.add(rule);
    }
  }
  const uint8_t* list = t.result_list(result);
  const uint16_t count = t.result_list_count(result);
  for (uint32_t k = 0; k < count; ++k) {
    const uint16_t rule = read_u16(list + 2 * k);
    if (rule >= bound) break;
    if (!sparse_conditions_hold(t, ctx, rule, kMaxSparse)) continue;
    if (t.rule(rule).mode == 0) {
      bound = rule;
      break;
    }
    shadows.add(rule);
  }
}

// Fills the context's sparse lists for the dimensions of `scope`.
void select(const TableImage& t, Scope scope, const uint16_t* dim_classes, Context& ctx) {
  const std::vector<SparseInfo>& sparse = t.sparse();
  for (unsigned s = 0; s < sparse.size(); ++s)
    if (sparse[s].scope == scope) ctx.sparse[s] = sparse_lists(t, sparse[s], dim_classes[sparse[s].dimension]);
}

// The whole classification; returns the decision (kNoRule: none) and feeds shadow hits below
// it (and possibly some above it: the caller filters) to `shadows`.
template <class Sink>
uint16_t run(const TableImage& t, const Ss7Message& m, IngressSide side, Sink& shadows, Verdict* out) {
  const std::vector<DimensionInfo>& dims = t.dimensions();
  const std::vector<PhaseInfo>& phases = t.phases();
  const uint32_t message_dims = t.message_dimension_count();
  const uint32_t message_phases = t.message_phase_count();
  const uint32_t final_index = t.final_phase();
  uint16_t dim_classes[kMaxDimensions];
  uint16_t phase_classes[kMaxPhases];

  for (uint32_t i = 0; i < message_dims; ++i) dim_classes[i] = dimension_class(t, dims[i], m, side, 0);
  for (uint32_t i = 0; i < message_phases; ++i) phase_classes[i] = phase_class(t, phases[i], dim_classes, phase_classes);
  const uint32_t message_class = t.message_root_kind() == InputKind::kDimension ? dim_classes[t.message_root_index()]
                                                                                 : phase_classes[t.message_root_index()];
  const PhaseInfo& final = phases[final_index];
  const uint8_t* final_row = t.data() + final.table + 2 * message_class * final.columns;

  Context ctx;
  ctx.dim_classes = dim_classes;
  select(t, Scope::kMessage, dim_classes, ctx);
  uint16_t bound = kNoRule;
  const unsigned components = m.has_tcap ? std::min<unsigned>(m.tcap.components_decoded, limits::kMaxComponents) : 0;
  if (components == 0) {
    const uint16_t result = read_u16(final_row + 2 * (final.columns - 1u));  // "no component"
    if (out) out->results[out->result_count++] = result;
    decide(t, ctx, result, bound, shadows);
  } else {
    ctx.component = true;
    for (unsigned c = 0; c < components; ++c) {
      for (uint32_t i = message_dims; i < dims.size(); ++i) dim_classes[i] = dimension_class(t, dims[i], m, side, c);
      for (uint32_t i = message_phases; i < final_index; ++i)
        phase_classes[i] = phase_class(t, phases[i], dim_classes, phase_classes);
      const uint32_t component_class = t.component_root_kind() == InputKind::kDimension
                                           ? dim_classes[t.component_root_index()]
                                           : phase_classes[t.component_root_index()];
      select(t, Scope::kComponent, dim_classes, ctx);
      const uint16_t result = read_u16(final_row + 2 * component_class);
      if (out) out->results[out->result_count++] = result;
      decide(t, ctx, result, bound, shadows);
    }
  }
  return bound;
}

}  // namespace

void classify(const TableImage& t, const Ss7Message& m, IngressSide side, Verdict& out) {
  out.rule = kNoRule;
  out.category = 0;
  out.shadow_count = 0;
  out.shadow_truncated = false;
  out.result_count = 0;
  if (m.status == DecodeStatus::kMalformed) {
    // evaluate.ts step 1: before any rule.
    out.action = t.malformed_action();
    out.malformed = true;
    return;
  }
  out.malformed = false;

  BoundedShadows shadows;
  // The lowest deciding rule over the components decides (rule order is policy order).
  const uint16_t decision = run(t, m, side, shadows, &out);
  if (decision == kNoRule) {
    out.action = t.default_action();
  } else {
    const RuleInfo& rule = t.rule(decision);
    out.rule = decision;
    out.action = rule.action;
    out.category = rule.category;
  }
  // Shadow hits: the kept ones below the decision; truncated when one below it was left out.
  for (unsigned k = 0; k < shadows.count && shadows.rules[k] < decision; ++k) out.shadow[out.shadow_count++] = shadows.rules[k];
  out.shadow_truncated = shadows.lowest_dropped < decision;
}

void all_shadow_hits(const TableImage& t, const Ss7Message& m, IngressSide side, std::vector<uint16_t>& out) {
  out.clear();
  if (m.status == DecodeStatus::kMalformed) return;
  AllShadows shadows{out};
  const uint16_t decision = run(t, m, side, shadows, nullptr);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  out.erase(std::lower_bound(out.begin(), out.end(), decision), out.end());
}

}  // namespace sigwall::table

// libFuzzer target for the table image loader and the classifier. The loader must refuse or
// accept any bytes without a fault, and an accepted image must classify any message without a
// fault (the invariant in table/table_image.h). The first input byte selects how the rest
// becomes an image, so that the fuzzer gets past the CRC and the registry hash:
//   0: the bytes as they are;
//   1: the bytes with a valid header's magic, version, sizes and hash written over the first
//      64 bytes, then the CRC patched;
//   2: the rich test image (tests/table_test_builder.h) with the input applied as edits
//      (u16 offset, u8 value) triples, then the CRC patched;
//   3: the same on the sparse test image (sparse dimensions, ACCEPT, rule metadata).
// Every accepted image also has each message's full shadow list (all_shadow_hits) checked
// against the verdict's first kVerdictShadows, and every trie's packed prefixes against its walk.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "table/classifier.h"
#include "table/table_image.h"
#include "tests/table_test_builder.h"

namespace {

using namespace sigwall;
using namespace sigwall::table;

void set_digits(Digits& digits, const char* text) {
  digits.count = static_cast<uint8_t>(std::strlen(text));
  std::memcpy(digits.text, text, digits.count + 1);
}

std::vector<std::unique_ptr<Ss7Message>> make_messages() {
  std::vector<std::unique_ptr<Ss7Message>> messages;
  auto sccp = [](const char* called, const char* calling) {
    auto m = std::make_unique<Ss7Message>();
    m->has_sccp = true;
    m->sccp.message_type = 9;
    m->sccp.called.gti = 4;
    m->sccp.called.has_ssn = true;
    m->sccp.called.ssn = 6;
    m->sccp.calling.gti = 4;
    set_digits(m->sccp.called.digits, called);
    set_digits(m->sccp.calling.digits, calling);
    m->route.present = true;
    m->route.opc = 100;
    return m;
  };
  messages.push_back(sccp("447700900001", "4477009"));  // no TCAP
  {
    auto m = sccp("33", "447712");  // MAP, 16 components with IMSIs and addresses
    m->has_tcap = true;
    m->tcap.type = TcapMessageType::kBegin;
    static const uint8_t ac[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x03};
    m->tcap.application_context = ByteView{ac, sizeof ac};
    m->application = Application::kMap;
    m->tcap.components_decoded = limits::kMaxComponents;
    for (unsigned i = 0; i < limits::kMaxComponents; ++i) {
      TcapComponent& c = m->tcap.components[i];
      c.type = static_cast<ComponentType>(1 + i % 4);
      c.opcode_form = i % 5 == 4 ? CodeForm::kGlobal : CodeForm::kLocal;
      c.opcode = static_cast<int32_t>(i * 37 % 300) - 10;
      m->map[i].imsi.present = i % 2 == 0;
      set_digits(m->map[i].imsi.digits, i % 4 == 0 ? "234150000000001" : "208010000000001");
      m->map[i].sm_rp_da_kind = SmRpDaKind::kServiceCentre;
      m->map[i].sm_rp_da.present = true;
      set_digits(m->map[i].sm_rp_da.digits, "4477*#ab");
    }
    m->anomalies.set(Anomaly::kTcapGlobalOpcode);
    m->anomalies.set(Anomaly::kMessageCap);
    messages.push_back(std::move(m));
  }
  {
    auto m = sccp("", "");  // CAP, one component
    m->has_tcap = true;
    m->tcap.type = TcapMessageType::kContinue;
    m->application = Application::kCap;
    m->tcap.components_decoded = 1;
    m->tcap.components[0].opcode_form = CodeForm::kLocal;
    m->tcap.components[0].opcode = 0;
    m->cap[0].imsi.present = true;
    set_digits(m->cap[0].imsi.digits, "23415");
    // A padded, over-long application context with an unterminated last subidentifier.
    static uint8_t long_ac[200];
    for (unsigned i = 0; i < sizeof long_ac; ++i) long_ac[i] = static_cast<uint8_t>(i % 3 == 0 ? 0x80 : 0x81 + i % 5);
    m->has_tcap = true;
    m->tcap.application_context = ByteView{long_ac, sizeof long_ac};
    m->adaptation = Adaptation::kM3ua;
    m->m3ua.has_routing_context = true;
    m->m3ua.routing_context = 0xFFFFFFFFu;
    messages.push_back(std::move(m));
  }
  {
    auto m = std::make_unique<Ss7Message>();  // nothing decoded
    messages.push_back(std::move(m));
  }
  {
    auto m = sccp("1", "2");
    m->status = DecodeStatus::kMalformed;
    messages.push_back(std::move(m));
  }
  return messages;
}

const std::vector<uint8_t>& rich() {
  static const std::vector<uint8_t> image = testing::rich_image();
  return image;
}

const std::vector<uint8_t>& sparse() {
  static const std::vector<uint8_t> image = testing::sparse_builder().build();
  return image;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::unique_ptr<Ss7Message>> messages = make_messages();
  if (size < 1 || size > 256 * 1024) return 0;
  const uint8_t mode = data[0] % 4;
  std::vector<uint8_t> image;
  if (mode == 0) {
    image.assign(data + 1, data + size);
  } else if (mode == 1) {
    image.assign(data + 1, data + size);
    if (image.size() >= kHeaderSize) {
      std::memcpy(image.data(), "SGWLTBL1", 8);
      testing::set32(image, 8, kFormatVersion);
      testing::set32(image, 12, kHeaderSize);
      testing::set32(image, 16, static_cast<uint32_t>(image.size()));
      for (int i = 0; i < 8; ++i) image[24 + i] = static_cast<uint8_t>(kRegistryHash >> (8 * i));
      testing::patch_crc(image);
    }
  } else {
    image = mode == 2 ? rich() : sparse();
    for (size_t i = 1; i + 3 <= size; i += 3) {
      const uint32_t at = static_cast<uint32_t>(data[i] | (data[i + 1] << 8)) % image.size();
      image[at] = data[i + 2];
    }
    testing::patch_crc(image);
  }

  std::unique_ptr<TableImage> table;
  TableError error;
  if (!TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) {
    if (error.message.empty()) std::abort();
    return 0;
  }
  for (const auto& message : messages) {
    for (IngressSide side : {IngressSide::kExternal, IngressSide::kInternal}) {
      Verdict verdict;
      classify(*table, *message, side, verdict);
      if (verdict.action > 2 || verdict.shadow_count > kVerdictShadows) std::abort();
      if (verdict.rule != kNoRule && verdict.rule >= table->rule_count()) std::abort();
      for (unsigned i = 0; i < verdict.shadow_count; ++i) {
        if (verdict.shadow[i] >= table->rule_count()) std::abort();
        if (i > 0 && verdict.shadow[i] <= verdict.shadow[i - 1]) std::abort();
        (void)table->rule_id(verdict.shadow[i]);
      }
      if (verdict.rule != kNoRule) (void)table->rule_id(verdict.rule);
      std::vector<uint16_t> all;
      all_shadow_hits(*table, *message, side, all);
      if (all.size() < verdict.shadow_count || (all.size() > verdict.shadow_count) != verdict.shadow_truncated) std::abort();
      for (unsigned i = 0; i < verdict.shadow_count; ++i)
        if (all[i] != verdict.shadow[i]) std::abort();
    }
  }
  // Every trie load() packed (digits_lookup.h) answers as its walk does, on each message's digits.
  const auto same_as_walk = [&](uint32_t nodes_at, uint16_t index) {
    if (index == kNoShortPrefixes) return;
    const ShortPrefixes& prefixes = table->short_prefixes(index);
    for (const auto& message : messages)
      for (const Digits* digits : {&message->sccp.called.digits, &message->sccp.calling.digits, &message->map[0].imsi.digits})
        if (prefixes.deepest(pack_digits(*digits, prefixes.words)) != walk_trie(table->data() + nodes_at, digits->text, digits->count))
          std::abort();
  };
  for (const DimensionInfo& d : table->dimensions())
    if (d.lookup == LookupKind::kDigits) same_as_walk(d.table, d.short_prefixes);
  if (table->has_networks()) {
    same_as_walk(table->gt_trie(), table->gt_short_prefixes());
    same_as_walk(table->mcc_mnc_trie(), table->mcc_mnc_short_prefixes());
  }
  (void)table->policy_name();
  return 0;
}

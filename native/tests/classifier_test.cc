// The classifier on hand-built images: each lookup kind reads the value evaluate.ts reads
// (FIELD_VALUES on the record record_builder.cc makes of the same Ss7Message), phases combine,
// several components combine (lowest decision, shadows below it), malformed comes first.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "decode/ber.h"
#include "table/classifier.h"
#include "table_test_builder.h"

namespace sigwall::table {
namespace {

using namespace testing;

std::unique_ptr<TableImage> load(const std::vector<uint8_t>& image) {
  std::unique_ptr<TableImage> table;
  TableError error;
  EXPECT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) << error.message;
  return table;
}

// --- messages ------------------------------------------------------------------------------------

void set_digits(Digits& digits, const char* text) {
  digits.count = static_cast<uint8_t>(std::strlen(text));
  std::memcpy(digits.text, text, digits.count + 1);
}

void set_address(AddressField& field, const char* text) {
  field.present = true;
  set_digits(field.digits, text);
}

// An SCCP UDT with GT-routed addresses (called SSN 6, calling SSN 8) and no TCAP.
std::unique_ptr<Ss7Message> sccp_message(const char* called_gt = "447700900001", const char* calling_gt = "447700900002") {
  auto m = std::make_unique<Ss7Message>();
  m->has_sccp = true;
  m->sccp.message_type = 9;
  for (SccpAddress* a : {&m->sccp.called, &m->sccp.calling}) {
    a->present = true;
    a->gti = 4;
    a->has_ssn = true;
    a->has_tt = true;
    a->has_np = true;
    a->np = 1;
    a->has_nai = true;
    a->nai = 4;
  }
  m->sccp.called.ssn = 6;
  m->sccp.calling.ssn = 8;
  set_digits(m->sccp.called.digits, called_gt);
  set_digits(m->sccp.calling.digits, calling_gt);
  return m;
}

// Adds TCAP (a Begin) for application `app` if absent, and a component.
TcapComponent& add_component(Ss7Message& m, Application app, int32_t opcode, ComponentType type = ComponentType::kInvoke) {
  m.has_tcap = true;
  m.tcap.type = TcapMessageType::kBegin;
  m.application = app;
  TcapComponent& c = m.tcap.components[m.tcap.components_decoded++];
  m.tcap.component_count = m.tcap.components_decoded;
  c.type = type;
  c.opcode_form = CodeForm::kLocal;
  c.opcode = opcode;
  return c;
}

Verdict classify_with(const TableImage& table, const Ss7Message& m, IngressSide side = IngressSide::kExternal) {
  Verdict v;
  classify(table, m, side, v);
  return v;
}

std::vector<uint16_t> shadows(const Verdict& v) { return std::vector<uint16_t>(v.shadow, v.shadow + v.shadow_count); }

// --- probes: the class one dimension gives a message ---------------------------------------------

// An image whose verdict rule is the class `d` gives: rule i decides for class i. A component
// dimension is read on the message's single component (no component: kNoRule).
uint16_t probe(const Dimension& d, const Ss7Message& m, IngressSide side = IngressSide::kExternal,
               const ImageBuilder* networks = nullptr) {
  ImageBuilder b;
  if (networks) {
    b.networks = true;
    b.network_count = networks->network_count;
    b.gt_networks = networks->gt_networks;
    b.mcc_mnc_networks = networks->mcc_mnc_networks;
  }
  for (uint32_t i = 0; i < d.classes; ++i) b.rules.push_back({"p#class" + std::to_string(i), 1, 0, 0});
  const uint16_t n = static_cast<uint16_t>(d.classes);
  if (d.scope == Scope::kMessage) {
    b.dimensions = {d, single(FieldId::kTcapComponentType, Scope::kComponent)};
    Phase final{InputKind::kDimension, 0, InputKind::kDimension, 1, n, 2, {}};
    for (uint16_t i = 0; i < n; ++i) final.table.insert(final.table.end(), {i, i});
    b.phases = {final};
    b.component_root = 1;
    for (uint16_t i = 0; i < n; ++i) b.results.push_back(Result{i, {}});
  } else {
    b.dimensions = {single(FieldId::kSigwallApplication, Scope::kMessage), d};
    Phase final{InputKind::kDimension, 0, InputKind::kDimension, 1, 1, static_cast<uint16_t>(n + 1), {}};
    for (uint16_t i = 0; i <= n; ++i) final.table.push_back(i);
    b.phases = {final};
    b.component_root = 1;
    for (uint16_t i = 0; i < n; ++i) b.results.push_back(Result{i, {}});
    b.results.push_back(Result{});
  }
  auto table = load(b.build());
  if (!table) return 0xFFFE;
  return classify_with(*table, m, side).rule;
}

// Integer fields on a SMALL lookup: class 1 for `value`, 0 for others, 2 absent.
uint16_t small_probe(FieldId field, uint32_t value, const Ss7Message& m, IngressSide side = IngressSide::kExternal) {
  const Scope scope = field == FieldId::kTcapComponentType ? Scope::kComponent : Scope::kMessage;
  return probe(small(field, scope, 3, 2, {{value, 1}}), m, side);
}

uint16_t digits_probe(FieldId field, const char* prefix, const Ss7Message& m) {
  const Scope scope = static_cast<uint16_t>(field) >= static_cast<uint16_t>(FieldId::kTcapComponentType) ? Scope::kComponent : Scope::kMessage;
  return probe(digits(field, scope, 3, 2, 0, Trie().add(prefix, 1)), m);
}

constexpr uint16_t kAbsent = 2;

// --- SMALL ---------------------------------------------------------------------------------------

TEST(ClassifierSmall, IngressSide) {
  auto m = sccp_message();
  EXPECT_EQ(small_probe(FieldId::kIngressSide, 1, *m, IngressSide::kInternal), 1);
  EXPECT_EQ(small_probe(FieldId::kIngressSide, 1, *m, IngressSide::kExternal), 0);
}

TEST(ClassifierSmall, SccpFields) {
  auto m = sccp_message();
  EXPECT_EQ(small_probe(FieldId::kSccpMessageType, 9, *m), 1);
  EXPECT_EQ(small_probe(FieldId::kSccpCalledSsn, 6, *m), 1);
  EXPECT_EQ(small_probe(FieldId::kSccpCallingSsn, 6, *m), 0);
  EXPECT_EQ(small_probe(FieldId::kSccpCalledGti, 4, *m), 1);
  EXPECT_EQ(small_probe(FieldId::kSccpCallingNp, 1, *m), 1);
  EXPECT_EQ(small_probe(FieldId::kSccpCalledNai, 4, *m), 1);
  EXPECT_EQ(small_probe(FieldId::kSccpCalledTt, 0, *m), 1);
  m->sccp.called.has_ssn = false;  // record: no called.ssn
  EXPECT_EQ(small_probe(FieldId::kSccpCalledSsn, 6, *m), kAbsent);
  m->sccp.calling.has_tt = false;
  EXPECT_EQ(small_probe(FieldId::kSccpCallingTt, 0, *m), kAbsent);
  m->has_sccp = false;  // no record.sccp: every SCCP field absent, the GTI included
  EXPECT_EQ(small_probe(FieldId::kSccpMessageType, 9, *m), kAbsent);
  EXPECT_EQ(small_probe(FieldId::kSccpCalledGti, 4, *m), kAbsent);
  EXPECT_EQ(small_probe(FieldId::kSccpCallingSsn, 8, *m), kAbsent);
}

TEST(ClassifierSmall, Mtp3Si) {
  auto m = sccp_message();
  EXPECT_EQ(small_probe(FieldId::kMtp3Si, 3, *m), kAbsent);  // no routing label
  m->route.present = true;
  m->route.si = 3;
  EXPECT_EQ(small_probe(FieldId::kMtp3Si, 3, *m), 1);
}

TEST(ClassifierSmall, TcapTypeIndices) {
  auto m = sccp_message();
  EXPECT_EQ(small_probe(FieldId::kTcapType, 1, *m), kAbsent);  // no TCAP
  add_component(*m, Application::kMap, 2);
  const std::pair<TcapMessageType, uint32_t> types[] = {{TcapMessageType::kUnidirectional, 0}, {TcapMessageType::kBegin, 1},
                                                        {TcapMessageType::kContinue, 2}, {TcapMessageType::kEnd, 3},
                                                        {TcapMessageType::kAbort, 4}};
  for (auto [type, index] : types) {
    m->tcap.type = type;
    EXPECT_EQ(small_probe(FieldId::kTcapType, index, *m), 1) << index;
  }
}

TEST(ClassifierSmall, ApplicationIndices) {
  auto m = sccp_message();
  m->application = Application::kMap;
  EXPECT_EQ(small_probe(FieldId::kSigwallApplication, 0, *m), 1);
  m->application = Application::kCap;
  EXPECT_EQ(small_probe(FieldId::kSigwallApplication, 1, *m), 1);
  m->application = Application::kUnknown;  // present even without TCAP
  EXPECT_EQ(small_probe(FieldId::kSigwallApplication, 2, *m), 1);
}

TEST(ClassifierSmall, ComponentTypeIndices) {
  const std::pair<ComponentType, uint32_t> types[] = {{ComponentType::kInvoke, 0}, {ComponentType::kReturnResultLast, 1},
                                                      {ComponentType::kReturnResultNotLast, 2}, {ComponentType::kReturnError, 3},
                                                      {ComponentType::kReject, 4}};
  for (auto [type, index] : types) {
    auto m = sccp_message();
    add_component(*m, Application::kMap, 2, type);
    EXPECT_EQ(small_probe(FieldId::kTcapComponentType, index, *m), 1) << index;
  }
  auto m = sccp_message();
  EXPECT_EQ(small_probe(FieldId::kTcapComponentType, 0, *m), kNoRule);  // no component: the last column
}

// --- SORTED_U32 ----------------------------------------------------------------------------------

TEST(ClassifierSorted, PointCodes) {
  auto m = sccp_message();
  const Dimension opc = sorted(FieldId::kMtp3Opc, Scope::kMessage, 4, 3, 0, {{10, 1}, {1000, 2}, {16383, 1}});
  EXPECT_EQ(probe(opc, *m), 3);  // no routing label
  m->route.present = true;
  for (auto [value, cls] : std::vector<std::pair<uint32_t, uint16_t>>{{10, 1}, {1000, 2}, {16383, 1}, {0, 0}, {11, 0}, {999, 0}, {20000, 0}}) {
    m->route.opc = value;
    EXPECT_EQ(probe(opc, *m), cls) << value;
  }
  m->sccp.calling.has_pc = true;
  m->sccp.calling.pc = 1000;
  EXPECT_EQ(probe(sorted(FieldId::kSccpCallingPc, Scope::kMessage, 4, 3, 0, {{1000, 2}}), *m), 2);
  EXPECT_EQ(probe(sorted(FieldId::kSccpCalledPc, Scope::kMessage, 4, 3, 0, {{1000, 2}}), *m), 3);
}

TEST(ClassifierSorted, RoutingContextFromM3uaOrSua) {
  auto m = sccp_message();
  const Dimension rc = sorted(FieldId::kM3uaRoutingContext, Scope::kMessage, 3, 2, 0, {{0xFFFFFFFFu, 1}});
  EXPECT_EQ(probe(rc, *m), 2);
  m->adaptation = Adaptation::kM3ua;
  EXPECT_EQ(probe(rc, *m), 2);  // M3UA without a routing context
  m->m3ua.has_routing_context = true;
  m->m3ua.routing_context = 0xFFFFFFFFu;
  EXPECT_EQ(probe(rc, *m), 1);
  m->adaptation = Adaptation::kSua;  // the M3UA view is not in the record then
  EXPECT_EQ(probe(rc, *m), 2);
  m->sua.has_routing_context = true;
  m->sua.routing_context = 0xFFFFFFFFu;
  EXPECT_EQ(probe(rc, *m), 1);
  m->adaptation = Adaptation::kM2pa;
  EXPECT_EQ(probe(rc, *m), 2);
}

TEST(ClassifierSorted, EnumOnSorted) {
  auto m = sccp_message();
  EXPECT_EQ(probe(sorted(FieldId::kIngressSide, Scope::kMessage, 3, 2, 0, {{1, 1}}), *m, IngressSide::kInternal), 1);
}

// --- DIGITS --------------------------------------------------------------------------------------

TEST(ClassifierDigits, LongestMarkedPrefix) {
  auto m = sccp_message("447712345678", "33612345678");
  const Dimension called = digits(FieldId::kSccpCalledDigits, Scope::kMessage, 4, 3, 0, Trie().add("44", 1).add("4477", 2).add("447799", 1));
  EXPECT_EQ(probe(called, *m), 2);
  set_digits(m->sccp.called.digits, "4478");
  EXPECT_EQ(probe(called, *m), 1);
  set_digits(m->sccp.called.digits, "4");
  EXPECT_EQ(probe(called, *m), 0);  // on the path of a prefix, none marked: default
  set_digits(m->sccp.called.digits, "");
  EXPECT_EQ(probe(called, *m), 0);  // present but empty: no prefix matches
  set_digits(m->sccp.called.digits, "44b77");  // a non-decimal digit ends the walk at "44"
  EXPECT_EQ(probe(called, *m), 1);
  set_digits(m->sccp.called.digits, "4477");
  EXPECT_EQ(probe(called, *m), 2);
  m->sccp.called.gti = 0;  // record_builder.cc: no digits without a GT
  EXPECT_EQ(probe(called, *m), 3);
}

TEST(ClassifierDigits, RootMark) {
  auto m = sccp_message("12", "34");
  EXPECT_EQ(probe(digits(FieldId::kSccpCallingDigits, Scope::kMessage, 3, 2, 0, Trie().add("", 1)), *m), 1);
}

TEST(ClassifierDigits, ImsiSources) {
  auto m = sccp_message();
  add_component(*m, Application::kMap, 2);
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), kAbsent);
  m->map[0].sm_rp_da_kind = SmRpDaKind::kImsi;  // sm-RP-DA imsi (mt-forwardSM)
  set_address(m->map[0].sm_rp_da, "234150000000001");
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), 1);
  set_address(m->map[0].imsi, "208010000000001");  // the MAP imsi comes first
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), 0);
  m->map[0].sm_rp_da_kind = SmRpDaKind::kLmsi;
  m->map[0].imsi.present = false;
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), kAbsent);
  // CAP: the CAP imsi; the MAP fields are not in the record of a CAP message.
  m->application = Application::kCap;
  set_address(m->map[0].imsi, "234150000000001");
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), kAbsent);
  set_address(m->cap[0].imsi, "234159999999999");
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), 1);
  // Unknown application: the record carries the MAP fields.
  m->application = Application::kUnknown;
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), 1);
  set_address(m->map[0].imsi, "999");
  EXPECT_EQ(digits_probe(FieldId::kE212Imsi, "23415", *m), 0);
}

TEST(ClassifierDigits, MapAddresses) {
  auto m = sccp_message();
  add_component(*m, Application::kMap, 2);
  MapFields& f = m->map[0];
  set_address(f.msisdn, "447700900111");
  set_address(f.msc_number, "447700900222");
  set_address(f.vlr_number, "447700900333");
  set_address(f.sgsn_number, "447700900444");
  set_address(f.hlr_number, "447700900555");
  set_address(f.gsmscf_address, "447700900666");
  EXPECT_EQ(digits_probe(FieldId::kE164Msisdn, "447700900111", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapMscNumber, "447700900222", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapVlrNumber, "447700900333", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapSgsnNumber, "447700900444", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapHlrNumber, "447700900555", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapGsmscfAddress, "447700900666", *m), 1);
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "44", *m), kAbsent);
  EXPECT_EQ(digits_probe(FieldId::kMapSmRpOaMsisdn, "44", *m), kAbsent);
  m->application = Application::kCap;  // no MAP fields in a CAP record
  EXPECT_EQ(digits_probe(FieldId::kE164Msisdn, "447700900111", *m), kAbsent);
}

TEST(ClassifierDigits, ServiceCentreAddressAlternatives) {
  auto m = sccp_message();
  add_component(*m, Application::kMap, 44);
  MapFields& f = m->map[0];
  f.sm_rp_oa_kind = SmRpOaKind::kServiceCentre;
  set_address(f.sm_rp_oa, "3312");
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "33", *m), 1);
  // An sm-RP-DA of kind serviceCentreAddressDA comes before the OA, even without its digits.
  f.sm_rp_da_kind = SmRpDaKind::kServiceCentre;
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "33", *m), kAbsent);
  set_address(f.sm_rp_da, "4412");
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "44", *m), 1);
  set_address(f.service_centre_address, "9912");
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "44", *m), 0);
  EXPECT_EQ(digits_probe(FieldId::kMapServiceCentreAddress, "99", *m), 1);
  // sm-RP-OA msisdn only for kind msisdn.
  EXPECT_EQ(digits_probe(FieldId::kMapSmRpOaMsisdn, "33", *m), kAbsent);
  f.sm_rp_oa_kind = SmRpOaKind::kMsisdn;
  EXPECT_EQ(digits_probe(FieldId::kMapSmRpOaMsisdn, "33", *m), 1);
}

// --- BYTES ---------------------------------------------------------------------------------------

TEST(ClassifierBytes, ApplicationContext) {
  ImageBuilder keys;
  const std::vector<uint8_t> short_ac = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19};
  const std::vector<uint8_t> other = {0x04, 0x00, 0x00, 0x01, 0x00, 0x05, 0x03};
  // Sorted: short_ac (a prefix of kShortMsgMtAc) before it, then `other`... 0x05 < 0x19.
  const Dimension ac = keys.bytes(FieldId::kTcapApplicationContextName, 5, 3, 0, {{other, 2}, {short_ac, 4}, {kShortMsgMtAc, 1}});
  // probe() builds its own image: carry the keys' STRINGS over by building through `keys`.
  auto m = sccp_message();
  auto run = [&](const Ss7Message& message) {
    ImageBuilder b = keys;
    for (uint32_t i = 0; i < 5; ++i) b.rules.push_back({"p#c" + std::to_string(i), 1, 0, 0});
    b.dimensions = {ac, single(FieldId::kTcapComponentType, Scope::kComponent)};
    b.phases = {Phase{InputKind::kDimension, 0, InputKind::kDimension, 1, 5, 2, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4}}};
    b.component_root = 1;
    for (uint16_t i = 0; i < 5; ++i) b.results.push_back(Result{i, {}});
    auto table = load(b.build());
    return classify_with(*table, message).rule;
  };
  EXPECT_EQ(run(*m), 3);  // no TCAP
  add_component(*m, Application::kMap, 46);
  EXPECT_EQ(run(*m), 3);  // TCAP without a dialogue
  m->tcap.application_context = ByteView{kShortMsgMtAc.data(), static_cast<uint32_t>(kShortMsgMtAc.size())};
  EXPECT_EQ(run(*m), 1);
  m->tcap.application_context = ByteView{other.data(), static_cast<uint32_t>(other.size())};
  EXPECT_EQ(run(*m), 2);
  m->tcap.application_context = ByteView{short_ac.data(), static_cast<uint32_t>(short_ac.size())};
  EXPECT_EQ(run(*m), 4);
  m->tcap.application_context = ByteView{kShortMsgMtAc.data(), 5};  // a prefix of two keys: no key
  EXPECT_EQ(run(*m), 0);
  const uint8_t longer[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x03, 0x01};
  m->tcap.application_context = ByteView{longer, sizeof longer};
  EXPECT_EQ(run(*m), 0);
  // The record shows the arcs format_oid() prints: a padded subidentifier is the same arc...
  const uint8_t padded[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x80, 0x19, 0x03};
  m->tcap.application_context = ByteView{padded, sizeof padded};
  EXPECT_EQ(run(*m), 1);
  // ...an unterminated last subidentifier ends the text after 0.4.0.0.1.0.25...
  const uint8_t unterminated[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x83};
  m->tcap.application_context = ByteView{unterminated, sizeof unterminated};
  EXPECT_EQ(run(*m), 4);
  // ...as does a subidentifier of more than 9 octets.
  const uint8_t huge[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01};
  m->tcap.application_context = ByteView{huge, sizeof huge};
  EXPECT_EQ(run(*m), 4);
  // A first octet alone with the continuation bit prints nothing: present, no key.
  const uint8_t nothing[] = {0x84};
  m->tcap.application_context = ByteView{nothing, sizeof nothing};
  EXPECT_EQ(run(*m), 0);
}

// The text buffer of record_builder.cc (160 bytes) ends the arcs too: 0.4 then 78 arcs "1"
// print 159 characters; the 79th does not fit.
TEST(ClassifierBytes, TextCapacityEndsTheArcs) {
  std::vector<uint8_t> key = {0x04};
  for (int i = 0; i < 78; ++i) key.push_back(0x01);
  std::vector<uint8_t> carried = key;
  carried.push_back(0x01);
  carried.push_back(0x01);
  ImageBuilder b;
  const Dimension ac = b.bytes(FieldId::kTcapApplicationContextName, 3, 2, 0, {{key, 1}});
  b.rules = {{"p#c0", 1, 0, 0}, {"p#c1", 1, 0, 0}, {"p#c2", 1, 0, 0}};
  b.dimensions = {ac, single(FieldId::kTcapComponentType, Scope::kComponent)};
  b.phases = {Phase{InputKind::kDimension, 0, InputKind::kDimension, 1, 3, 2, {0, 0, 1, 1, 2, 2}}};
  b.component_root = 1;
  for (uint16_t i = 0; i < 3; ++i) b.results.push_back(Result{i, {}});
  auto table = load(b.build());
  auto m = sccp_message();
  add_component(*m, Application::kMap, 46);
  m->tcap.application_context = ByteView{carried.data(), static_cast<uint32_t>(carried.size())};
  EXPECT_EQ(classify_with(*table, *m).rule, 1);
  char text[160];  // as record_builder.cc prints it
  format_oid(m->tcap.application_context, text, sizeof text);
  EXPECT_EQ(std::strlen(text), 159u);
}

// --- ANOMALY -------------------------------------------------------------------------------------

TEST(ClassifierAnomaly, MaskIndex) {
  // mask 0: tcap.global_opcode | tcap.negative_opcode; mask 1: sctp.bad_crc (index 0..63 word 0)
  // and engine.message_cap (the last, word 1). index = bit0 | bit1 << 1.
  const Dimension d = anomaly(4, {{Anomaly::kTcapGlobalOpcode, Anomaly::kTcapNegativeOpcode}, {Anomaly::kSctpBadCrc, Anomaly::kMessageCap}},
                              {0, 1, 2, 3});
  auto m = sccp_message();
  EXPECT_EQ(probe(d, *m), 0);
  m->anomalies.set(Anomaly::kTcapMultipleComponents);  // in no mask
  EXPECT_EQ(probe(d, *m), 0);
  m->anomalies.set(Anomaly::kTcapNegativeOpcode);
  EXPECT_EQ(probe(d, *m), 1);
  m->anomalies.set(Anomaly::kMessageCap);
  EXPECT_EQ(probe(d, *m), 3);
  m->anomalies = AnomalySet{};
  m->anomalies.set(Anomaly::kSctpBadCrc);
  EXPECT_EQ(probe(d, *m), 2);
}

TEST(ClassifierAnomaly, NoMasks) {
  auto m = sccp_message();
  m->anomalies.set(Anomaly::kTcapGlobalOpcode);
  EXPECT_EQ(probe(anomaly(1, {}, {0}), *m), 0);
}

// --- OPERATION -----------------------------------------------------------------------------------

TEST(ClassifierOperation, LocalOpcodesOfMapAndCap) {
  const Dimension op = operation(FieldId::kMapOpcode, 4, {{71, 1}, {256 + 0, 2}, {255, 1}}, 0, 3);
  auto m = sccp_message();
  TcapComponent& c = add_component(*m, Application::kMap, 71);
  EXPECT_EQ(probe(op, *m), 1);
  c.opcode = 255;
  EXPECT_EQ(probe(op, *m), 1);
  c.opcode = 0;
  EXPECT_EQ(probe(op, *m), 0);
  m->application = Application::kCap;
  EXPECT_EQ(probe(op, *m), 2);
  c.opcode = 71;
  EXPECT_EQ(probe(op, *m), 0);
  m->application = Application::kUnknown;  // neither map.opcode nor cap.opcode
  EXPECT_EQ(probe(op, *m), 3);
  m->application = Application::kMap;
  c.opcode = 256;  // a local opcode no rule can name
  EXPECT_EQ(probe(op, *m), 3);
  c.opcode = -1;
  EXPECT_EQ(probe(op, *m), 3);
  c.opcode = 71;
  c.opcode_form = CodeForm::kGlobal;
  EXPECT_EQ(probe(op, *m), 3);
  c.opcode_form = CodeForm::kNone;  // e.g. a returnResultLast without a result
  EXPECT_EQ(probe(op, *m), 3);
  // The same image under the cap.opcode field id reads the same index.
  c.opcode_form = CodeForm::kLocal;
  c.opcode = 0;
  m->application = Application::kCap;
  Dimension cap = op;
  cap.field = static_cast<uint16_t>(FieldId::kCapOpcode);
  EXPECT_EQ(probe(cap, *m), 2);
}

// --- RELATION ------------------------------------------------------------------------------------

TEST(ClassifierRelation, CallingGtNetworkAgainstImsiNetwork) {
  ImageBuilder networks;
  networks.network_count = 3;                                               // home, partner A, partner B
  networks.gt_networks.add("44", 0).add("4477", 1).add("33", 2);            // 4477 is partner A's, longer
  networks.mcc_mnc_networks.add("23415", 0).add("20801", 1).add("2080", 2); // 20801 longest: A
  const Dimension rel = relation(3, 0, 1, 2);
  auto m = sccp_message("111", "441234");
  MapFields& f = m->map[0];
  add_component(*m, Application::kMap, 2);
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 0);  // no IMSI
  set_address(f.imsi, "310150000000001");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 0);  // IMSI of no known network
  set_address(f.imsi, "234150000000001");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 1);  // home and home
  set_digits(m->sccp.calling.digits, "447712");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 2);  // partner A's GT, home IMSI
  set_address(f.imsi, "208010000000001");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 1);  // both partner A
  set_address(f.imsi, "208020000000001");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 2);  // IMSI partner B
  set_digits(m->sccp.calling.digits, "99");
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 2);  // unknown calling GT differs
  m->sccp.calling.gti = 0;
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 2);  // no calling GT differs
  m->has_sccp = false;
  EXPECT_EQ(probe(rel, *m, IngressSide::kExternal, &networks), 2);
}

// --- the rich image: phases, rules, components -----------------------------------------------

class ClassifierRich : public ::testing::Test {
 protected:
  void SetUp() override { table_ = load(rich_image()); }
  Verdict run(const Ss7Message& m) { return classify_with(*table_, m); }
  std::unique_ptr<TableImage> table_;
};

TEST_F(ClassifierRich, NoTcapDefault) {
  auto m = sccp_message();
  Verdict v = run(*m);
  EXPECT_EQ(v.action, 0);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_FALSE(v.malformed);
  EXPECT_EQ(v.shadow_count, 0);
  m->route.present = true;
  m->route.opc = 200;  // rule 1 (shadow) holds: listed, nothing decides
  v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
}

TEST_F(ClassifierRich, ComponentRuleDecides) {
  auto m = sccp_message();
  m->route.present = true;
  m->route.opc = 100;
  add_component(*m, Application::kMap, 71);  // anyTimeInterrogation to SSN 6
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 0);
  EXPECT_EQ(v.action, 1);
  EXPECT_EQ(v.category, 1);
  EXPECT_EQ(v.shadow_count, 0);  // rule 1 comes after the decision
  EXPECT_EQ(table_->rule_id(v.rule), "rich#ati-to-hlr");
  m->sccp.called.has_ssn = false;  // class "absent": rule 0 does not hold
  v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
}

TEST_F(ClassifierRich, MessageRuleWithComponentsAndWithout) {
  auto m = sccp_message("447700900001", "447700900002");
  m->has_tcap = true;  // TCAP Begin with the shortMsgMT context and no component
  m->tcap.type = TcapMessageType::kBegin;
  m->application = Application::kMap;
  m->tcap.application_context = ByteView{kShortMsgMtAc.data(), static_cast<uint32_t>(kShortMsgMtAc.size())};
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 5);
  EXPECT_EQ(v.action, 0);
  EXPECT_EQ(v.category, 3);
  add_component(*m, Application::kMap, 44);  // a component changes nothing for a message rule
  EXPECT_EQ(run(*m).rule, 5);
  m->tcap.type = TcapMessageType::kContinue;
  EXPECT_EQ(run(*m).rule, kNoRule);
}

TEST_F(ClassifierRich, AnomalyRule) {
  auto m = sccp_message();
  m->route.present = true;
  m->route.opc = 100;
  TcapComponent& c = add_component(*m, Application::kMap, 71);
  c.opcode_form = CodeForm::kGlobal;
  m->anomalies.set(Anomaly::kTcapGlobalOpcode);
  const Verdict v = run(*m);
  EXPECT_EQ(v.rule, 2);
  EXPECT_EQ(v.action, 1);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
}

TEST_F(ClassifierRich, SeveralComponentsLowestDecisionAndShadowUnion) {
  auto m = sccp_message("111", "447700900002");  // calling GT: home
  m->route.present = true;
  m->route.opc = 100;  // shadow 1 (message)
  add_component(*m, Application::kMap, 2);
  set_address(m->map[0].imsi, "234150000000001");  // home IMSI: shadow 3, relation same
  add_component(*m, Application::kMap, 2);
  set_address(m->map[1].imsi, "208010000000001");  // partner IMSI, home GT: rule 4
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 4);
  EXPECT_EQ(v.action, 2);
  EXPECT_EQ(v.category, 2);
  EXPECT_EQ(shadows(v), (std::vector<uint16_t>{1, 3}));
  EXPECT_EQ(v.result_count, 2);

  // A third component deciding earlier (rule 0) cuts the shadows below it: none.
  add_component(*m, Application::kMap, 71);
  v = run(*m);
  EXPECT_EQ(v.rule, 0);
  EXPECT_EQ(v.shadow_count, 0);

  // Order of components does not matter.
  auto n = sccp_message("111", "447700900002");
  n->route.present = true;
  n->route.opc = 100;
  add_component(*n, Application::kMap, 2);
  set_address(n->map[0].imsi, "208010000000001");
  add_component(*n, Application::kMap, 2);
  set_address(n->map[1].imsi, "234150000000001");
  v = run(*n);
  EXPECT_EQ(v.rule, 4);
  EXPECT_EQ(shadows(v), (std::vector<uint16_t>{1, 3}));
}

TEST_F(ClassifierRich, SixteenComponents) {
  auto m = sccp_message();  // calling GT 4477...: home
  for (unsigned i = 0; i < limits::kMaxComponents; ++i) add_component(*m, Application::kMap, 2);
  set_address(m->map[15].imsi, "234150000000001");  // the last: shadow 3, home and home
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{3});
  EXPECT_EQ(v.result_count, 16);
  set_address(m->map[7].imsi, "208010000000001");  // partner IMSI, home GT: rule 4
  v = run(*m);
  EXPECT_EQ(v.rule, 4);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{3});
}

TEST_F(ClassifierRich, MalformedFirst) {
  auto m = sccp_message();
  add_component(*m, Application::kMap, 71);
  m->status = DecodeStatus::kMalformed;
  const Verdict v = run(*m);
  EXPECT_TRUE(v.malformed);
  EXPECT_EQ(v.action, 1);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(v.shadow_count, 0);
  m->status = DecodeStatus::kAnomaly;  // an anomaly is not malformed
  EXPECT_FALSE(run(*m).malformed);
  EXPECT_EQ(run(*m).rule, 0);
}

TEST_F(ClassifierRich, VerdictIsReset) {
  auto m = sccp_message();
  m->route.present = true;
  m->route.opc = 100;
  Verdict v;
  classify(*table_, *m, IngressSide::kExternal, v);
  EXPECT_EQ(v.shadow_count, 1);
  m->route.opc = 1;
  add_component(*m, Application::kMap, 71);
  classify(*table_, *m, IngressSide::kExternal, v);
  EXPECT_EQ(v.rule, 0);
  EXPECT_EQ(v.shadow_count, 0);
  EXPECT_EQ(v.result_count, 1);
}

// --- shadows beyond the verdict's 16 -------------------------------------------------------------

TEST(ClassifierShadows, MoreThanSixteen) {
  ImageBuilder b = minimal_builder();
  for (int i = 0; i < 20; ++i) b.rules.push_back({"p#s" + std::to_string(i), 2, 1, 0});
  b.rules.push_back({"p#decide", 1, 0, 0});
  Result all;
  for (uint16_t i = 0; i < 20; ++i) all.shadows.push_back(i);
  Result some{20, {}};
  for (uint16_t i = 0; i < 20; i += 3) some.shadows.push_back(i);
  b.results = {all, some};
  b.phases[0].table = {1, 0};  // a component: `some` (decides 20); none: `all`
  auto table = load(b.build());
  auto m = sccp_message();
  Verdict v = classify_with(*table, *m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(v.shadow_count, 16);
  EXPECT_TRUE(v.shadow_truncated);
  for (uint16_t i = 0; i < 16; ++i) EXPECT_EQ(v.shadow[i], i);
  std::vector<uint16_t> every;
  all_shadow_hits(*table, *m, IngressSide::kExternal, every);
  EXPECT_EQ(every.size(), 20u);
  add_component(*m, Application::kMap, 2);
  v = classify_with(*table, *m);
  EXPECT_EQ(v.rule, 20);
  EXPECT_EQ(shadows(v), (std::vector<uint16_t>{0, 3, 6, 9, 12, 15, 18}));
  EXPECT_FALSE(v.shadow_truncated);
  all_shadow_hits(*table, *m, IngressSide::kExternal, every);
  EXPECT_EQ(every, shadows(v));
}

// --- sparse dimensions (table_test_builder.h sparse_builder()) ---------------------------------

class ClassifierSparse : public ::testing::Test {
 protected:
  void SetUp() override { table_ = load(sparse_builder().build()); }
  Verdict run(const Ss7Message& m) { return classify_with(*table_, m); }
  std::vector<uint16_t> all(const Ss7Message& m) {
    std::vector<uint16_t> out;
    all_shadow_hits(*table_, m, IngressSide::kExternal, out);
    return out;
  }
  std::unique_ptr<TableImage> table_;
};

TEST_F(ClassifierSparse, PositiveCandidateVerifiedAgainstDenseAndOtherSparse) {
  // Rule 0 (imsi 23415, invoke) is found through sparse 1 and decides before the result list.
  auto m = sccp_message("111", "447700900002");
  add_component(*m, Application::kMap, 2);
  set_address(m->map[0].imsi, "234150000000001");
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 0);
  EXPECT_EQ(v.action, 1);
  EXPECT_EQ(v.category, 2);
  EXPECT_EQ(v.shadow_count, 0);
  // Not an invoke: the ACCEPT bitset of tcap.component_type rejects rule 0; shadow rule 1
  // (calling 44) still matches, rule 4 does not (its IMSI is 23415).
  m->tcap.components[0].type = ComponentType::kReturnResultLast;
  v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
}

TEST_F(ClassifierSparse, ResultListWalkChecksNegativeConditions) {
  // Calling 4412: rule 2 (not 4477) passes its negative check and decides; shadow 1 is below it.
  auto m = sccp_message("111", "4412");
  add_component(*m, Application::kMap, 2);
  set_address(m->map[0].imsi, "208010000000001");
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 2);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
  EXPECT_EQ(all(*m), std::vector<uint16_t>{1});
  // Calling 4477: rule 2 is rejected (in N), rule 3 decides; shadows 1 and not 4 (above 3).
  set_digits(m->sccp.calling.digits, "447700900002");
  v = run(*m);
  EXPECT_EQ(v.rule, 3);
  EXPECT_EQ(v.action, 0);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
}

TEST_F(ClassifierSparse, ShadowCandidateWithNegativeConditionOnAnotherDimension) {
  // Not an invoke, calling 4477, IMSI of another network: no enforce rule; shadows 1 and 4
  // (4: calling 44 on sparse 0, IMSI not 23415 on sparse 1).
  auto m = sccp_message("111", "447700900002");
  add_component(*m, Application::kMap, 2, ComponentType::kReturnError);
  set_address(m->map[0].imsi, "208010000000001");
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), (std::vector<uint16_t>{1, 4}));
  // The home IMSI makes rule 4's negative condition fail.
  set_address(m->map[0].imsi, "234150000000001");
  EXPECT_EQ(shadows(run(*m)), std::vector<uint16_t>{1});
}

TEST_F(ClassifierSparse, NoComponentSkipsComponentRules) {
  // Without components only rule 1 can match (the others need a component).
  auto m = sccp_message("111", "447700900002");
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, kNoRule);
  EXPECT_EQ(shadows(v), std::vector<uint16_t>{1});
  set_digits(m->sccp.calling.digits, "33");
  EXPECT_EQ(run(*m).shadow_count, 0);
  m->has_sccp = false;  // absent calling digits: the absent class (0)
  EXPECT_EQ(run(*m).shadow_count, 0);
}

TEST_F(ClassifierSparse, SeveralComponentsLowestDecision) {
  // Component 0 decides 3 (calling 4477 rejects rule 2); component 1 decides 0 (home IMSI).
  auto m = sccp_message("111", "447700900002");
  add_component(*m, Application::kMap, 2);
  set_address(m->map[0].imsi, "208010000000001");
  add_component(*m, Application::kMap, 2);
  set_address(m->map[1].imsi, "234150000000001");
  Verdict v = run(*m);
  EXPECT_EQ(v.rule, 0);
  EXPECT_EQ(v.shadow_count, 0);
  EXPECT_EQ(v.result_count, 2);
  EXPECT_EQ(all(*m), std::vector<uint16_t>{});
}

}  // namespace
}  // namespace sigwall::table

// The table image loader (docs/table-format.md): a valid image loads; every validation rule
// refuses an image that breaks it, with a message naming the section and the problem; any
// truncation is refused without a fault.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "table/table_image.h"
#include "table_test_builder.h"

namespace sigwall::table {
namespace {

using namespace testing;

std::string load_error(const std::vector<uint8_t>& image) {
  std::unique_ptr<TableImage> table;
  TableError error;
  if (TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) return "";
  EXPECT_EQ(table, nullptr);
  return error.message;
}

// Corrupts a built image (the CRC is patched afterwards unless the test says not to) and
// expects a refusal whose message contains `expected`.
void expect_refused(std::vector<uint8_t> image, const std::string& expected, bool crc = true) {
  if (crc) patch_crc(image);
  const std::string message = load_error(image);
  ASSERT_FALSE(message.empty()) << "accepted; expected: " << expected;
  EXPECT_NE(message.find(expected), std::string::npos) << message;
}

void expect_refused(const ImageBuilder& b, const std::string& expected) { expect_refused(b.build(), expected); }

TEST(TableImage, MinimalImageLoads) {
  const std::vector<uint8_t> image = minimal_builder().build();
  std::unique_ptr<TableImage> table;
  TableError error;
  ASSERT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) << error.message;
  EXPECT_EQ(table->policy_name(), "p");
  EXPECT_EQ(table->rule_count(), 0u);
  EXPECT_EQ(table->dimensions().size(), 2u);
  EXPECT_EQ(table->message_dimension_count(), 1u);
  EXPECT_EQ(table->phases().size(), 1u);
  EXPECT_EQ(table->message_phase_count(), 0u);
  EXPECT_EQ(table->malformed_action(), 1);
  EXPECT_EQ(table->default_action(), 0);
}

TEST(TableImage, RichImageLoads) {
  const std::vector<uint8_t> image = rich_image();
  std::unique_ptr<TableImage> table;
  TableError error;
  ASSERT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) << error.message;
  EXPECT_EQ(table->policy_name(), "rich");
  ASSERT_EQ(table->rule_count(), 6u);
  EXPECT_EQ(table->rule_id(0), "rich#ati-to-hlr");
  EXPECT_EQ(table->rule_id(5), "rich#home-mt");
  EXPECT_EQ(table->message_dimension_count(), 6u);
  EXPECT_EQ(table->message_phase_count(), 5u);
  EXPECT_EQ(table->phases().size(), 5u + 2u + 1u);
  EXPECT_TRUE(table->has_networks());
  EXPECT_EQ(table->network_count(), 2u);
}

TEST(TableImage, LoadCopiesTheBytes) {
  std::vector<uint8_t> image = minimal_builder().build();
  std::unique_ptr<TableImage> table;
  TableError error;
  ASSERT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error));
  std::fill(image.begin(), image.end(), 0xEE);
  EXPECT_EQ(table->policy_name(), "p");
}

// --- header ------------------------------------------------------------------------------------

TEST(TableImageHeader, ShorterThanHeader) {
  expect_refused(std::vector<uint8_t>(10, 0), "header: image is 10 bytes, shorter than the 64-byte header", false);
  expect_refused(std::vector<uint8_t>{}, "image is 0 bytes", false);
}

TEST(TableImageHeader, BadMagic) {
  auto image = minimal_builder().build();
  image[7] = '2';
  expect_refused(image, "header: bad magic at offset 0");
}

TEST(TableImageHeader, Version) {
  auto image = minimal_builder().build();
  set32(image, 8, 1);  // format 1 (no sparse dimensions) is not read any more
  expect_refused(image, "header: format version 1 at offset 8, this loader reads 2");
}

TEST(TableImageHeader, HeaderSize) {
  auto image = minimal_builder().build();
  set32(image, 12, 72);
  expect_refused(image, "header size 72 at offset 12");
}

TEST(TableImageHeader, ImageSizeField) {
  auto image = minimal_builder().build();
  set32(image, 16, static_cast<uint32_t>(image.size() + 1));
  expect_refused(image, "image size field");
}

TEST(TableImageHeader, Crc) {
  auto image = minimal_builder().build();
  image[image.size() - 1] ^= 0x01;  // the last byte of RESULTS, CRC not patched
  expect_refused(image, "header: CRC32c", false);
}

TEST(TableImageHeader, RegistryHash) {
  auto image = minimal_builder().build();
  image[24] ^= 0x01;
  expect_refused(image, "registry hash 0x");
}

TEST(TableImageHeader, FeatureBits) {
  auto image = minimal_builder().build();
  set32(image, 32, 0x10);
  expect_refused(image, "unknown feature bits 0x10 at offset 32");
}

TEST(TableImageHeader, Actions) {
  auto image = minimal_builder().build();
  image[44] = 3;
  expect_refused(image, "malformed action 3 at offset 44");
  image = minimal_builder().build();
  image[45] = 7;
  expect_refused(image, "default action 7 at offset 45");
}

TEST(TableImageHeader, ReservedFields) {
  auto image = minimal_builder().build();
  image[46] = 1;
  expect_refused(image, "reserved field at offset 46");
  image = minimal_builder().build();
  image[60] = 1;
  expect_refused(image, "reserved field at offset 60");
}

TEST(TableImageHeader, RuleCountOverLimit) {
  auto image = minimal_builder().build();
  set32(image, 48, 0x10000);
  expect_refused(image, "rule count 65536 at offset 48 exceeds 65535");
}

// --- directory ---------------------------------------------------------------------------------

TEST(TableImageDirectory, PastTheEnd) {
  auto image = minimal_builder().build();
  set32(image, 36, 0x10000000);
  expect_refused(image, "section directory: 268435456 entries at offset 64 run past the image end");
}

TEST(TableImageDirectory, OverlapsHeader) {
  auto image = minimal_builder().build();
  set32(image, 40, 8);
  expect_refused(image, "section directory: offset 8 overlaps the header");
}

TEST(TableImageDirectory, SectionPastTheEnd) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  const uint32_t entry = layout.directory + 16 * layout.entry["RULES"];
  set32(image, entry + 8, 0xFFFFFFF0u);  // size: offset + size overflows 32 bits
  expect_refused(image, "(offset " + std::to_string(entry) + ", RULES): section");
}

TEST(TableImageDirectory, UnknownKind) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["STRINGS"], 11);
  expect_refused(image, "unknown section kind 11");
}

TEST(TableImageDirectory, DuplicateSection) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["POLICY_NAME"], 2);  // a second STRINGS
  expect_refused(image, "a second STRINGS section");
}

TEST(TableImageDirectory, MissingSection) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["RULE_LISTS"], 8);  // a second POLICY_NAME
  expect_refused(image, "a second POLICY_NAME section");
  image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["RULE_LISTS"], 7);  // NETWORKS instead
  expect_refused(image, "no RULE_LISTS section");
  image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["ACCEPT"], 7);
  expect_refused(image, "no ACCEPT section");
}

// Without POLICY_NAME the name is the part of rule 0's id before '#'.
TEST(TableImageDirectory, PolicyNameFromRuleIds) {
  ImageBuilder b = minimal_builder();
  b.rules = {{"fs11#first", 1, 0, 0}};
  b.policy = "ignored";
  Layout layout;
  auto image = b.build(&layout);
  set32(image, layout.directory + 16 * layout.entry["POLICY_NAME"], 7);  // now an (empty, unused) NETWORKS
  set32(image, layout.directory + 16 * layout.entry["POLICY_NAME"] + 8, 0);
  expect_refused(image, "NETWORKS");  // size 0: too short for NETWORKS
  image = b.build(&layout);
  // Remove the POLICY_NAME entry: the directory shrinks by one entry (the last one moves in).
  const uint32_t entry = layout.directory + 16 * layout.entry["POLICY_NAME"];
  const uint32_t count = static_cast<uint32_t>(layout.entry.size());
  std::copy(image.begin() + layout.directory + 16 * (count - 1), image.begin() + layout.directory + 16 * count, image.begin() + entry);
  set32(image, 36, count - 1);
  patch_crc(image);
  std::unique_ptr<TableImage> table;
  TableError error;
  ASSERT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) << error.message;
  EXPECT_EQ(table->policy_name(), "fs11");
}

TEST(TableImageDirectory, NoPhase) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["PHASE0"], 3);  // now a third dimension
  expect_refused(image, "no PHASE section");
}

// --- rules ---------------------------------------------------------------------------------------

ImageBuilder with_rules() {
  ImageBuilder b = minimal_builder();
  b.rules = {{"p#a", 1, 0, 1}, {"p#b", 2, 1, 0}};
  b.results = {Result{0, {}}, Result{kNoRule, {1}}};
  b.phases[0].table = {0, 1};
  return b;
}

TEST(TableImageRules, ValidRulesLoad) { EXPECT_EQ(load_error(with_rules().build()), ""); }

TEST(TableImageRules, CountDiffersFromHeader) {
  auto image = with_rules().build();
  set32(image, 48, 1);
  expect_refused(image, "RULES (directory entry 2, offset");
  expect_refused(image, "count 2 differs from the header's rule count 1");
}

TEST(TableImageRules, SizeNotCountTimesSixteen) {
  Layout layout;
  auto image = with_rules().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["RULES"] + 8, 31);
  expect_refused(image, "size 31 is not 2 rules x 16 bytes");
}

TEST(TableImageRules, IdOutsideStrings) {
  Layout layout;
  auto image = with_rules().build(&layout);
  set16(image, layout.offset["RULES"] + 16 + 4, 200);  // rule 1's id length
  expect_refused(image, "rule 1 (offset " + std::to_string(layout.offset["RULES"] + 16) + "): id [3, +200) is outside STRINGS (6 bytes)");
}

TEST(TableImageRules, ActionModeCategory) {
  Layout layout;
  auto image = with_rules().build(&layout);
  const uint32_t rule = layout.offset["RULES"];
  auto bad = image;
  bad[rule + 6] = 3;
  expect_refused(bad, "rule 0 (offset " + std::to_string(rule + 6) + "): action 3 is not 0..2");
  bad = image;
  bad[rule + 7] = 2;
  expect_refused(bad, "mode 2 is not 0 (enforce) or 1 (shadow)");
  bad = image;
  bad[rule + 8] = 4;
  expect_refused(bad, "category 4 is not 0..3");
}

// --- dimensions ----------------------------------------------------------------------------------

TEST(TableImageDimension, FieldIdOutOfRegistry) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0].field = kFieldCount;
  expect_refused(b, "DIMENSION #0 (directory entry");
  expect_refused(b, "field id 36 at offset");
}

TEST(TableImageDimension, UnknownLookupKind) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0].lookup = static_cast<LookupKind>(7);
  expect_refused(b, "unknown lookup kind 7");
}

TEST(TableImageDimension, LookupDoesNotFitField) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = digits(FieldId::kMtp3Opc, Scope::kMessage, 1, 0, 0, Trie());
  expect_refused(b, "field 1 cannot use lookup kind 2");
  b = minimal_builder();
  b.dimensions[0] = small(FieldId::kMtp3Opc, Scope::kMessage, 1, 0, {});  // point codes need SORTED_U32
  expect_refused(b, "field 1 cannot use lookup kind 0");
}

TEST(TableImageDimension, ScopeDiffersFromRegistry) {
  ImageBuilder b = minimal_builder();
  b.dimensions[1] = single(FieldId::kTcapType, Scope::kComponent);
  expect_refused(b, "scope 1 differs from field 20's registry scope");
}

TEST(TableImageDimension, MessageAfterComponent) {
  ImageBuilder b = minimal_builder();
  std::swap(b.dimensions[0], b.dimensions[1]);
  expect_refused(b, "a message-scope dimension after a component-scope one");
}

TEST(TableImageDimension, ClassCount) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0].classes = 0;
  expect_refused(b, "class count 0 is not 1..65535");
}

TEST(TableImageDimension, AbsentAndDefaultClass) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0].absent_class = 1;
  expect_refused(b, "absent class 1 at offset");
  b = minimal_builder();
  b.dimensions[0].default_class = 5;
  expect_refused(b, "default class 5 at offset");
}

TEST(TableImageDimension, SmallEntryOutOfRange) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = small(FieldId::kSigwallApplication, Scope::kMessage, 1, 0, {{2, 1}});
  expect_refused(b, "SMALL entry 2 (offset");
  expect_refused(b, "class 1 >= class count 1");
}

TEST(TableImageDimension, SmallSize) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0].body.pop_back();
  expect_refused(b, "SMALL lookup is 511 bytes, expected 512");
}

TEST(TableImageDimension, SortedNotAscending) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = sorted(FieldId::kMtp3Opc, Scope::kMessage, 2, 0, 0, {{200, 1}, {100, 1}});
  expect_refused(b, "SORTED_U32 entry 1 (offset");
  expect_refused(b, "value 100 is not above the previous 200");
  b.dimensions[0] = sorted(FieldId::kMtp3Opc, Scope::kMessage, 2, 0, 0, {{100, 1}, {100, 1}});
  expect_refused(b, "value 100 is not above the previous 100");
}

TEST(TableImageDimension, SortedClassAndSize) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = sorted(FieldId::kMtp3Opc, Scope::kMessage, 2, 0, 0, {{100, 2}});
  expect_refused(b, "SORTED_U32 entry 0");
  expect_refused(b, "class 2 >= class count 2");
  b.dimensions[0] = sorted(FieldId::kMtp3Opc, Scope::kMessage, 2, 0, 0, {{100, 1}});
  set32(b.dimensions[0].body, 0, 3);
  expect_refused(b, "SORTED_U32 lookup is 12 bytes, expected 4 + 3 x 8");
}

TEST(TableImageDimension, DigitsChildOutOfRange) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = digits(FieldId::kSccpCalledDigits, Scope::kMessage, 2, 0, 0, Trie().add("12", 1));
  set32(b.dimensions[0].body, 4 + 4, 9);  // root's first child -> node 9 of 3
  expect_refused(b, "DIGITS node 0 (offset");
  expect_refused(b, "children [9, +1) are not after it and below the node count 3");
  set32(b.dimensions[0].body, 4 + 4, 0);  // a child at or before its parent
  expect_refused(b, "children [0, +1) are not after it");
  set32(b.dimensions[0].body, 4 + 4, 1);
  set16(b.dimensions[0].body, 4 + 2, 0x402);  // a bitmap bit above digit 9
  expect_refused(b, "child bitmap 0x402 has bits above digit 9");
  set16(b.dimensions[0].body, 4 + 2, 0);  // no children but a first child
  expect_refused(b, "first child 1 without children (must be 0)");
}

TEST(TableImageDimension, DigitsClassOutOfRange) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = digits(FieldId::kSccpCalledDigits, Scope::kMessage, 2, 0, 0, Trie().add("12", 2));
  expect_refused(b, "DIGITS node 2 (offset");
  expect_refused(b, "class 2 >= 2");
}

TEST(TableImageDimension, DigitsNoRoot) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = digits(FieldId::kSccpCalledDigits, Scope::kMessage, 1, 0, 0, Trie());
  b.dimensions[0].body = {0, 0, 0, 0};
  expect_refused(b, "DIGITS lookup has no root node");
}

TEST(TableImageDimension, BytesKeyOutsideStrings) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = b.bytes(FieldId::kTcapApplicationContextName, 2, 0, 0, {{kShortMsgMtAc, 1}});
  set32(b.dimensions[0].body, 4, 1000);
  expect_refused(b, "BYTES entry 0 (offset");
  expect_refused(b, "key [1000, +7) is outside STRINGS");
}

TEST(TableImageDimension, BytesNotAscending) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = b.bytes(FieldId::kTcapApplicationContextName, 2, 0, 0, {{{1, 2, 3}, 1}, {{1, 2}, 1}});
  expect_refused(b, "BYTES entry 1 (offset");
  expect_refused(b, "strictly ascending");
  b = minimal_builder();
  b.dimensions[0] = b.bytes(FieldId::kTcapApplicationContextName, 2, 0, 0, {{{1, 2}, 1}, {{1, 2}, 0}});
  expect_refused(b, "strictly ascending");
  b = minimal_builder();
  b.dimensions[0] = b.bytes(FieldId::kTcapApplicationContextName, 1, 0, 0, {{{1, 2}, 0}, {{1, 2, 0}, 0}, {{1, 3}, 0}});
  EXPECT_EQ(load_error(b.build()), "");
}

TEST(TableImageDimension, AnomalyMaskCount) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = anomaly(1, std::vector<std::vector<Anomaly>>(13, {Anomaly::kTcapMalformed}), std::vector<uint16_t>(1u << 13, 0));
  expect_refused(b, "ANOMALY mask count 13 at offset");
  b.dimensions[0] = anomaly(1, std::vector<std::vector<Anomaly>>(12, {Anomaly::kTcapMalformed}), std::vector<uint16_t>(1u << 12, 0));
  EXPECT_EQ(load_error(b.build()), "");
}

TEST(TableImageDimension, AnomalyUnknownBit) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = anomaly(2, {{Anomaly::kTcapMalformed}}, {0, 1});
  b.dimensions[0].body[4 + 15] = 0x80;  // bit 127
  expect_refused(b, "ANOMALY mask 0 (offset");
  expect_refused(b, "names anomaly bit 127");
}

TEST(TableImageDimension, AnomalyTable) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = anomaly(2, {{Anomaly::kTcapMalformed}}, {0, 2});
  expect_refused(b, "ANOMALY entry 1 (offset");
  b.dimensions[0] = anomaly(2, {{Anomaly::kTcapMalformed}}, {0});
  expect_refused(b, "ANOMALY lookup is 22 bytes, expected 4 + 1 x 16 + 2 x 2");
}

TEST(TableImageDimension, OperationEntry) {
  ImageBuilder b = minimal_builder();
  b.dimensions[1] = operation(FieldId::kMapOpcode, 2, {{71, 1}}, 0, 2);
  expect_refused(b, "OPERATION entry 512 (offset");
  b.dimensions[1] = operation(FieldId::kMapOpcode, 2, {{71, 1}}, 0, 0);
  b.dimensions[1].body.resize(1024);
  expect_refused(b, "OPERATION lookup is 1024 bytes, expected 1026");
}

TEST(TableImageDimension, RelationNeedsNetworks) {
  ImageBuilder b = minimal_builder();
  b.dimensions[1] = relation(1, 0, 0, 0);
  expect_refused(b, "a RELATION dimension needs a NETWORKS section");
  b.networks = true;
  EXPECT_EQ(load_error(b.build()), "");
  b.dimensions[1] = relation(2, 0, 0, 2);
  expect_refused(b, "RELATION entry 2 (offset");
  b.dimensions[1] = relation(1, 0, 0, 0);
  b.dimensions[1].scope = Scope::kMessage;
  expect_refused(b, "the relation dimension must have component scope");
  b.dimensions[1] = relation(1, 0, 0, 0);
  b.dimensions[1].lookup = LookupKind::kSmall;
  expect_refused(b, "must use lookup kind 6 RELATION");
}

TEST(TableImageDimension, HeadTooShort) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set32(image, layout.directory + 16 * layout.entry["DIMENSION1"] + 8, 7);
  expect_refused(image, "DIMENSION #1 (directory entry " + std::to_string(layout.entry["DIMENSION1"]));
  expect_refused(image, "size 7 is shorter than the 8-byte head");
}

// --- networks ------------------------------------------------------------------------------------

TEST(TableImageNetworks, NetworkIndexAndChildren) {
  ImageBuilder b = minimal_builder();
  b.networks = true;
  b.network_count = 1;
  b.gt_networks.add("44", 1);
  expect_refused(b, "NETWORKS (directory entry");
  expect_refused(b, "network GT trie node 2 (offset");
  expect_refused(b, "network 1 >= 1");
  b.gt_networks = Trie().add("44", 0);
  b.mcc_mnc_networks = Trie().add("2", 0);
  Layout layout;
  auto image = b.build(&layout);
  // NETWORKS: count, the GT trie (count + 3 nodes), the MCC+MNC trie (count + 2 nodes): its
  // node 1 given a child 7 for digit 3.
  const uint32_t node1 = layout.offset["NETWORKS"] + 4 + 4 + 3 * 8 + 4 + 8;
  set16(image, node1 + 2, 1u << 3);
  set32(image, node1 + 4, 7);
  expect_refused(image, "network MCC+MNC trie node 1");
  expect_refused(image, "children [7, +1) are not after it and below the node count 2");
}

TEST(TableImageNetworks, Sizes) {
  ImageBuilder b = minimal_builder();
  b.networks = true;
  Layout layout;
  auto image = b.build(&layout);
  const uint32_t entry = layout.directory + 16 * layout.entry["NETWORKS"];
  auto bad = image;
  set32(bad, entry + 8, 3);
  expect_refused(bad, "size 3 is shorter than the network count");
  bad = image;
  set32(bad, layout.offset["NETWORKS"] + 4, 5);  // the GT trie claims 5 nodes
  expect_refused(bad, "network GT trie at offset");
  expect_refused(bad, "5 nodes run past the section end");
  bad = image;
  set32(bad, entry + 8, 4 + 12 + 12 - 4);  // two one-node tries, 4 bytes short
  expect_refused(bad, "network MCC+MNC trie");
}

// --- phases --------------------------------------------------------------------------------------

TEST(TableImagePhase, InputsOutOfRange) {
  ImageBuilder b = minimal_builder();
  b.phases[0].right_index = 2;
  expect_refused(b, "PHASE #0 (directory entry");
  expect_refused(b, "right input names dimension 2, there are 2");
  b = minimal_builder();
  b.phases[0].left_kind = InputKind::kPhase;
  expect_refused(b, "left input names phase 0, not an earlier phase");
  b = minimal_builder();
  b.phases[0].left_kind = static_cast<InputKind>(2);
  expect_refused(b, "left input kind 2 at offset");
}

TEST(TableImagePhase, SizeAndEmpty) {
  ImageBuilder b = minimal_builder();
  b.phases[0].table.push_back(0);
  expect_refused(b, "size 14 is not 8 + 1 rows x 2 columns x 2");
  b = minimal_builder();
  b.phases[0].rows = 0;
  b.phases[0].table.clear();
  expect_refused(b, "empty table (0 rows x 2 columns)");
}

TEST(TableImagePhase, FinalRowsAndColumns) {
  ImageBuilder b = minimal_builder();
  b.dimensions[0] = small(FieldId::kSigwallApplication, Scope::kMessage, 2, 0, {{1, 1}});
  expect_refused(b, "message root yields classes up to 1 but the final phase has 1 rows");
  b = minimal_builder();
  b.phases[0].columns = 1;
  b.phases[0].table = {0};
  expect_refused(b, "component root yields classes up to 0 but the final phase has 1 columns");
}

TEST(TableImagePhase, FinalScopes) {
  ImageBuilder b = minimal_builder();
  b.phases[0].right_index = 0;
  expect_refused(b, "the final phase must combine the message root (left) with the component root (right)");
}

// A message phase combining D0 x D1 into 2 classes, then the final phase.
ImageBuilder two_message_dims() {
  ImageBuilder b;
  b.dimensions.push_back(small(FieldId::kSccpCalledSsn, Scope::kMessage, 2, 0, {{6, 1}}));
  b.dimensions.push_back(small(FieldId::kSccpCallingSsn, Scope::kMessage, 2, 0, {{7, 1}}));
  b.dimensions.push_back(single(FieldId::kTcapComponentType, Scope::kComponent));
  b.phases.push_back(Phase{InputKind::kDimension, 0, InputKind::kDimension, 1, 2, 2, {0, 0, 0, 1}});
  b.phases.push_back(Phase{InputKind::kPhase, 0, InputKind::kDimension, 2, 2, 2, {0, 0, 0, 0}});
  b.message_root_kind = InputKind::kPhase;
  b.message_root = 0;
  b.component_root = 2;
  b.results.push_back(Result{});
  return b;
}

TEST(TableImagePhase, TwoMessageDimensionsLoad) { EXPECT_EQ(load_error(two_message_dims().build()), ""); }

TEST(TableImagePhase, EntryBeyondConsumerRows) {
  ImageBuilder b = two_message_dims();
  b.phases[0].table = {0, 0, 0, 2};  // class 2, but the final phase has 2 rows
  expect_refused(b, "PHASE #1 (directory entry");
  expect_refused(b, "message root yields classes up to 2 but the final phase has 2 rows");
}

TEST(TableImagePhase, InputBeyondRows) {
  ImageBuilder b = two_message_dims();
  b.phases[0].rows = 1;
  b.phases[0].table = {0, 0};
  expect_refused(b, "left input yields classes up to 1 but the table has 1 rows");
}

TEST(TableImagePhase, MixedScopes) {
  ImageBuilder b = two_message_dims();
  b.phases[0].right_index = 2;
  expect_refused(b, "combines a message-scope input with a component-scope one");
}

TEST(TableImagePhase, MessagePhaseAfterComponentPhase) {
  ImageBuilder b = two_message_dims();
  b.dimensions.push_back(single(FieldId::kMapOpcode, Scope::kComponent));
  b.dimensions[3] = operation(FieldId::kMapOpcode, 1, {}, 0, 0);
  // component phase first, then the message phase, then the final.
  b.phases = {Phase{InputKind::kDimension, 2, InputKind::kDimension, 3, 1, 1, {0}},
              Phase{InputKind::kDimension, 0, InputKind::kDimension, 1, 2, 2, {0, 0, 0, 1}},
              Phase{InputKind::kPhase, 1, InputKind::kPhase, 0, 2, 2, {0, 0, 0, 0}}};
  b.message_root = 1;
  b.component_root_kind = InputKind::kPhase;
  b.component_root = 0;
  expect_refused(b, "a message-scope phase after a component-scope one");
}

TEST(TableImagePhase, FinalEntryBeyondResults) {
  ImageBuilder b = minimal_builder();
  b.phases[0].table = {0, 1};
  expect_refused(b, "RESULTS roots: the final phase names result 1, there are 1 results");
}

// --- results -------------------------------------------------------------------------------------

TEST(TableImageResults, RootsDifferFromFinalInputs) {
  ImageBuilder b = two_message_dims();
  b.message_root_kind = InputKind::kDimension;
  b.message_root = 0;
  expect_refused(b, "the final phase's inputs are not the message root and the component root");
  b = two_message_dims();
  b.component_root = 0;
  expect_refused(b, "component root dimension 0 has the other scope");
  b = two_message_dims();
  b.message_root = 1;
  expect_refused(b, "message root names phase 1, not a phase before the final one");
}

TEST(TableImageResults, FinalPhaseIndex) {
  Layout layout;
  auto image = minimal_builder().build(&layout);
  set16(image, layout.offset["RESULTS"] + 8, 3);
  expect_refused(image, "final phase index 3 at offset");
}

TEST(TableImageResults, RuleLists) {
  // with_rules(): rule 0 enforce, rule 1 shadow; result lists [0] and [1, 0] are fine.
  ImageBuilder b = with_rules();
  b.results[0].decision = 2;
  expect_refused(b, "RULE_LISTS (directory entry");
  expect_refused(b, "rule 2 >= rule count 2");
  b = with_rules();
  b.results[1].shadows = {5};
  expect_refused(b, "rule 5 >= rule count 2");
  b = with_rules();
  b.rules.push_back({"p#c", 0, 1, 0});
  b.results[1].shadows = {2, 1};
  expect_refused(b, "result 1: entry 1 (offset");
  expect_refused(b, "rule 1 is not above the previous one");
  b.results[1].shadows = {1, 1};
  expect_refused(b, "rule 1 is not above the previous one");
  b.results[1].shadows = {1, 2};
  EXPECT_EQ(load_error(b.build()), "");
}

TEST(TableImageResults, ListOutsideSection) {
  Layout layout;
  auto image = with_rules().build(&layout);
  set32(image, layout.offset["RESULTS"] + 16 + 8, 2);  // result 1's list [2, +1) of 2 entries
  expect_refused(image, "result 1 (offset");
  expect_refused(image, "list [2, +1) is outside RULE_LISTS (2 entries)");
}

TEST(TableImageResults, SizesAndReserved) {
  Layout layout;
  auto image = with_rules().build(&layout);
  auto bad = image;
  set32(bad, layout.directory + 16 * layout.entry["RESULTS"] + 12, 3);
  expect_refused(bad, "size 32 is not 16 + 3 results x 8");
  bad = image;
  set16(bad, layout.offset["RESULTS"] + 16 + 6, 1);
  expect_refused(bad, "result 0 (offset");
  expect_refused(bad, "reserved field is not 0");
  bad = image;
  set32(bad, layout.directory + 16 * layout.entry["RULE_LISTS"] + 12, 3);
  expect_refused(bad, "RULE_LISTS (directory entry");
  expect_refused(bad, "size 4 is not 3 entries x 2 bytes");
}

// --- sparse dimensions, ACCEPT, rule metadata ----------------------------------------------------

TEST(TableImageSparse, SparseImageLoads) {
  const auto image = sparse_builder().build();
  std::unique_ptr<TableImage> table;
  TableError error;
  ASSERT_TRUE(TableImage::load(ByteView{image.data(), static_cast<uint32_t>(image.size())}, table, error)) << error.message;
  ASSERT_EQ(table->sparse().size(), 2u);
  EXPECT_EQ(table->sparse()[0].dimension, 1);
  EXPECT_EQ(table->sparse()[1].scope, Scope::kComponent);
  EXPECT_EQ(table->dimensions()[1].sparse, 0);
  EXPECT_EQ(table->dimensions()[2].sparse, kNoSparse);
  EXPECT_EQ(table->dense_dimensions(Scope::kMessage), std::vector<uint16_t>{0});
  EXPECT_EQ(table->dense_dimensions(Scope::kComponent), std::vector<uint16_t>{2});
  EXPECT_EQ(table->accept_words(), 1u);
  EXPECT_EQ(table->rule(4).designated, 0);
  EXPECT_EQ(table->rule(4).negative_mask, 0b10);
}

TEST(TableImageSparse, SectionHead) {
  ImageBuilder b = sparse_builder();
  b.sparse[1].dimension = 9;
  expect_refused(b, "SPARSE #1 (directory entry");
  expect_refused(b, "names dimension 9, there are 4");
  b = sparse_builder();
  b.sparse[1].dimension = 1;
  expect_refused(b, "dimension 1 already has SPARSE section #0");
  b = sparse_builder();
  b.sparse[0].classes.pop_back();
  expect_refused(b, "count 2 differs from dimension 1's class count 3");
  Layout layout;
  auto image = sparse_builder().build(&layout);
  auto bad = image;
  set16(bad, layout.offset["SPARSE0"] + 2, 1);
  expect_refused(bad, "reserved head bytes at offset");
  bad = image;
  set32(bad, layout.directory + 16 * layout.entry["SPARSE0"] + 8, 8 + 3 * 12 - 1);
  expect_refused(bad, "size 43 is not 8 + 3 classes x 12");
}

TEST(TableImageSparse, AtMostSixteen) {
  ImageBuilder b = sparse_builder();
  while (b.sparse.size() < kMaxSparse + 1) b.sparse.push_back(b.sparse[0]);
  expect_refused(b, "section directory: 17 SPARSE sections, at most 16");
}

TEST(TableImageSparse, ClassLists) {
  ImageBuilder b = sparse_builder();
  b.sparse[0].classes[1].positive = {1, 2};  // rule 2 is negative-type on sparse 0
  expect_refused(b, "class 1 positive list: entry 1 (offset");
  expect_refused(b, "rule 2 does not belong in this list");
  b = sparse_builder();
  b.sparse[0].classes[1].positive = {4, 1};
  expect_refused(b, "rule 1 is not above the previous one");
  b = sparse_builder();
  b.sparse[1].classes[1].negative = {0};  // rule 0 is positive-type on sparse 1
  expect_refused(b, "class 1 negative list: entry 0");
  b = sparse_builder();
  b.sparse[0].classes[2].negative = {3};  // rule 3 has no sparse condition
  expect_refused(b, "rule 3 does not belong in this list");
  Layout layout;
  auto image = sparse_builder().build(&layout);
  set32(image, layout.offset["SPARSE1"] + 8 + 12 + 4, 100);  // class 1's negative list
  expect_refused(image, "class 1 negative list (offset");
  expect_refused(image, "list [100, +1) is outside RULE_LISTS");
}

TEST(TableImageSparse, ResultListHoldsOnlyRulesWithoutPositiveSparseConditions) {
  ImageBuilder b = sparse_builder();
  b.results[1] = Result{3, {0}};  // rule 0 is positive-type on sparse 1
  expect_refused(b, "result 1: entry 0 (offset");
  expect_refused(b, "rule 0 does not belong in this list");
}

TEST(TableImageSparse, RuleMetadata) {
  ImageBuilder b = sparse_builder();
  b.rules[4].designated = 1;
  expect_refused(b, "rule 4 (offset");
  expect_refused(b, "designated sparse dimension 1, its first positive-type one is 0");
  b = sparse_builder();
  b.rules[2].designated = 0;
  expect_refused(b, "designated sparse dimension 0, its first positive-type one is 255");
  b = sparse_builder();
  b.rules[2].negative_mask = 0b10;
  expect_refused(b, "negative-type mask 0x2 outside its sparse mask 0x1");
  b = sparse_builder();
  b.rules[3].sparse_mask = 0b100;
  b.rules[3].negative_mask = 0b100;
  expect_refused(b, "sparse mask 0x4 names a sparse dimension >= the 2 SPARSE sections");
  b = sparse_builder();
  b.rules[4].flags = 0;
  expect_refused(b, "rule 4 constrains component-scope sparse dimension 1 but lacks the component flag");
  b = sparse_builder();
  b.rules[1].flags = 2;
  expect_refused(b, "unknown flag bits 0x2");
  Layout layout;
  auto image = sparse_builder().build(&layout);
  image[layout.offset["RULES"] + 16 + 11] = 1;
  expect_refused(image, "rule 1 (offset");
  expect_refused(image, "reserved byte is not 0");
}

TEST(TableImageSparse, SparseDimensionIsNeitherPhaseInputNorRoot) {
  ImageBuilder b = sparse_builder();
  b.phases[0].left_index = 1;
  b.phases[0].rows = 3;
  b.phases[0].table = {0, 1, 0, 0, 1, 0, 0, 1, 0};
  b.message_root = 1;
  expect_refused(b, "left input names dimension 1, a sparse dimension");
}

TEST(TableImageSparse, Accept) {
  Layout layout;
  auto image = sparse_builder().build(&layout);
  auto bad = image;
  set32(bad, layout.offset["ACCEPT"], 2);
  expect_refused(bad, "ACCEPT (directory entry");
  expect_refused(bad, "2 words per bitset, 5 rules need 1");
  bad = image;
  set32(bad, layout.offset["ACCEPT"] + 4, 1);
  expect_refused(bad, "reserved head field at offset");
  bad = image;
  set32(bad, layout.directory + 16 * layout.entry["ACCEPT"] + 12, 4);
  expect_refused(bad, "count 4 is not the dense dimensions' 3 classes");
  bad = image;
  set32(bad, layout.directory + 16 * layout.entry["ACCEPT"] + 8, 8 + 2 * 8);
  expect_refused(bad, "size 24 is not 8 + 3 classes x 1 words x 8");
}

// --- any corruption ------------------------------------------------------------------------------

// Every proper prefix of a valid image is refused, as is, and with its size field and CRC
// patched so that the loader gets past the header into the sections.
void expect_every_truncation_refused(const std::vector<uint8_t>& image) {
  ASSERT_EQ(load_error(image), "");
  for (size_t length = 0; length < image.size(); ++length) {
    std::vector<uint8_t> prefix(image.begin(), image.begin() + static_cast<long>(length));
    EXPECT_NE(load_error(prefix), "") << length;
    if (length >= 24) {
      set32(prefix, 16, static_cast<uint32_t>(length));
      patch_crc(prefix);
      EXPECT_NE(load_error(prefix), "") << length;
    }
  }
}

TEST(TableImage, EveryTruncationIsRefused) {
  expect_every_truncation_refused(rich_image());
  expect_every_truncation_refused(sparse_builder().build());
}

// Every single-byte change, CRC patched: either refused or, if accepted, classification stays
// in bounds (classifier_test and the fuzz target classify such images).
void expect_every_byte_flip_loads_or_refused(const std::vector<uint8_t>& image) {
  for (size_t at = 0; at < image.size(); ++at) {
    std::vector<uint8_t> bad = image;
    bad[at] ^= 0xFF;
    patch_crc(bad);
    std::unique_ptr<TableImage> table;
    TableError error;
    if (!TableImage::load(ByteView{bad.data(), static_cast<uint32_t>(bad.size())}, table, error)) {
      EXPECT_EQ(error.message.rfind("table image: ", 0), 0u) << at;
    }
  }
}

TEST(TableImage, EveryByteFlipLoadsOrIsRefused) {
  expect_every_byte_flip_loads_or_refused(rich_image());
  expect_every_byte_flip_loads_or_refused(sparse_builder().build());
}

}  // namespace
}  // namespace sigwall::table

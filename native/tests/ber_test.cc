// BER reader (X.690) and its helpers: element framing, the length forms an evasion could use,
// nesting caps, INTEGER and OBJECT IDENTIFIER contents.
#include "decode/ber.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sigwall {
namespace {

using Bytes = std::vector<uint8_t>;

ByteView view(const Bytes& bytes) { return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}; }

std::string names(const AnomalySet& set) {
  std::string out;
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i) {
    if (!set.has(static_cast<Anomaly>(i))) continue;
    if (!out.empty()) out += ",";
    out += anomaly_name(static_cast<Anomaly>(i));
  }
  return out;
}

std::string oid_text(const Bytes& contents, uint32_t capacity = 64) {
  std::vector<char> buffer(capacity);
  if (!format_oid(view(contents), buffer.data(), capacity)) return "<invalid:" + std::string(buffer.data()) + ">";
  return buffer.data();
}

// --- Framing --------------------------------------------------------------------------------

TEST(Ber, ReadsPrimitiveShortForm) {
  const Bytes bytes = {
      0x02, 0x01, 0x05,  // INTEGER, length 1, 5
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_universal(ber_tag::kInteger));
  EXPECT_FALSE(e.constructed);
  EXPECT_FALSE(e.indefinite);
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.total_length, 3u);
  ASSERT_EQ(e.value.size, 1u);
  EXPECT_EQ(e.value.data, bytes.data() + 2);
  EXPECT_TRUE(reader.at_end());
  EXPECT_FALSE(reader.next(e));
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(names(anomalies), "");
}

TEST(Ber, ReadsClassesAndConstructedBit) {
  const Bytes bytes = {
      0x30, 0x00,  // UNIVERSAL 16 constructed (SEQUENCE), empty
      0x62, 0x00,  // [APPLICATION 2] constructed (TCAP Begin)
      0xA1, 0x00,  // [1] constructed (TCAP Invoke)
      0x48, 0x00,  // [APPLICATION 8] primitive (TCAP otid)
      0xE2, 0x00,  // [PRIVATE 2] constructed (ANSI Query With Permission)
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_universal(ber_tag::kSequence));
  EXPECT_TRUE(e.constructed);
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is(BerClass::kApplication, 2));
  EXPECT_TRUE(e.constructed);
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_context(1));
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is(BerClass::kApplication, 8));
  EXPECT_FALSE(e.constructed);
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is(BerClass::kPrivate, 2));
  EXPECT_EQ(e.offset, 8u);
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(names(anomalies), "");
}

TEST(Ber, ReadsMinimalLongFormLength) {
  Bytes bytes = {
      0x04, 0x81, 0x80,  // OCTET STRING, long form: 128 contents octets (the short form cannot)
  };
  bytes.resize(3 + 128, 0xAB);
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_EQ(e.value.size, 128u);
  EXPECT_EQ(e.total_length, 131u);
  EXPECT_EQ(names(anomalies), "");
}

TEST(Ber, NonMinimalLongFormLengthIsFlagged) {
  const Bytes bytes = {
      0x04, 0x81, 0x02,  // OCTET STRING, long form for a length of 2 (X.690 §10.1: short form)
      0xAA, 0xBB,        // contents
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_EQ(e.value.size, 2u);
  EXPECT_EQ(names(anomalies), "ber.non_minimal_length");
}

TEST(Ber, ExtraLengthOctetsAreFlagged) {
  const Bytes bytes = {
      0x04, 0x82, 0x00, 0x81,  // OCTET STRING, two length octets for 129 (one suffices)
  };
  Bytes full = bytes;
  full.resize(4 + 129, 0x11);
  AnomalySet anomalies;
  BerReader reader(view(full), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_EQ(e.value.size, 129u);
  EXPECT_EQ(names(anomalies), "ber.non_minimal_length");
}

// BER lets a sender pad the length with zero octets; more than four of them must still decode
// (a peer's BER decoder would accept it) and be flagged.
TEST(Ber, LengthPaddedBeyondFourOctetsDecodes) {
  const Bytes bytes = {
      0x04, 0x86, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // OCTET STRING, 6 length octets: 2
      0xAA, 0xBB,                                      // contents
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_EQ(e.value.size, 2u);
  EXPECT_EQ(e.value.data[0], 0xAA);
  EXPECT_EQ(names(anomalies), "ber.non_minimal_length");
}

TEST(Ber, LengthBeyond32BitsFails) {
  const Bytes bytes = {
      0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00,  // OCTET STRING, length 2^32
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(anomalies.has(Anomaly::kBerTruncated));
}

TEST(Ber, ReservedLengthFormFails) {
  const Bytes bytes = {
      0x04, 0xFF, 0x00,  // OCTET STRING, length octet 0xFF (X.690 §8.1.3.5 c: reserved)
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(names(anomalies), "ber.truncated");
}

TEST(Ber, ContentsPastTheViewAreTruncated) {
  const Bytes bytes = {
      0x04, 0x05,        // OCTET STRING, length 5
      0xAA, 0xBB,        // only 2 contents octets
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(reader.at_end());  // a failed reader returns nothing more
  EXPECT_EQ(names(anomalies), "ber.truncated");
}

TEST(Ber, HeaderPastTheViewIsTruncated) {
  for (const Bytes& bytes : {Bytes{0x30}, Bytes{0x04, 0x82, 0x01}, Bytes{0x9F}}) {
    AnomalySet anomalies;
    BerReader reader(view(bytes), anomalies);
    BerElement e;
    EXPECT_FALSE(reader.next(e));
    EXPECT_TRUE(reader.failed());
    EXPECT_TRUE(anomalies.has(Anomaly::kBerTruncated));
  }
}

TEST(Ber, FailedReaderStaysFailed) {
  const Bytes bytes = {
      0x02, 0x01, 0x01,  // INTEGER 1
      0x04, 0x09,        // OCTET STRING, length 9: past the end
      0x02, 0x01, 0x02,  // INTEGER 2 (inside the bad element's claimed length)
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_FALSE(reader.next(e));
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
}

// --- Indefinite length ------------------------------------------------------------------------

TEST(Ber, IndefiniteLengthIsDecodedAndFlagged) {
  const Bytes bytes = {
      0x30, 0x80,        // SEQUENCE, indefinite length
      0x02, 0x01, 0x01,  //   INTEGER 1
      0x00, 0x00,        // end-of-contents
      0x05, 0x00,        // NULL after it
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.indefinite);
  EXPECT_EQ(e.value.size, 3u);            // contents without the end-of-contents
  EXPECT_EQ(e.value.data, bytes.data() + 2);
  EXPECT_EQ(e.total_length, 7u);          // end-of-contents included
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_universal(ber_tag::kNull));
  EXPECT_EQ(names(anomalies), "ber.indefinite_length");
}

TEST(Ber, NestedIndefiniteLengths) {
  const Bytes bytes = {
      0x30, 0x80,              // SEQUENCE, indefinite
      0x30, 0x80,              //   SEQUENCE, indefinite
      0x04, 0x02, 0x00, 0x00,  //     OCTET STRING 00 00 (not an end-of-contents: inside a TLV)
      0x00, 0x00,              //   end-of-contents (inner)
      0x02, 0x01, 0x07,        //   INTEGER 7
      0x00, 0x00,              // end-of-contents (outer)
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement outer;
  ASSERT_TRUE(reader.next(outer));
  EXPECT_EQ(outer.total_length, bytes.size());
  BerReader level1 = reader.enter(outer);
  EXPECT_EQ(level1.depth(), 1u);
  BerElement inner, integer;
  ASSERT_TRUE(level1.next(inner));
  EXPECT_TRUE(inner.indefinite);
  EXPECT_EQ(inner.value.size, 4u);
  ASSERT_TRUE(level1.next(integer));
  EXPECT_EQ(integer.offset, 8u);
  int32_t value;
  ASSERT_TRUE(ber_integer(integer.value, value));
  EXPECT_EQ(value, 7);
  EXPECT_TRUE(level1.at_end());
  EXPECT_EQ(names(anomalies), "ber.indefinite_length");
}

TEST(Ber, IndefiniteLengthWithoutEndOfContentsIsTruncated) {
  const Bytes bytes = {
      0x30, 0x80,        // SEQUENCE, indefinite
      0x02, 0x01, 0x01,  //   INTEGER 1, then the message ends
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(names(anomalies), "ber.truncated,ber.indefinite_length");
}

TEST(Ber, IndefiniteLengthOnPrimitiveFails) {
  const Bytes bytes = {
      0x04, 0x80,        // OCTET STRING primitive with indefinite length (§8.1.3.2 forbids)
      0xAA, 0x00, 0x00,
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(anomalies.has(Anomaly::kBerIndefiniteLength));
  EXPECT_TRUE(anomalies.has(Anomaly::kBerTruncated));
}

// --- Tags -------------------------------------------------------------------------------------

TEST(Ber, HighTagNumberForm) {
  const Bytes bytes = {
      0x9F, 0x81, 0x00, 0x01, 0x05,  // [128] primitive (high form: 0x81 0x00), length 1, 05
      0xBF, 0x1F, 0x00,              // [31] constructed (the smallest high-form number), empty
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_context(128));
  EXPECT_EQ(e.value.size, 1u);
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_context(31));
  EXPECT_TRUE(e.constructed);
  EXPECT_EQ(names(anomalies), "");
}

// A low tag number in the high form is a second spelling of the same tag: decoded as that tag
// (a peer would), and flagged.
TEST(Ber, LowTagInHighFormIsFlagged) {
  const Bytes bytes = {
      0xBF, 0x01, 0x00,  // [1] constructed spelled in the high-tag-number form
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_context(1));
  EXPECT_EQ(names(anomalies), "ber.bad_tag");
}

TEST(Ber, HighTagWithLeadingZeroOctetIsFlagged) {
  const Bytes bytes = {
      0x9F, 0x80, 0x21, 0x00,  // [33] with a redundant leading 0x80 (X.690 §8.1.2.4.2 c)
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_context(33));
  EXPECT_EQ(names(anomalies), "ber.bad_tag");
}

TEST(Ber, OverlongHighTagFails) {
  const Bytes bytes = {
      0x9F, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00,  // five tag-number octets: beyond 28 bits
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(anomalies.has(Anomaly::kBerBadTag));
}

// --- Navigation -------------------------------------------------------------------------------

TEST(Ber, EnterReadsContentsOneLevelDeeper) {
  const Bytes bytes = {
      0x30, 0x06,        // SEQUENCE
      0x02, 0x01, 0x01,  //   INTEGER 1
      0x04, 0x01, 0xAA,  //   OCTET STRING AA
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies, 3);
  BerElement sequence;
  ASSERT_TRUE(reader.next(sequence));
  BerReader inner = reader.enter(sequence);
  EXPECT_EQ(inner.depth(), 4u);
  BerElement e;
  ASSERT_TRUE(inner.next(e));
  EXPECT_EQ(e.offset, 0u);  // offsets are within the reader's own view
  ASSERT_TRUE(inner.next(e));
  EXPECT_EQ(e.offset, 3u);
  EXPECT_EQ(sequence.value.sub(e.offset, e.total_length).data, bytes.data() + 5);
  EXPECT_TRUE(inner.at_end());
}

TEST(Ber, NextIfMatchesWithoutConsumingOtherwise) {
  const Bytes bytes = {
      0x80, 0x01, 0x03,  // [0] primitive 3
      0x02, 0x01, 0x04,  // INTEGER 4
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next_if(BerClass::kContext, 1, e));    // different number
  EXPECT_FALSE(reader.next_if(BerClass::kUniversal, 0, e));  // different class
  ASSERT_TRUE(reader.next_if(BerClass::kContext, 0, e));
  EXPECT_EQ(e.value.data[0], 3);
  EXPECT_FALSE(reader.next_if(BerClass::kContext, 0, e));
  ASSERT_TRUE(reader.next_if(BerClass::kUniversal, ber_tag::kInteger, e));
  EXPECT_TRUE(reader.at_end());
  EXPECT_FALSE(reader.failed());
}

TEST(Ber, NextIfRestoresAfterAHighFormMismatch) {
  const Bytes bytes = {
      0x9F, 0x21, 0x00,  // [33], empty
      0x05, 0x00,        // NULL
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next_if(BerClass::kContext, 34, e));
  ASSERT_TRUE(reader.next_if(BerClass::kContext, 33, e));
  ASSERT_TRUE(reader.next(e));
  EXPECT_TRUE(e.is_universal(ber_tag::kNull));
}

TEST(Ber, NextAllowCutReturnsTheContentsThatArePresent) {
  const Bytes bytes = {
      0x62, 0x07,        // [APPLICATION 2], length 7 (only 3 contents octets follow)
      0x48, 0x01, 0x01,  //   [APPLICATION 8] 01
  };
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  bool cut = false;
  ASSERT_TRUE(reader.next_allow_cut(e, cut));
  EXPECT_TRUE(cut);
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(e.value.size, 3u);
  EXPECT_EQ(e.total_length, 5u);
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(names(anomalies), "ber.truncated");
}

TEST(Ber, NextAllowCutOnACompleteElement) {
  const Bytes bytes = {0x05, 0x00};  // NULL
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  bool cut = true;
  ASSERT_TRUE(reader.next_allow_cut(e, cut));
  EXPECT_FALSE(cut);
  EXPECT_EQ(names(anomalies), "");
}

// --- Depth cap --------------------------------------------------------------------------------

TEST(Ber, ReaderAtTheDepthCapRefuses) {
  const Bytes bytes = {0x05, 0x00};  // NULL
  AnomalySet anomalies;
  BerReader below(view(bytes), anomalies, limits::kMaxBerDepth - 1);
  BerElement e;
  EXPECT_TRUE(below.next(e));
  BerReader at(view(bytes), anomalies, limits::kMaxBerDepth);
  EXPECT_FALSE(at.next(e));
  EXPECT_TRUE(at.failed());
  EXPECT_EQ(names(anomalies), "ber.depth_cap");
}

TEST(Ber, EnteringNestedSequencesHitsTheDepthCap) {
  // kMaxBerDepth + 1 nested SEQUENCEs, definite lengths: 30 22 30 20 ... 30 00.
  const unsigned levels = limits::kMaxBerDepth + 1;
  Bytes bytes;
  for (unsigned i = 0; i < levels; ++i) {
    bytes.push_back(0x30);
    bytes.push_back(static_cast<uint8_t>(2 * (levels - 1 - i)));
  }
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  unsigned opened = 0;
  while (reader.next(e)) {
    ++opened;
    reader = reader.enter(e);
  }
  EXPECT_EQ(opened, limits::kMaxBerDepth);
  EXPECT_EQ(names(anomalies), "ber.depth_cap");
}

TEST(Ber, NestedIndefiniteLengthsHitTheDepthCap) {
  Bytes bytes;
  for (unsigned i = 0; i < limits::kMaxBerDepth + 1; ++i) {
    bytes.push_back(0x30);  // SEQUENCE
    bytes.push_back(0x80);  // indefinite
  }
  for (unsigned i = 0; i < limits::kMaxBerDepth + 1; ++i) {
    bytes.push_back(0x00);  // end-of-contents
    bytes.push_back(0x00);
  }
  AnomalySet anomalies;
  BerReader reader(view(bytes), anomalies);
  BerElement e;
  EXPECT_FALSE(reader.next(e));
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(anomalies.has(Anomaly::kBerDepthCap));
}

// --- INTEGER ----------------------------------------------------------------------------------

TEST(BerInteger, TwosComplement) {
  struct Case {
    Bytes contents;
    int32_t value;
  };
  const Case cases[] = {
      {{0x00}, 0},
      {{0x7F}, 127},
      {{0x00, 0x80}, 128},
      {{0x80}, -128},
      {{0xFF}, -1},
      {{0xFD, 0x66}, -666},  // pwnss7 negative-opcode.pcap's opcode
      {{0x01, 0x00, 0x00}, 65536},
      {{0x7F, 0xFF, 0xFF, 0xFF}, INT32_MAX},
      {{0x80, 0x00, 0x00, 0x00}, INT32_MIN},
  };
  for (const Case& c : cases) {
    int32_t value = 12345;
    ASSERT_TRUE(ber_integer(view(c.contents), value));
    EXPECT_EQ(value, c.value);
  }
}

TEST(BerInteger, RedundantLeadingOctetsStillDecode) {
  int32_t value = 0;
  ASSERT_TRUE(ber_integer(view(Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x02}), value));  // 2 in 6 octets
  EXPECT_EQ(value, 2);
  ASSERT_TRUE(ber_integer(view(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), value));  // -1 in 5 octets
  EXPECT_EQ(value, -1);
  ASSERT_TRUE(ber_integer(view(Bytes{0xFF, 0x80, 0x00, 0x00, 0x00}), value));  // -2^31 in 5 octets
  EXPECT_EQ(value, INT32_MIN);
}

TEST(BerInteger, RejectsEmptyAndTooWide) {
  int32_t value = 0;
  EXPECT_FALSE(ber_integer(view(Bytes{}), value));
  EXPECT_FALSE(ber_integer(view(Bytes{0x01, 0x00, 0x00, 0x00, 0x00}), value));  // 2^32
  EXPECT_FALSE(ber_integer(view(Bytes{0x00, 0x80, 0x00, 0x00, 0x00}), value));  // 2^31: the 00 is needed
  EXPECT_FALSE(ber_integer(view(Bytes{0xFE, 0xFF, 0xFF, 0xFF, 0xFF}), value));  // -2^32 - 1
}

TEST(BerUnsigned, Values) {
  uint32_t value = 0;
  ASSERT_TRUE(ber_unsigned(view(Bytes{0x00, 0xFF, 0xFF, 0xFF, 0xFF}), value));
  EXPECT_EQ(value, 0xFFFFFFFFu);
  ASSERT_TRUE(ber_unsigned(view(Bytes{0x65, 0x87}), value));
  EXPECT_EQ(value, 0x6587u);
  EXPECT_FALSE(ber_unsigned(view(Bytes{}), value));
  EXPECT_FALSE(ber_unsigned(view(Bytes{0x01, 0x00, 0x00, 0x00, 0x00}), value));
}

// --- OBJECT IDENTIFIER ------------------------------------------------------------------------

TEST(BerOid, FormatsAsWiresharkPrints) {
  // networkLocUpContext-v3 (TS 29.002 §17.3.2), as tshark shows tcap.application_context_name
  EXPECT_EQ(oid_text({0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03}), "0.4.0.0.1.0.1.3");
  // dialogue-as-id (Q.773 §4.2.2): 773 spans two octets (0x86 0x05)
  EXPECT_EQ(oid_text({0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01}), "0.0.17.773.1.1.1");
  // CAP-v2-gsmSSF-to-gsmSCF-AC
  EXPECT_EQ(oid_text({0x04, 0x00, 0x00, 0x01, 0x00, 0x32, 0x01}), "0.4.0.0.1.0.50.1");
  // first octet packs arcs 1 and 2 (X.690 §8.19.4): 1.2.840.113549
  EXPECT_EQ(oid_text({0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D}), "1.2.840.113549");
  // joint-iso-itu-t arcs above 39: 2.999 is one subidentifier 1079
  EXPECT_EQ(oid_text({0x88, 0x37}), "2.999");
  // first subidentifier 40 is 1.0
  EXPECT_EQ(oid_text({0x28}), "1.0");
}

TEST(BerOid, RejectsMalformed) {
  EXPECT_EQ(oid_text({}), "<invalid:>");
  // last octet still has the continuation bit
  EXPECT_EQ(oid_text({0x04, 0x00, 0x86}), "<invalid:0.4.0>");
  // a subidentifier wider than 63 bits
  EXPECT_EQ(oid_text({0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}), "<invalid:0.4>");
}

TEST(BerOid, StopsAtCapacity) {
  const Bytes oid = {0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03};
  EXPECT_EQ(oid_text(oid, 16), "0.4.0.0.1.0.1.3");  // exactly 15 characters + NUL
  EXPECT_EQ(oid_text(oid, 15), "<invalid:0.4.0.0.1.0.1>");
  char tiny[1];
  EXPECT_FALSE(format_oid(view(oid), tiny, 1));
  EXPECT_EQ(tiny[0], '\0');
  EXPECT_FALSE(format_oid(view(oid), tiny, 0));
}

}  // namespace
}  // namespace sigwall

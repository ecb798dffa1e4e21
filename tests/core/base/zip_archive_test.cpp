// ZipArchive and encode_zip (the .npz container and Sweet Home 3D's .sh3f libraries), gunzip
// (Fashion-MNIST's files): round trips, deflated members as zip tools write them, and every
// kind of damage as one clear error.
#include "core/base/zip_archive.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <functional>
#include <optional>

#include "core/base/error.h"
#include "tests/core/base/zlib_test_support.h"

namespace clippo {
namespace {

using testing::deflate_raw;
using testing::gzip;

// A stored archive from encode_zip with member `name`'s data replaced by its deflated form:
// sizes, method and offsets patched as a zip tool would write them.
std::string with_deflated_member(const std::string& name, const std::string& data) {
  const std::string packed = deflate_raw(data);
  std::string zip = encode_zip({{name, packed}});
  // Method (local header +8, directory +10) = 8; uncompressed size (local +22, directory +24).
  const size_t directory = zip.find("PK\x01\x02");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) zip[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  zip[8] = 8;
  zip[directory + 10] = 8;
  put32(22, static_cast<uint32_t>(data.size()));
  put32(directory + 24, static_cast<uint32_t>(data.size()));
  const uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
  put32(14, static_cast<uint32_t>(crc));
  put32(directory + 16, static_cast<uint32_t>(crc));
  return zip;
}

// The code of the Error `f` throws; nothing when it throws none.
std::optional<ErrorCode> code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return std::nullopt;
}

TEST(ZipArchiveTest, StoredMembersRoundTripInOrder) {
  const std::string binary("\0\x01\xff\x7fPK\x03\x04", 9);
  const ZipArchive zip(encode_zip({{"b.txt", "second"}, {"a/c.png", binary}, {"empty", ""}}), "t.zip");
  EXPECT_EQ(zip.member_names(), (std::vector<std::string>{"b.txt", "a/c.png", "empty"}));
  EXPECT_TRUE(zip.contains("a/c.png"));
  EXPECT_FALSE(zip.contains("a"));
  EXPECT_EQ(zip.read("b.txt"), "second");
  EXPECT_EQ(zip.read("a/c.png"), binary);
  EXPECT_EQ(zip.read("empty"), "");
  EXPECT_EQ(code_of([&] { zip.read("missing"); }), ErrorCode::kNotFound);
  EXPECT_EQ(code_of([&] { zip.read("b.txt", 3); }), ErrorCode::kResourceExhausted);
}

TEST(ZipArchiveTest, AnArchiveOverTheCallersBytesReadsTheSame) {
  const std::string bytes = encode_zip({{"a", "first"}, {"b", "second"}});
  const ZipArchive zip = ZipArchive::over(bytes, "m.npz");
  EXPECT_EQ(zip.read("b"), "second");
  EXPECT_EQ(zip.name(), "m.npz");
}

TEST(ZipArchiveTest, DeflatedMembersAreInflatedAndChecked) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "name#" + std::to_string(i) + "=Chair\n";
  const std::string zip_bytes = with_deflated_member("catalog.properties", text);
  EXPECT_LT(zip_bytes.size(), text.size());
  EXPECT_EQ(ZipArchive(zip_bytes, "lib.sh3f").read("catalog.properties"), text);

  // Sizes that disagree with the data, either way: refused (the claim is a bound, not allocated).
  for (const uint32_t claimed : {static_cast<uint32_t>(text.size() * 2), static_cast<uint32_t>(text.size() - 1)}) {
    std::string lying = zip_bytes;
    const size_t directory = lying.find("PK\x01\x02");
    for (int i = 0; i < 4; ++i) lying[directory + 24 + i] = static_cast<char>((claimed >> (8 * i)) & 0xFF);
    EXPECT_EQ(code_of([&] { ZipArchive(lying, "lib.sh3f").read("catalog.properties"); }), ErrorCode::kInvalidArgument)
        << claimed;
  }

  // A flipped byte in the compressed data: corrupt data or a CRC mismatch, never wrong bytes.
  std::string damaged = zip_bytes;
  damaged[30 + 18 + 40] ^= 0x55;
  try {
    ZipArchive(damaged, "lib.sh3f").read("catalog.properties");
    FAIL() << "damaged member was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("lib.sh3f:catalog.properties"), std::string::npos) << e.what();
  }
}

TEST(ZipArchiveTest, DamagedArchivesAreOneClearError) {
  const std::string good = encode_zip({{"x", "12345"}, {"y", "abc"}});
  EXPECT_EQ(code_of([&] { ZipArchive("not a zip at all, just some text", "t"); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { ZipArchive("", "t"); }), ErrorCode::kInvalidArgument);
  for (size_t cut = 1; cut < good.size(); cut += 7) {
    const std::optional<ErrorCode> c = code_of([&] {
      const ZipArchive z(good.substr(0, cut), "t");
      for (const std::string& m : z.member_names()) z.read(m);
    });
    EXPECT_EQ(c, ErrorCode::kInvalidArgument) << "cut at " << cut;
  }
  std::string bad_crc = good;
  bad_crc[bad_crc.find("12345")] = '9';
  EXPECT_EQ(code_of([&] { ZipArchive(bad_crc, "t").read("x"); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { ZipArchive(encode_zip({{"x", "1"}, {"x", "2"}}), "t"); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([] { ZipArchive::open("/no/such/file.sh3f"); }), ErrorCode::kNotFound);
}

TEST(GunzipTest, RoundTripsConcatenatedMembersAndRefusesDamage) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data.push_back(static_cast<char>(i * 7 % 251));
  EXPECT_EQ(gunzip(gzip(data), "d.gz", 1 << 20), data);
  EXPECT_EQ(gunzip(gzip("ab") + gzip("cd"), "d.gz", 100), "abcd");
  EXPECT_EQ(gunzip(gzip("ab") + std::string(512, '\0'), "d.gz", 100), "ab");  // zero padding ends the data
  EXPECT_EQ(code_of([] { gunzip(gzip("ab") + "junk", "d.gz", 100); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([] { gunzip(std::string("\x1f\x8b\x08", 3), "d.gz", 100); }), ErrorCode::kInvalidArgument);
  const std::string packed = gzip(data);
  EXPECT_EQ(code_of([&] { gunzip(packed.substr(0, packed.size() / 2), "d.gz", 1 << 20); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { gunzip("plain text, not gzip", "d.gz", 1 << 20); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { gunzip(packed, "d.gz", 1000); }), ErrorCode::kResourceExhausted);
  std::string flipped = packed;
  flipped[packed.size() / 2] ^= 0x20;
  EXPECT_EQ(code_of([&] { gunzip(flipped, "d.gz", 1 << 20); }), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace clippo

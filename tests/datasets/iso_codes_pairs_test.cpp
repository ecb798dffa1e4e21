// .mo catalogues (a real Debian one, hand-built ones in both byte orders, corrupt ones) and the
// iso-codes text-pair builder on a hand-made locale folder and on the installed one.
#include "datasets/iso_codes_pairs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/base/file_io.h"
#include "datasets/mo_catalog.h"
#include "tests/datasets/stream_test_util.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::expect_error;
using testing::TempDir;
using testing::write_text;

constexpr const char* kDebianGermanCountries = "/usr/share/locale/de/LC_MESSAGES/iso_3166-1.mo";

void put_word(std::string& out, uint32_t w, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 24 - 8 * i : 8 * i;
    out += static_cast<char>((w >> shift) & 0xff);
  }
}

// A .mo file holding the header entry and `messages` (msgid, msgstr), as msgfmt lays it out.
std::string make_mo(const std::vector<std::pair<std::string, std::string>>& messages,
                    bool big_endian = false) {
  std::vector<std::pair<std::string, std::string>> all = {{"", "Content-Type: text/plain; charset=UTF-8\n"}};
  all.insert(all.end(), messages.begin(), messages.end());
  const uint32_t n = static_cast<uint32_t>(all.size());
  const uint32_t originals = 28, translations = originals + 8 * n;
  uint32_t offset = translations + 8 * n;
  std::string tables, strings;
  for (const bool translated : {false, true}) {
    for (const auto& [id, str] : all) {
      const std::string& s = translated ? str : id;
      put_word(tables, static_cast<uint32_t>(s.size()), big_endian);
      put_word(tables, offset, big_endian);
      strings += s + '\0';
      offset += static_cast<uint32_t>(s.size() + 1);
    }
  }
  std::string out;
  for (const uint32_t w : {0x950412deu, 0u, n, originals, translations, 0u, 0u}) put_word(out, w, big_endian);
  return out + tables + strings;
}

TEST(MoCatalogTest, RealDebianCatalogue) {
  if (!std::filesystem::exists(kDebianGermanCountries)) GTEST_SKIP() << "needs Debian iso-codes";
  const std::vector<MoEntry> entries = read_mo_catalog(kDebianGermanCountries);
  EXPECT_GT(entries.size(), 200u);
  bool found = false;
  for (const MoEntry& e : entries) {
    EXPECT_FALSE(e.msgid.empty());
    if (e.msgid == "Germany") {
      EXPECT_EQ(e.msgstr, "Deutschland");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(MoCatalogTest, BothByteOrdersContextAndPlural) {
  const std::vector<std::pair<std::string, std::string>> messages = {
      {"France", "Frankreich"},
      {std::string("ctx\x04") + "Chad", "Tschad"},
      {std::string("file\0files", 10), std::string("Datei\0Dateien", 13)}};
  for (const bool big_endian : {false, true}) {
    const std::vector<MoEntry> e = parse_mo_catalog(make_mo(messages, big_endian), "test.mo");
    ASSERT_EQ(e.size(), 3u) << big_endian;
    EXPECT_EQ(e[0].msgid, "France");
    EXPECT_EQ(e[0].msgstr, "Frankreich");
    EXPECT_EQ(e[1].context, "ctx");
    EXPECT_EQ(e[1].msgid, "Chad");
    EXPECT_EQ(e[2].msgid, "file");
    EXPECT_EQ(e[2].msgstr, "Datei");
  }
}

TEST(MoCatalogTest, EntriesWithoutAMsgidAreLeftOut) {
  // Found by fuzz_mo_catalog: a context or a plural with an empty source string came back as an
  // entry with an empty msgid, which nothing can be named by.
  const std::vector<MoEntry> e = parse_mo_catalog(
      make_mo({{"", "header"}, {"ctx\x04", "x"}, {std::string("\0plural", 7), "y"}, {"Chad", "Tschad"}}), "m.mo");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].msgid, "Chad");
}

TEST(MoCatalogTest, CorruptCataloguesAreErrorsNamingTheFile) {
  const std::string good = make_mo({{"France", "Frankreich"}});
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  expect_error([&] { parse_mo_catalog(bad_magic, "m.mo"); }, ErrorCode::kInvalidArgument, "m.mo': bad magic");
  expect_error([&] { parse_mo_catalog(good.substr(0, 12), "short.mo"); }, ErrorCode::kInvalidArgument,
               "short.mo");
  // Cut inside the strings: the last string's offset + length points past the end.
  expect_error([&] { parse_mo_catalog(good.substr(0, good.size() - 5), "cut.mo"); },
               ErrorCode::kInvalidArgument, "outside the file");
  std::string huge_n = good;
  huge_n[8] = huge_n[9] = huge_n[10] = '\x7f';  // N far beyond the file
  expect_error([&] { parse_mo_catalog(huge_n, "n.mo"); }, ErrorCode::kInvalidArgument, "do not fit");
  expect_error([] { read_mo_catalog("/nonexistent/x.mo"); }, ErrorCode::kNotFound, "x.mo");
}

TEST(IsoCodesPairsTest, HandMadeLocaleFolder) {
  TempDir dir;
  write_text(dir / "locale/fr/LC_MESSAGES/iso_3166-1.mo",
             make_mo({{"France", "France"}, {"Germany", "Allemagne"}}));
  write_text(dir / "locale/de/LC_MESSAGES/iso_3166-1.mo", make_mo({{"Germany", "Deutschland"}}));
  write_text(dir / "locale/de/LC_MESSAGES/iso_4217.mo", make_mo({{"Euro", "Euro"}, {"Yen", "Yen (Japan)"}}));
  write_text(dir / "locale/de/LC_MESSAGES/iso_639-2.mo",
             make_mo({{"German", "Deutsch"}}, /*big_endian=*/true));
  write_text(dir / "locale/xx/LC_MESSAGES/iso_639-2.mo", "garbage");
  std::filesystem::create_directories(dir / "locale/empty/LC_MESSAGES");
  IsoCodesPairsOptions o;
  o.locale_dir = dir / "locale";
  o.out_path = dir / "pairs.tsv";
  const IsoCodesPairsSummary s = build_iso_codes_pairs(o);
  EXPECT_EQ(read_file(dir / "pairs.tsv"),
            "German\tDeutsch\ten\tde\n"
            "Germany\tDeutschland\ten\tde\n"
            "Yen\tYen (Japan)\ten\tde\n"
            "Germany\tAllemagne\ten\tfr\n");
  EXPECT_EQ(s.n_locales, 2u);
  EXPECT_EQ(s.n_pairs, 4u);
  EXPECT_EQ(s.n_identical, 2u);
  EXPECT_EQ(s.n_pairs_by_catalogue.at("iso_3166-1"), 2u);
  EXPECT_EQ(s.n_pairs_by_catalogue.at("iso_639-2"), 1u);
  EXPECT_EQ(s.n_corrupt_catalogues, 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_NE(s.errors[0].find("xx/LC_MESSAGES/iso_639-2.mo"), std::string::npos) << s.errors[0];
  EXPECT_EQ(to_json(s)["n_pairs"], 4);
  // The output reads back as a text-pairs source.
  SourceSpec spec;
  spec.format = "text_pairs_tsv";
  spec.paths = {o.out_path};
  spec.languages = {"en", "fr"};
  TextPairExample p;
  const auto stream = open_text_pair_stream(spec, {});
  ASSERT_TRUE(stream->next(p));
  EXPECT_EQ(p.text_b, "Allemagne");
  EXPECT_FALSE(stream->next(p));
}

TEST(IsoCodesPairsTest, MissingFolderOrCataloguesAreNotFound) {
  TempDir dir;
  IsoCodesPairsOptions o;
  o.out_path = dir / "pairs.tsv";
  o.locale_dir = dir / "nope";
  expect_error([&] { build_iso_codes_pairs(o); }, ErrorCode::kNotFound, "nope");
  std::filesystem::create_directories(dir / "locale/de");
  o.locale_dir = dir / "locale";
  expect_error([&] { build_iso_codes_pairs(o); }, ErrorCode::kNotFound, "iso-codes");
  EXPECT_FALSE(std::filesystem::exists(o.out_path));
}

TEST(IsoCodesPairsTest, InstalledCatalogues) {
  if (!std::filesystem::exists(kDebianGermanCountries)) GTEST_SKIP() << "needs Debian iso-codes";
  IsoCodesPairsSummary s;
  const std::vector<TextPairExample> pairs = collect_iso_codes_pairs({}, s);
  EXPECT_GT(s.n_locales, 50u);
  EXPECT_EQ(s.n_corrupt_catalogues, 0u);
  EXPECT_GT(s.n_pairs_by_catalogue.at("iso_4217"), 0u);
  bool found = false;
  for (const TextPairExample& p : pairs) {
    found = found || (p.text_a == "Germany" && p.text_b == "Deutschland" && p.language_b == "de");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace clippo::datasets

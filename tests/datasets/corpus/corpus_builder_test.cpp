// clippo dataset corpus on hand-made packages: two Iconify sets (one sharing a picture with the
// other), art4apps as the held-out source, Openclipart with a broken drawing, a missing set.
// Checks splits by concept and source, deduplication, the files the trainer and eval read, and
// that a rerun (which draws nothing again) writes the same bytes.
#include "datasets/corpus/corpus_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/emoji_collection.h"
#include "datasets/source_spec.h"
#include "render/png_codec.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

std::string ldml(const std::string& body) { return "<ldml><annotations>" + body + "</annotations></ldml>"; }

std::string annotation(const std::string& cp, const std::string& name, const std::string& keywords) {
  return "<annotation cp=\"" + cp + "\">" + keywords + "</annotation><annotation cp=\"" + cp +
         "\" type=\"tts\">" + name + "</annotation>";
}

// Iconify icon bodies, each a different picture.
const std::map<std::string, std::string> kBodies = {
    {"grin", "<circle cx='8' cy='8' r='6' fill='#e0b000'/>"},
    {"cat", "<rect x='2' y='5' width='12' height='6' fill='#3050f0'/>"},
    {"dog", "<path d='M2 14 L8 2 L14 14 Z' fill='#20a040'/>"},
    {"thumb", "<rect x='6' y='1' width='4' height='14' fill='#ffcc99'/>"},
    {"thumb-tone", "<rect x='6' y='1' width='4' height='14' fill='#603010'/>"},
    {"flag", "<rect x='0' y='0' width='16' height='5' fill='#000'/><rect x='0' y='5' width='16' height='6' "
             "fill='#d00'/><rect x='0' y='11' width='16' height='5' fill='#fc0'/>"}};

void write_iconify_set(const TempDir& dir, const std::string& prefix, const std::map<std::string, std::string>& icons,
                       const nlohmann::json& chars) {
  nlohmann::json set = {{"prefix", prefix}, {"width", 16}, {"height", 16}, {"icons", nlohmann::json::object()}};
  for (const auto& [name, body] : icons) set["icons"][name] = {{"body", body}};
  write_text(dir / ("npm/@iconify-json/" + prefix + "/icons.json"), set.dump());
  write_text(dir / ("npm/@iconify-json/" + prefix + "/chars.json"), chars.dump());
}

std::string picture_png(int variant) {
  ImageU8 img(40, 30, 3, 255);
  for (int y = 5; y < 35; ++y)
    for (int x = 5; x < 25; ++x) img.at(y, x, variant % 3) = static_cast<uint8_t>(40 * variant);
  return render::encode_png(img);
}

void write_fixture(const TempDir& dir) {
  write_text(dir / "cldr/en.xml",
             ldml(annotation("😀", "grinning face", "face | grin") + annotation("🐈", "cat", "cat | pet") +
                  annotation("🐕", "dog", "dog | pet") + annotation("👍", "thumbs up", "hand | up") +
                  annotation("🇩🇪", "flag: Germany", "flag") + annotation("•", "bullet", "bullet | dot")));
  write_text(dir / "cldr/de.xml", ldml(annotation("🐈", "Katze", "Katze | Haustier") +
                                       annotation("🐕", "Hund", "Hund") + annotation("😀", "Grinsegesicht", "Gesicht")));
  write_text(dir / "cldr_derived/en.xml", ldml(annotation("👍🏽", "thumbs up: medium skin tone", "hand")));
  // noto names icons through chars.json; openmoji (no chars.json entries) by CLDR English name slugs.
  write_iconify_set(dir, "noto",
                    {{"grin-a", kBodies.at("grin")}, {"cat-a", kBodies.at("cat")}, {"dog-a", kBodies.at("dog")},
                     {"thumb-a", kBodies.at("thumb")}, {"thumb-b", kBodies.at("thumb-tone")},
                     {"flag-de", kBodies.at("flag")}, {"not-an-emoji", kBodies.at("cat")}},
                    {{"1f600", "grin-a"}, {"1f408", "cat-a"}, {"1f415", "dog-a"}, {"1f44d", "thumb-a"},
                     {"1f44d-1f3fd", "thumb-b"}, {"1f1e9-1f1ea", "flag-de"}});
  write_iconify_set(dir, "openmoji",
                    {{"cat", kBodies.at("cat")},  // the same picture as noto's: a duplicate
                     {"grinning-face", "<circle cx='8' cy='8' r='3' fill='#802080'/>"},
                     {"no-such-emoji", kBodies.at("dog")}},
                    nlohmann::json::object());
  // art4apps: PNG bytes under .jpg names decode all the same (the decoder reads the signature).
  write_text(dir / "pkgs/usr/share/games/pysiogame/res/images/art4apps/animals/cat.jpg", picture_png(1));
  write_text(dir / "pkgs/usr/share/games/pysiogame/res/images/art4apps/animals/baby_rabbit.jpg", picture_png(2));
  write_text(dir / "pkgs/usr/share/games/pysiogame/i18n/custom/a4a_po/de.po",
             "msgid \"cat\"\nmsgstr \"Katze\"\n\nmsgid \"baby rabbit\"\nmsgstr \"Häschen\"\n");
  // pysiogame's pt.po is Portugal's Portuguese (CLDR pt_PT); en_GB.po only respells the English.
  write_text(dir / "pkgs/usr/share/games/pysiogame/i18n/custom/a4a_po/pt.po", "msgid \"cat\"\nmsgstr \"Gato\"\n");
  write_text(dir / "pkgs/usr/share/games/pysiogame/i18n/custom/a4a_po/en_GB.po", "msgid \"cat\"\nmsgstr \"Cat\"\n");
  const std::string svg_head = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:dc='http://purl.org/dc/elements/1.1/' "
                               "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' viewBox='0 0 16 16'>"
                               "<metadata><dc:title>";
  write_text(dir / "pkgs/usr/share/openclipart/svg/animals/red_bird_01.svg",
             svg_head + "red bird</dc:title><dc:subject><rdf:Bag><rdf:li>bird</rdf:li><rdf:li>red_animal</rdf:li>"
                        "</rdf:Bag></dc:subject></metadata><circle cx='5' cy='9' r='4' fill='#c00'/></svg>");
  // Titled with an emoji's English name (after an article): it takes that emoji's concept and split.
  write_text(dir / "pkgs/usr/share/openclipart/svg/animals/dog_01.svg",
             svg_head + "The Dog.</dc:title></metadata><rect x='1' y='9' width='14' height='3' fill='#630'/></svg>");
  // CLDR names U+2022 "bullet", but no emoji set draws it: this drawing keeps its own concept.
  write_text(dir / "pkgs/usr/share/openclipart/svg/animals/bullet_01.svg",
             svg_head + "Bullet</dc:title></metadata><rect x='6' y='2' width='4' height='12' fill='#996'/></svg>");
  write_text(dir / "pkgs/usr/share/openclipart/svg/animals/broken_01.svg", svg_head + "broken</dc:title><rect");
  write_text(dir / "pkgs/usr/share/openclipart/svg/animals/untitled_01.svg",
             "<svg xmlns='http://www.w3.org/2000/svg'><rect width='3' height='3'/></svg>");
}

CorpusOptions options_for(const TempDir& dir) {
  CorpusOptions o;
  o.out_dir = dir / "out";
  o.npm_dir = dir / "npm";
  o.package_roots = {dir / "pkgs"};
  o.cldr_dirs = {dir / "cldr", dir / "cldr_derived"};
  o.sources = {"art4apps", "noto", "openmoji", "twemoji", "openclipart"};
  o.image_size_px = 32;
  o.heldout_concept_fraction = 0.5;
  o.train_rounds = 3;
  o.jobs = 2;
  return o;
}

std::vector<nlohmann::json> jsonl(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(CorpusBuilder, SplitsDeduplicatesAndWritesWhatTrainingAndEvalRead) {
  TempDir dir;
  write_fixture(dir);
  const CorpusOptions o = options_for(dir);
  std::vector<std::string> lines;
  CorpusOptions logged = o;
  logged.on_line = [&](const std::string& l) { lines.push_back(l); };
  const CorpusSummary s = build_corpus(logged);

  // A missing set is skipped with one line naming its package.
  EXPECT_NE(s.sources.at("twemoji").missing.find("@iconify-json/twemoji"), std::string::npos);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                          [](const std::string& l) { return l.find("skipping source twemoji") != std::string::npos; }));
  // noto: 6 emoji drawn (the icon no chars.json maps is passed over); openmoji: 2 matched, one a
  // duplicate of noto's cat; openclipart: one broken, one without a title, one named as a CLDR
  // symbol that no emoji set draws (it keeps its own concept).
  EXPECT_EQ(s.sources.at("noto").n_listed, 6u);
  EXPECT_EQ(s.sources.at("openmoji").n_listed, 2u);
  EXPECT_EQ(s.sources.at("openmoji").n_duplicates, 1u);
  EXPECT_EQ(s.sources.at("openmoji").notes.at("icons that match no emoji CLDR names"), 1u);
  EXPECT_EQ(s.sources.at("openclipart").n_listed, 4u);
  EXPECT_EQ(s.sources.at("openclipart").notes.at("pictures named as an emoji (given its concept)"), 1u);
  EXPECT_EQ(s.sources.at("openclipart").n_broken, 1u);
  EXPECT_EQ(s.sources.at("openclipart").licence, "LicenseRef-public-domain-dedication");
  EXPECT_EQ(s.sources.at("openclipart").notes.at("drawings without a title"), 1u);
  EXPECT_EQ(s.sources.at("art4apps").n_heldout_source, 2u);
  ASSERT_EQ(s.broken.size(), 1u);
  EXPECT_NE(s.broken[0].find("broken_01.svg"), std::string::npos);

  // Every emoji concept sits in one split, in all its styles and skin tones.
  std::map<std::string, std::set<std::string>> splits_of_concept;
  std::map<std::string, std::string> split_of_key;
  for (const nlohmann::json& item : jsonl(o.out_dir + "/items.jsonl")) {
    splits_of_concept[item["concept"]].insert(item["split"].get<std::string>());
    split_of_key[item["key"]] = item["split"];
    EXPECT_FALSE(item["licence"].get<std::string>().empty());
    if (item["source"] == "art4apps") {
      EXPECT_EQ(item["split"], "heldout_source");
    }
    if (item["source"] == "openclipart") {
      const bool named_as_emoji = item["key"] == "openclipart-animals-dog_01";
      const std::string own_concept = "openclipart:animals/" + item["key"].get<std::string>().substr(20) + ".svg";
      EXPECT_EQ(item["concept"], named_as_emoji ? "emoji:1f415" : own_concept);
      EXPECT_EQ(item["split"], named_as_emoji && is_heldout_key("emoji:1f415", 0.5) ? "heldout_concepts" : "train");
    }
  }
  size_t n_heldout_concepts = 0;
  for (const auto& [concept_id, splits] : splits_of_concept) {
    EXPECT_EQ(splits.size(), 1u) << concept_id;
    if (concept_id.rfind("emoji:", 0) != 0) continue;
    const bool heldout = is_heldout_key(concept_id, o.heldout_concept_fraction);
    EXPECT_EQ(*splits.begin(), heldout ? "heldout_concepts" : "train") << concept_id;
    n_heldout_concepts += heldout;
  }
  EXPECT_EQ(splits_of_concept.count("emoji:1f44d"), 1u);  // 👍🏽 joined 👍's concept
  EXPECT_EQ(split_of_key.count("noto-1f44d_1f3fd"), 1u);
  EXPECT_EQ(s.n_heldout_concepts, n_heldout_concepts);

  // heldout_concepts/: one picture per held-out concept, readable as Crossmodal-3600.
  EXPECT_EQ(jsonl(o.out_dir + "/heldout_concepts/captions.jsonl").size(), n_heldout_concepts);
  SourceSpec spec;
  spec.format = "xm3600";
  spec.paths = {o.out_dir + "/heldout_source"};
  spec.first_caption_only = true;
  auto stream = open_image_text_stream(spec, {});
  std::set<std::string> source_captions;
  for (ImageTextExample ex; stream->next(ex);) source_captions.insert(ex.language + ":" + ex.caption);
  EXPECT_EQ(stream->counts().n_skipped, 0u);
  EXPECT_EQ(source_captions,
            (std::set<std::string>{"en:cat", "de:Katze", "pt_PT:Gato", "en:baby rabbit", "de:Häschen"}));

  // train.tsv names training items only, every round once each; text pairs avoid held-out concepts.
  spec = SourceSpec{};
  spec.format = "tsv";
  spec.paths = {o.out_dir + "/train.tsv"};
  stream = open_image_text_stream(spec, {});
  size_t n_examples = 0;
  for (ImageTextExample ex; stream->next(ex); ++n_examples) {
    const std::string key = std::filesystem::path(ex.image_path).stem().string();
    EXPECT_EQ(split_of_key.at(key), "train") << key;
  }
  EXPECT_EQ(stream->counts().n_skipped, 0u);
  EXPECT_EQ(n_examples, s.n_train_items * o.train_rounds);
  EXPECT_EQ(n_examples, s.n_train_examples);
  std::istringstream pairs(read_file(o.out_dir + "/text_pairs.tsv"));
  for (std::string line; std::getline(pairs, line);) {
    if (line.find("\tKatze\t") != std::string::npos) {
      EXPECT_FALSE(is_heldout_key("emoji:1f408", 0.5));
    }
    if (line.find("\tHund\t") != std::string::npos) {
      EXPECT_FALSE(is_heldout_key("emoji:1f415", 0.5));
    }
  }
  EXPECT_NE(read_file(o.out_dir + "/summary.md").find("| openmoji | CC-BY-SA-4.0 | 2 | 0 | 0 | 1 |"),
            std::string::npos);

  // The WebDataset shards hold every training item once, readable by the trainer's reader.
  spec = SourceSpec{};
  spec.format = "webdataset";
  spec.paths = {o.out_dir + "/shards/train-000000.tar"};
  stream = open_image_text_stream(spec, {});
  size_t n_shard_samples = 0;
  for (ImageTextExample ex; stream->next(ex); ++n_shard_samples) EXPECT_FALSE(ex.image.empty());
  EXPECT_EQ(n_shard_samples, s.n_train_items);
  EXPECT_EQ(stream->counts().n_skipped, 0u);
}

TEST(CorpusBuilder, APictureWhoseNameNamesAHeldOutEmojiIsHeldOutWithIt) {
  TempDir dir;
  write_fixture(dir);
  // Three more emoji, drawn by noto: 🐻 "bear" (held out at 0.5), 🐻‍❄ "polar bear" and 🐨, named
  // "bear cub" here (neither held out).
  ASSERT_TRUE(is_heldout_key("emoji:1f43b", 0.5));
  ASSERT_FALSE(is_heldout_key("emoji:1f43b_200d_2744", 0.5));
  ASSERT_FALSE(is_heldout_key("emoji:1f428", 0.5));
  ASSERT_TRUE(is_heldout_key("emoji:1f1e9_1f1ea", 0.5));
  write_text(dir / "cldr/en.xml",
             ldml(annotation("😀", "grinning face", "face | grin") + annotation("🐈", "cat", "cat | pet") +
                  annotation("🐕", "dog", "dog | pet") + annotation("👍", "thumbs up", "hand | up") +
                  annotation("🇩🇪", "flag: Germany", "flag") + annotation("•", "bullet", "bullet | dot") +
                  annotation("🐻", "bear", "bear | face") + annotation("🐻\u200d❄", "polar bear", "arctic | white") +
                  annotation("🐨", "bear cub", "cub")));
  write_iconify_set(dir, "noto",
                    {{"grin-a", kBodies.at("grin")}, {"cat-a", kBodies.at("cat")}, {"dog-a", kBodies.at("dog")},
                     {"thumb-a", kBodies.at("thumb")}, {"thumb-b", kBodies.at("thumb-tone")},
                     {"flag-de", kBodies.at("flag")}, {"bear-a", "<circle cx='8' cy='8' r='7' fill='#7a4a20'/>"},
                     {"polar-a", "<circle cx='8' cy='10' r='4' fill='#d0d0f0'/>"},
                     {"cub-a", "<rect x='3' y='3' width='10' height='10' fill='#808080'/>"}},
                    {{"1f600", "grin-a"}, {"1f408", "cat-a"}, {"1f415", "dog-a"}, {"1f44d", "thumb-a"},
                     {"1f44d-1f3fd", "thumb-b"}, {"1f1e9-1f1ea", "flag-de"}, {"1f43b", "bear-a"},
                     {"1f43b-200d-2744", "polar-a"}, {"1f428", "cub-a"}});
  // Title (first caption), then the concept it should end with ("" = its own).
  const std::map<std::string, std::pair<std::string, std::string>> drawings = {
      {"grizzly", {"A European bear.", "emoji:1f43b"}},           // a one-word name among others
      {"banner", {"Waving flag: Germany!", "emoji:1f1e9_1f1ea"}},  // a name of two words
      {"toy", {"Simple Polar Bear", ""}},                         // reading goes on after 🐻‍❄
      {"cub", {"Sleepy bear cub", ""}},                           // the longer name wins: "bear cub"
      {"wheel", {"Ball bearings", ""}},                           // whole words only
      {"pinata", {"Bear-shaped piñata", "emoji:1f43b"}},           // '-' separates
      {"cave", {"A bear’s cave", "emoji:1f43b"}},                 // so does '’'
      {"name", {"Bearño", ""}},                                   // 'ñ' does not
      {"tagged", {"Grizzly", ""}}};                               // named "bear" in its tags only
  const std::vector<std::string> shapes = {
      "<circle cx='8' cy='6' r='5' fill='#c63'/>", "<rect x='2' y='2' width='12' height='4' fill='#36c'/>",
      "<path d='M1 1 L15 8 L1 15 Z' fill='#3a3'/>", "<rect x='5' y='5' width='6' height='10' fill='#939'/>",
      "<path d='M8 1 L15 15 L1 15 Z' fill='#c0c'/>", "<rect x='1' y='10' width='14' height='5' fill='#0cc'/>",
      "<circle cx='4' cy='12' r='3' fill='#f80'/>", "<path d='M1 8 L8 1 L15 8 L8 15 Z' fill='#08f'/>",
      "<rect x='10' y='1' width='5' height='14' fill='#8f0'/>"};
  const std::string svg_head = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:dc='http://purl.org/dc/elements/1.1/' "
                               "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' viewBox='0 0 16 16'>"
                               "<metadata><dc:title>";
  size_t n = 0, n_heldout = 0;
  for (const auto& [stem, drawing] : drawings) {
    write_text(dir / ("pkgs/usr/share/openclipart/svg/people/" + stem + "_01.svg"),
               svg_head + drawing.first + "</dc:title><dc:subject><rdf:Bag><rdf:li>bear</rdf:li></rdf:Bag>" +
                   "</dc:subject></metadata>" + shapes.at(n++) + "</svg>");
    n_heldout += !drawing.second.empty();
  }
  // The held-out source keeps its own split: art4apps' "bear" is not an emoji picture.
  write_text(dir / "pkgs/usr/share/games/pysiogame/res/images/art4apps/animals/bear.jpg", picture_png(4));

  const CorpusOptions o = options_for(dir);
  const CorpusSummary s = build_corpus(o);
  EXPECT_EQ(s.sources.at("openclipart").notes.at("pictures whose name names a held-out emoji (held out with it)"),
            n_heldout);
  size_t n_seen = 0;
  for (const nlohmann::json& item : jsonl(o.out_dir + "/items.jsonl")) {
    const std::string key = item["key"];
    if (key == "art4apps-animals-bear") {
      EXPECT_EQ(item["concept"], "art4apps:bear");
      EXPECT_EQ(item["split"], "heldout_source");
      ++n_seen;
    }
    for (const auto& [stem, drawing] : drawings) {
      if (key != "openclipart-people-" + stem + "_01") continue;
      ++n_seen;
      const bool heldout = !drawing.second.empty();
      EXPECT_EQ(item["concept"], heldout ? drawing.second : "openclipart:people/" + stem + "_01.svg") << key;
      EXPECT_EQ(item["split"], heldout ? "heldout_concepts" : "train") << key;
    }
  }
  EXPECT_EQ(n_seen, drawings.size() + 1);
}

TEST(CorpusBuilder, RerunDrawsNothingNewAndWritesTheSameBytes) {
  TempDir dir;
  write_fixture(dir);
  const CorpusOptions o = options_for(dir);
  build_corpus(o);
  std::map<std::string, std::string> first;
  for (const char* f : {"items.jsonl", "captions.jsonl", "split.json", "train.tsv", "text_pairs.tsv", "summary.json",
                        "shards/train-000000.tar", "heldout_concepts/captions.jsonl"})
    first[f] = read_file(o.out_dir + "/" + f);
  const auto png = std::filesystem::path(o.out_dir) / "images/noto-1f600.png";
  const auto drawn_at = std::filesystem::last_write_time(png);
  build_corpus(o);
  for (const auto& [f, bytes] : first) EXPECT_EQ(read_file(o.out_dir + "/" + f), bytes) << f;
  EXPECT_EQ(std::filesystem::last_write_time(png), drawn_at);
}

TEST(CorpusBuilder, BadOptionsAndNoSourcesAreClearErrors) {
  TempDir dir;
  CorpusOptions o = options_for(dir);
  o.sources = {"no-such-source"};
  EXPECT_THROW(build_corpus(o), Error);
  write_fixture(dir);
  o = options_for(dir);
  o.npm_dir = dir / "nothing";
  o.package_roots = {dir / "nothing"};
  try {
    build_corpus(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("setup_corpus.sh"), std::string::npos);
  }
}

TEST(CorpusSource, EmojiConceptsAndNameSlugs) {
  EXPECT_EQ(emoji_concept("1f44d_1f3fd"), "emoji:1f44d");
  EXPECT_EQ(emoji_concept("1f468_1f3ff_200d_1f9b0"), "emoji:1f468_200d_1f9b0");
  EXPECT_EQ(emoji_concept("1f1e9_1f1ea"), "emoji:1f1e9_1f1ea");
  EXPECT_EQ(name_slug("1st place medal"), "1stplacemedal");
  EXPECT_EQ(name_slug("flag: Côte d’Ivoire"), "flagctedivoire");
}

TEST(CorpusBuilder, FileNamesThatMakeOneKeyAreNumbered) {
  TempDir dir;
  write_fixture(dir);
  // "x y", "x,y" and "x_y" all make the key part "x_y": one keeps it, the others are numbered.
  const std::string head = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:dc='http://purl.org/dc/elements/1.1/' "
                           "viewBox='0 0 16 16'><metadata><dc:title>";
  int n = 0;
  for (const std::string stem : {"x y", "x,y", "x_y"}) {
    write_text(dir / ("pkgs/usr/share/openclipart/svg/shapes/" + stem + "_01.svg"),
               head + "shape " + std::to_string(n) + "</dc:title></metadata><rect x='" + std::to_string(4 * n) +
                   "' y='1' width='4' height='14' fill='#" + std::string(n == 0 ? "f00" : n == 1 ? "0f0" : "00f") +
                   "'/></svg>");
    ++n;
  }
  CorpusOptions o = options_for(dir);
  o.sources = {"noto", "openclipart"};
  build_corpus(o);
  std::set<std::string> keys;
  for (const nlohmann::json& item : jsonl(o.out_dir + "/items.jsonl")) {
    const std::string key = item["key"];
    if (key.rfind("openclipart-shapes-", 0) == 0) keys.insert(key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"openclipart-shapes-x_y_01", "openclipart-shapes-x_y_01-2",
                                         "openclipart-shapes-x_y_01-3"}));
}

TEST(CorpusBuilder, ASourceWhoseListingFailsIsSkippedWithOneLine) {
  TempDir dir;
  write_fixture(dir);
  // Fashion-MNIST's images file is not gzip: listing throws; the other sources are built.
  write_text(dir / "pkgs/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "not gzip");
  write_text(dir / "pkgs/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz", "not gzip");
  CorpusOptions o = options_for(dir);
  o.sources = {"noto", "fashion-mnist"};
  std::vector<std::string> lines;
  o.on_line = [&](const std::string& l) { lines.push_back(l); };
  const CorpusSummary s = build_corpus(o);
  EXPECT_EQ(s.sources.at("noto").n_listed, 6u);
  EXPECT_NE(s.sources.at("fashion-mnist").missing.find("unreadable:"), std::string::npos);
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) { return l.find("skipping source fashion-mnist") != std::string::npos; }),
            1);
}

}  // namespace
}  // namespace clippo::datasets

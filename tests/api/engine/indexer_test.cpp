// The bulk indexer and the engine's own operations: what `clippo index build` and the HTTP
// server stand on.
#include "api/engine/indexer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/model/model_tools.h"

namespace clippo::engine {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/images/" + name; }

class IndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("clippo_indexer_test_" + std::to_string(getpid()));
    remove_tree(dir_.string());
    fs::create_directories(dir_ / "images" / "a");
    fs::create_directories(dir_ / "images" / "b");
    fs::copy(fixture("photo.png"), dir_ / "images" / "a" / "photo.png");
    fs::copy(fixture("gray.png"), dir_ / "images" / "b" / "gray.png");
    write_file_atomically((dir_ / "images" / "b" / "gray.txt").string(), "grey square\r\n");
    fs::copy(fixture("truncated.jpg"), dir_ / "images" / "broken.JPG");
    write_file_atomically((dir_ / "images" / "notes.md").string(), "not an image");
    write_file_atomically((dir_ / "images" / "captions.tsv").string(),
                          "a/photo.png\tA photo\ten\nmissing.png\tnothing there\n");
    model::ViTConfig c = model::vit_variant("mu/16");
    c.depth = 1;
    c.out_dim = 16;
    model_ = (dir_ / "m.npz").string();
    model::init_model_file(model_, c, nullptr, 4);
  }
  void TearDown() override { remove_tree(dir_.string()); }

  FolderIndexOptions options() {
    FolderIndexOptions o;
    o.images_dir = (dir_ / "images").string();
    o.captions_tsv = (dir_ / "images" / "captions.tsv").string();
    o.batch = 1;
    o.threads = 2;
    o.on_skip = [this](const std::string& file, const std::string& reason) { skips_[file] = reason; };
    return o;
  }

  fs::path dir_;
  std::string model_;
  std::map<std::string, std::string> skips_;
};

TEST_F(IndexerTest, IndexesImagesWithCaptionsSkipsBrokenOnesAndResumes) {
  {
    SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
    size_t last_done = 0, calls = 0;
    FolderIndexOptions o = options();
    o.on_progress = [&](size_t done, size_t total) {
      EXPECT_EQ(total, 3u);
      EXPECT_GE(done, last_done);
      last_done = done;
      ++calls;
    };
    const FolderIndexSummary s = index_folder(engine, o);
    EXPECT_EQ(s.added, 2u);
    EXPECT_EQ(s.skipped, 1u);
    EXPECT_EQ(s.already_indexed, 0u);
    EXPECT_EQ(s.captions_from_tsv, 1u);
    EXPECT_EQ(s.items, 2u);
    EXPECT_EQ(last_done, 3u);
    EXPECT_EQ(calls, 4u);  // once before the first batch, then once per batch of 1
    const std::string broken = fs::canonical(dir_ / "images" / "broken.JPG").string();
    ASSERT_TRUE(skips_.count(broken)) << "the unreadable image is reported";
    EXPECT_TRUE(skips_.count(o.captions_tsv)) << "the TSV line naming a missing file is reported";

    std::map<std::string, index::Item> by_name;
    for (const index::Item& item : engine.items()) by_name[fs::path(item.uri).filename().string()] = item;
    ASSERT_EQ(by_name.size(), 2u);
    EXPECT_EQ(by_name["photo.png"].caption, "A photo");
    EXPECT_EQ(by_name["photo.png"].lang, "en");
    EXPECT_EQ(by_name["gray.png"].caption, "grey square");  // the sidecar, line break dropped

    // The stored vector is the image's embedding: searching by the same image finds it first.
    const auto hits = engine.search_image(read_file(fixture("photo.png")), 1);
    ASSERT_EQ(hits.results.size(), 1u);
    EXPECT_EQ(hits.results[0].id, by_name["photo.png"].id);
    EXPECT_NEAR(hits.results[0].score, 1.0f, 1e-4);

    // The indexed folder's files may be served, nothing else.
    EXPECT_FALSE(engine.servable_path(by_name["gray.png"].uri).empty());
    EXPECT_TRUE(engine.servable_path("/etc/passwd").empty());
  }
  // A second run, one new image: only that one is embedded; the store reopens with all three.
  fs::copy(fixture("palette.png"), dir_ / "images" / "b" / "palette.png");
  SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
  const FolderIndexSummary s = index_folder(engine, options());
  EXPECT_EQ(s.added, 1u);
  EXPECT_EQ(s.already_indexed, 2u);
  EXPECT_EQ(s.items, 3u);
}

TEST_F(IndexerTest, AMissingFolderOrCaptionsFileIsNotFound) {
  SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
  FolderIndexOptions o = options();
  o.images_dir = (dir_ / "nope").string();
  try {
    index_folder(engine, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  o = options();
  o.captions_tsv = (dir_ / "nope.tsv").string();
  EXPECT_THROW(index_folder(engine, o), Error);
  EXPECT_EQ(engine.info().items, 0u);
}

TEST_F(IndexerTest, OnlyImageExtensionsAreIndexed) {
  EXPECT_TRUE(is_indexable_image("x/a.PNG"));
  EXPECT_TRUE(is_indexable_image("a.jpeg"));
  EXPECT_TRUE(is_indexable_image("a.webp"));
  EXPECT_FALSE(is_indexable_image("a.txt"));
  EXPECT_FALSE(is_indexable_image("png"));
}

TEST_F(IndexerTest, IndexesTextLinesAsTextItemsSkipsBadOnesAndResumes) {
  const std::string texts = (dir_ / "texts.tsv").string();
  write_file_atomically(texts,
                        "a red heart\n"
                        "\n"
                        "\u0642\u0644\u0628 \u0623\u062d\u0645\u0631\tar\r\n"  // any script, CRLF
                        "bad \xff\xfe bytes\n"                                      // not UTF-8
                        "one\ttwo\tthree\n"                                          // 3 fields
                        + std::string(20000, 'x') + "\n"                               // past max_query_bytes
                        "a red heart\n");                                             // a duplicate
  std::vector<std::string> skipped;
  TextIndexOptions o;
  o.texts_file = texts;
  o.language = "en";
  o.batch = 1;
  o.on_skip = [&](const std::string& where, const std::string&) { skipped.push_back(where); };
  {
    SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
    index_folder(engine, options());  // two images first: one store holds both kinds
    const TextIndexSummary s = index_texts(engine, o);
    EXPECT_EQ(s.added, 2u);
    EXPECT_EQ(s.skipped, 3u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.items, 4u);
    EXPECT_EQ(skipped, (std::vector<std::string>{texts + ":4", texts + ":5", texts + ":6"}));
    EXPECT_EQ(engine.info().kinds.texts, 2u);
    EXPECT_EQ(engine.info().kinds.images, 2u);

    // A text item's vector is the text's query embedding: the same text finds it first, at 1.
    const SearchResponse r = engine.search_text("\u0642\u0644\u0628 \u0623\u062d\u0645\u0631", 4);
    ASSERT_EQ(r.results.size(), 4u);
    EXPECT_EQ(r.results[0].item.kind, index::ItemKind::kText);
    EXPECT_EQ(r.results[0].item.text, "\u0642\u0644\u0628 \u0623\u062d\u0645\u0631");
    EXPECT_EQ(r.results[0].item.lang, "ar");
    EXPECT_NEAR(r.results[0].score, 1.0f, 1e-4);
    // Kinds filter the ranking: images only, texts only.
    const SearchResponse images = engine.search_text("a red heart", 10, index::kind_bit(index::ItemKind::kImage));
    ASSERT_EQ(images.results.size(), 2u);
    for (const SearchResult& hit : images.results) EXPECT_EQ(hit.item.kind, index::ItemKind::kImage);
    const SearchResponse text_hits =
        engine.search_image(read_file(fixture("photo.png")), 10, index::kind_bit(index::ItemKind::kText));
    ASSERT_EQ(text_hits.results.size(), 2u);  // image -> text
    EXPECT_EQ(text_hits.results[0].item.kind, index::ItemKind::kText);
    // The JSON every front end answers with names the kind, and the text for text items.
    const nlohmann::json j = item_to_json(r.results[0].item);
    EXPECT_EQ(j.at("kind"), "text");
    EXPECT_EQ(j.at("lang"), "ar");
    EXPECT_EQ(item_to_json(images.results[0].item).at("kind"), "image");
    EXPECT_FALSE(item_to_json(images.results[0].item).contains("text"));
  }
  // Run again (an interrupted run resumed): nothing is added twice; the images are not
  // re-indexed because of the text items either.
  SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
  EXPECT_EQ(index_folder(engine, options()).added, 0u);
  const TextIndexSummary again = index_texts(engine, o);
  EXPECT_EQ(again.added, 0u);
  EXPECT_EQ(again.duplicates, 3u);
  EXPECT_EQ(again.items, 4u);
  o.texts_file = (dir_ / "nope.txt").string();
  try {
    index_texts(engine, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  // Blank or over-long texts are refused by the engine itself too, before anything is written.
  index::Item blank;
  blank.text = "  ";
  EXPECT_THROW(engine.add_texts({blank}), Error);
  index::Item bad_bytes;
  bad_bytes.text = "bad \xff bytes";
  EXPECT_THROW(engine.add_texts({bad_bytes}), Error);
  EXPECT_EQ(engine.info().items, 4u);
}

TEST_F(IndexerTest, SearchesCheckKAndAccountForTheirTime) {
  SearchEngine engine(model_, (dir_ / "store").string(), {}, /*create_store=*/true);
  index_folder(engine, options());
  for (const int k : {0, -1, kMaxK + 1}) {
    EXPECT_THROW(engine.search_text("cat", k), Error) << k;
    EXPECT_THROW(engine.search_image(read_file(fixture("gray.png")), k), Error) << k;
  }
  const SearchResponse r = engine.search_text("a grey square", kMaxK);
  EXPECT_EQ(r.results.size(), 2u);
  EXPECT_GT(r.took.render_ms, 0.0);
  EXPECT_GT(r.took.encode_ms, 0.0);
  EXPECT_GT(r.took.search_ms, 0.0);
  EXPECT_GE(r.took.total_ms, r.took.render_ms + r.took.encode_ms + r.took.search_ms);
  EXPECT_THROW(engine.search_embedding(std::vector<float>(3, 0.5f), 1), Error);  // wrong dimension
  const EngineInfo info = engine.info();
  EXPECT_EQ(info.items, 2u);
  EXPECT_EQ(info.dim, 16);
  EXPECT_EQ(info.model_kind, "clippo");
  EXPECT_EQ(info.renderer, "unifont");
  EXPECT_EQ(info.image_size, 224);
}

}  // namespace
}  // namespace clippo::engine

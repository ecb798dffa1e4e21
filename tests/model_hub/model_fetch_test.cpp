// Models by name or URL over a real HTTP connection (a local server with faults): a download
// lands atomically only when complete and a model, resumes after a cut, and fails with one clear
// error otherwise.
#include "model_hub/model_fetch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/model/model_file.h"
#include "core/model/model_tools.h"
#include "model_hub/known_models.h"
#include "tests/model_hub/local_http_server.h"

namespace clippo::model_hub {
namespace {

namespace fs = std::filesystem;
using testing::Behaviour;
using testing::LocalHttpServer;

class ModelFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("clippo_fetch_test_" + std::to_string(getpid()));
    remove_tree(dir_.string());
    fs::create_directories(dir_);
    setenv("CLIPPO_CACHE", (dir_ / "cache").c_str(), 1);
    model::ViTConfig c = model::vit_variant("mu/16");
    c.depth = 1;
    c.out_dim = 16;
    model::init_model_file((dir_ / "m.npz").string(), c, nullptr, 3);
    model_bytes_ = read_file((dir_ / "m.npz").string());
  }
  void TearDown() override {
    unsetenv("CLIPPO_CACHE");
    unsetenv("CLIPPO_MODEL_BASE_URL");
    remove_tree(dir_.string());
  }
  fs::path cached(const std::string& name) const { return dir_ / "cache" / "models" / name; }

  fs::path dir_;
  std::string model_bytes_;
};

TEST_F(ModelFetchTest, DownloadsIntoTheCacheOnceAndResolvesUrlsAndFiles) {
  LocalHttpServer server;
  server.add("/m.npz", model_bytes_);
  uint64_t last = 0, total = 0;
  FetchOptions o;
  o.on_progress = [&](uint64_t done, uint64_t all) {
    last = done;
    total = all;
  };
  const std::string path = fetch_model(server.url("/m.npz"), "", o);
  EXPECT_EQ(path, cached("m.npz").string());
  EXPECT_EQ(read_file(path), model_bytes_);
  EXPECT_EQ(last, model_bytes_.size());
  EXPECT_EQ(total, model_bytes_.size());
  EXPECT_FALSE(fs::exists(path + ".part"));
  EXPECT_EQ(model::read_model_file(path).config.width, model::vit_variant("mu/16").width);
  // Second time: from the cache, no request.
  EXPECT_EQ(resolve_model(server.url("/m.npz")), path);
  EXPECT_EQ(server.seen().size(), 1u);
  // A file is itself; -o puts a download where asked.
  EXPECT_EQ(resolve_model((dir_ / "m.npz").string()), (dir_ / "m.npz").string());
  const std::string out = (dir_ / "sub" / "copy.npz").string();
  EXPECT_EQ(fetch_model(server.url("/m.npz"), out), out);
  EXPECT_EQ(read_file(out), model_bytes_);
}

TEST_F(ModelFetchTest, ACutConnectionResumesWithARangeRequest) {
  LocalHttpServer server;
  server.add("/cut.npz", model_bytes_, Behaviour::kCutFirstRequest);
  FetchOptions once;
  once.attempts = 1;
  try {
    fetch_model(server.url("/cut.npz"), "", once);
    FAIL() << "a cut download succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find(server.url("/cut.npz")), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("place it at " + cached("cut.npz").string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(cached("cut.npz")));  // nothing half-written in place
  const auto half = fs::file_size(cached("cut.npz").string() + ".part");
  EXPECT_EQ(half, model_bytes_.size() / 2);

  const std::string path = fetch_model(server.url("/cut.npz"), "", once);  // the next run continues
  EXPECT_EQ(read_file(path), model_bytes_);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].range, "");
  EXPECT_EQ(seen[1].range, "bytes=" + std::to_string(half) + "-");
}

TEST_F(ModelFetchTest, RetriesWithinOneFetchResumeToo) {
  LocalHttpServer server;
  server.add("/cut.npz", model_bytes_, Behaviour::kCutFirstRequest);
  std::vector<std::string> messages;
  FetchOptions o;
  o.on_message = [&](const std::string& m) { messages.push_back(m); };
  EXPECT_EQ(read_file(fetch_model(server.url("/cut.npz"), "", o)), model_bytes_);
  EXPECT_EQ(server.seen().size(), 2u);
  ASSERT_GE(messages.size(), 2u);
  EXPECT_NE(messages[1].find("retrying"), std::string::npos) << messages[1];
}

TEST_F(ModelFetchTest, NotFoundTruncatedAndNotAModelAreClearErrorsThatLeaveNothingInPlace) {
  LocalHttpServer server;
  server.add("/short.npz", model_bytes_, Behaviour::kAlwaysTruncated);
  server.add("/junk.npz", std::string(5000, 'x'));
  try {
    fetch_model(server.url("/missing.npz"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("HTTP 404 from " + server.url("/missing.npz")), std::string::npos) << e.what();
  }
  EXPECT_THROW(fetch_model(server.url("/short.npz")), Error);
  EXPECT_FALSE(fs::exists(cached("short.npz")));
  try {
    fetch_model(server.url("/junk.npz"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("did not give a model file"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(cached("junk.npz")));
  EXPECT_FALSE(fs::exists(cached("junk.npz").string() + ".part"));  // not a model: nothing to resume
}

TEST_F(ModelFetchTest, KnownNamesComeFromTheBucketAndMustBeTheirArchitecture) {
  ASSERT_EQ(known_models().size(), 6u);
  ASSERT_NE(find_known_model("clippo_b16_yfcc100m_i21k_init_25c4"), nullptr);
  EXPECT_EQ(known_model_url(*find_known_model("clippo_b16_100c4")),
            "https://storage.googleapis.com/big_vision/clippo/clippo_b16_100c4.npz");
  // A mirror that serves a file under a known name that is not a ViT-B/16: refused, not cached.
  LocalHttpServer server;
  server.add("/clippo_b16_yfcc100m.npz", model_bytes_);
  setenv("CLIPPO_MODEL_BASE_URL", server.url("").c_str(), 1);
  try {
    resolve_model("clippo_b16_yfcc100m");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("is not a ViT-B/16"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(cached("clippo_b16_yfcc100m.npz")));
}

TEST_F(ModelFetchTest, UnknownNamesAndNoNetworkSayWhatToDo) {
  try {
    resolve_model("no_such_model");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("clippo_b16_yfcc100m"), std::string::npos) << e.what();
  }
  // A port nobody listens on: the error names the URL and where to put the file by hand.
  std::string url;
  {
    LocalHttpServer gone;
    url = gone.url("/m.npz");
  }
  FetchOptions o;
  o.attempts = 1;
  try {
    fetch_model(url, "", o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    const std::string m = e.what();
    EXPECT_NE(m.find("cannot download " + url), std::string::npos) << m;
    EXPECT_NE(m.find("Without network"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace clippo::model_hub
